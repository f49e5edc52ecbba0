package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// SectionOrder lists the template sections a stack can keep, in the order a
// template conventionally has them. Description and Resources are not among
// them: the stack models those.
var SectionOrder = []string{"AWSTemplateFormatVersion", "Transform", "Metadata", "Parameters", "Rules", "Mappings", "Conditions", "Globals", "Outputs"}

// keptParts lists the parts each kind of object may keep.
var keptParts = map[string][]string{
	"api":          {PartMain, PartStage, PartAuthorizer, PartAuthorizerPermission},
	"route":        {PartRoute, PartIntegration, PartRouteResponse, PartPermission, PartIntegrationRole, PartIntegrationResponse},
	"function":     {PartMain, PartRole, PartLogGroup, PartGrants},
	"table":        {PartMain},
	"queue":        {PartMain},
	"topic":        {PartMain},
	"statemachine": {PartMain, PartRole},
}

// checkImported checks what an import kept: that it names parts that exist,
// valid logical IDs and valid JSON, so the export can write it back.
func (v *validator) checkImported() {
	s := v.stack
	for _, a := range s.APIs {
		l := nodeLabel{KindAPI, &a.Node}
		v.checkKept(a.ID, l, "api", a.Kept)
		for _, r := range a.Routes {
			v.checkKept(r.ID, routeLabel{a, r}, "route", r.Kept)
		}
	}
	for _, f := range s.Functions {
		v.checkKept(f.ID, nodeLabel{KindFunction, &f.Node}, "function", f.Kept)
		v.checkKeptRole(f)
	}
	for _, t := range s.Tables {
		v.checkKept(t.ID, nodeLabel{KindTable, &t.Node}, "table", t.Kept)
	}
	for _, q := range s.Queues {
		v.checkKept(q.ID, nodeLabel{KindQueue, &q.Node}, "queue", q.Kept)
	}
	for _, t := range s.Topics {
		v.checkKept(t.ID, nodeLabel{KindTopic, &t.Node}, "topic", t.Kept)
	}
	for _, m := range s.StateMachines {
		v.checkKept(m.ID, nodeLabel{KindStateMachine, &m.Node}, "statemachine", m.Kept)
	}
	v.checkEventKept()
	for _, o := range s.Others {
		l := nodeLabel{KindOther, &o.Node}
		if !validResourceType(o.Type) {
			v.add(o.ID, "type", "%s: type %q is not a CloudFormation resource type, like AWS::SQS::Queue", l, o.Type)
		}
		var r struct {
			Type string `json:"Type"`
		}
		if !jsonObject(o.Resource) || json.Unmarshal(o.Resource, &r) != nil {
			v.add(o.ID, "resource", "%s: the kept resource must be a JSON object", l)
		} else if r.Type != o.Type {
			v.add(o.ID, "resource", "%s: the kept resource has type %q, not %q", l, r.Type, o.Type)
		}
	}
	seen := map[string]bool{}
	for i, f := range s.Sections {
		field := fmt.Sprintf("sections[%d]", i)
		switch {
		case !slices.Contains(SectionOrder, f.Key):
			v.add("", field, "kept template section %q is not one of %s", f.Key, strings.Join(SectionOrder, ", "))
		case seen[f.Key]:
			v.add("", field, "template section %q is kept twice", f.Key)
		case !json.Valid(f.Value):
			v.add("", field, "kept template section %q is not valid JSON", f.Key)
		}
		seen[f.Key] = true
	}
}

func (v *validator) checkKept(id string, l fmt.Stringer, kind string, kept []Kept) {
	if len(kept) == 0 {
		return // most objects; a large stack has thousands
	}
	parts := map[string]bool{}
	for i, k := range kept {
		field := fmt.Sprintf("kept[%d]", i)
		switch {
		case !slices.Contains(keptParts[kind], k.Part):
			v.add(id, field+".part", "%s: kept part %q is not one a %s has", l, k.Part, kind)
		case parts[k.Part]:
			v.add(id, field+".part", "%s: part %q is kept twice", l, k.Part)
		}
		parts[k.Part] = true
		if k.LogicalID != "" && !ValidLogicalID(k.LogicalID) {
			v.add(id, field+".logicalId", "%s: kept logical ID %q must be 1 to %d letters and digits", l, k.LogicalID, MaxLogicalIDLength)
		}
		for j, r := range k.AsWritten {
			if r.Key == "" || r.Generated == nil && r.Source == nil || r.Generated != nil && !json.Valid(r.Generated) || r.Source != nil && !json.Valid(r.Source) {
				v.add(id, fmt.Sprintf("%s.asWritten[%d]", field, j), "%s: a value kept as written needs a key and valid JSON", l)
			}
		}
		if k.Absent != nil && !jsonObject(k.Absent) {
			v.add(id, field+".absent", "%s: the absent %q resource is not a JSON object", l, k.Part)
		}
		for what, fields := range map[string][]Field{"attributes": k.Attributes, "properties": k.Properties, "omittedOutputs": k.OmittedOutputs} {
			keys := map[string]bool{}
			for j, f := range fields {
				ff := fmt.Sprintf("%s.%s[%d]", field, what, j)
				switch {
				case f.Key == "":
					v.add(id, ff, "%s: a kept field has no key", l)
				case keys[f.Key]:
					v.add(id, ff, "%s: %q is kept twice", l, f.Key)
				case what == "attributes" && (f.Key == "Type" || f.Key == "Properties"):
					v.add(id, ff, "%s: %s is not a resource attribute to keep", l, f.Key)
				case !json.Valid(f.Value):
					v.add(id, ff, "%s: kept %q is not valid JSON", l, f.Key)
				}
				keys[f.Key] = true
			}
		}
	}
}

// checkKeptRole refuses a wire the user adds to a function whose kept Role
// is no role of the stack (an ARN, a parameter): its grant would have
// nowhere to go, and the function would be denied on AWS.
func (v *validator) checkKeptRole(f *Function) {
	id, kept := f.KeptRole()
	if !kept {
		return
	}
	for _, w := range v.index.GrantWires(f.ID) {
		if _, ok := v.index.Grant(w); !ok || f.GrantedAtImport(w) {
			continue
		}
		if id != "" && v.stack.IsRole(id) {
			return // asked only here: most imported functions add no wire
		}
		role := "is not a role of this stack"
		if id != "" {
			role = fmt.Sprintf("is %s, which is not a role of this stack", id)
		}
		v.add(w.ID, "", "%s: the role of %s %s, so Switchboard cannot grant it what the wire needs; give the function a role of the stack, or grant it in that role and remove the wire", wireLabel{slices.Index(v.stack.Wires, w) + 1, w.Kind}, label(KindFunction, &f.Node), role)
	}
}

// validResourceType accepts AWS::Service::Resource, a vendor's
// Org::Service::Resource and Custom::Name.
func validResourceType(t string) bool {
	if name, ok := strings.CutPrefix(t, "Custom::"); ok {
		return name != "" && !strings.ContainsAny(name, " \t\n")
	}
	parts := strings.Split(t, "::")
	if len(parts) < 3 {
		return false
	}
	for _, p := range parts {
		if p == "" || !ValidLogicalID(strings.ReplaceAll(p, "-", "")) {
			return false
		}
	}
	return true
}

func jsonObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{' && json.Valid(raw)
}

// claimSections claims the names kept sections define: a parameter shares
// the namespace of resources (both are what Ref names). A kept output is not
// claimed: one named like an output the export generates replaces it.
func (v *validator) claimSections(resources map[string]fmt.Stringer, claim func(map[string]fmt.Stringer, string, string, string, fmt.Stringer)) {
	for _, f := range v.stack.Sections {
		var names map[string]fmt.Stringer
		var what string
		switch f.Key {
		case "Parameters":
			names, what = resources, "parameter"
		default:
			continue
		}
		var entries map[string]json.RawMessage
		if json.Unmarshal(f.Value, &entries) != nil {
			v.add("", "sections", "kept template section %s must be a JSON object", f.Key)
			continue
		}
		for _, name := range sortedKeys(entries) {
			claim(names, what, "", name, sectionLabel{f.Key, name})
		}
	}
}

type sectionLabel struct{ section, name string }

func (l sectionLabel) String() string { return fmt.Sprintf("%s %q of the template", l.section, l.name) }
