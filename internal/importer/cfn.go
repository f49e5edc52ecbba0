package importer

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// Resource types the importer models.
const (
	typeAPI           = "AWS::ApiGatewayV2::Api"
	typeRoute         = "AWS::ApiGatewayV2::Route"
	typeIntegration   = "AWS::ApiGatewayV2::Integration"
	typeRouteResponse = "AWS::ApiGatewayV2::RouteResponse"
	typeAuthorizer    = "AWS::ApiGatewayV2::Authorizer"
	typeStage         = "AWS::ApiGatewayV2::Stage"
	typeFunction      = "AWS::Lambda::Function"
	typePermission    = "AWS::Lambda::Permission"
	typeRole          = "AWS::IAM::Role"
	typePolicy        = "AWS::IAM::Policy"
	typeManagedPolicy = "AWS::IAM::ManagedPolicy"
	typeLogGroup      = "AWS::Logs::LogGroup"
	typeTable         = "AWS::DynamoDB::Table"
	typeQueue         = "AWS::SQS::Queue"
	typeTopic         = "AWS::SNS::Topic"
	typeStateMachine  = "AWS::StepFunctions::StateMachine"
	typeEventSource   = "AWS::Lambda::EventSourceMapping"
	typeSubscription  = "AWS::SNS::Subscription"
	typeIntegResponse = "AWS::ApiGatewayV2::IntegrationResponse"
	typeBus           = "AWS::Events::EventBus"
	typeRule          = "AWS::Events::Rule"
	typeBucket        = "AWS::S3::Bucket"
	typeStream        = "AWS::Kinesis::Stream"
	typeQueuePolicy   = "AWS::SQS::QueuePolicy"
)

// DefaultTemplateFormatVersion is the only version CloudFormation knows;
// the export writes it, so an import does not keep it.
const DefaultTemplateFormatVersion = "2010-09-09"

// samTransform is the transform that makes a template a SAM template.
const samTransform = "AWS::Serverless-2016-10-31"

// templateSections lists the top-level keys a template may have.
var templateSections = []string{"AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings", "Conditions", "Transform", "Resources", "Outputs", "Globals"}

// template imports a CloudFormation or SAM template.
func (im *importer) template(root *cfn.Value) error {
	for i, k := range root.Keys {
		if !slices.Contains(templateSections, k) {
			return im.errorAt(root.Items[i].Pos, "unknown template section %q; a template has %s", k, strings.Join(templateSections, ", "))
		}
	}
	resources := root.Get("Resources")
	if resources == nil || resources.Kind != cfn.Map || len(resources.Keys) == 0 {
		p := root.Pos
		if resources != nil {
			p = resources.Pos
		}
		return im.errorAt(p, "the template has no resources; a CloudFormation template needs a Resources section")
	}
	if d := root.Get("Description"); d != nil {
		s, ok := d.Str()
		if !ok {
			return im.errorAt(d.Pos, "the template's Description must be a string")
		}
		if len(s) > model.MaxDescriptionLength {
			return im.errorAt(d.Pos, "the template's Description is %d bytes; CloudFormation allows %d", len(s), model.MaxDescriptionLength)
		}
		if !generatedDescription.MatchString(s) {
			im.stack.Description = s
		}
	}
	im.readParameters(root.Get("Parameters"))
	im.parameters = root.Get("Parameters")
	im.outputs = root.Get("Outputs")
	if err := im.readResources(resources); err != nil {
		return err
	}
	sam := false
	for _, t := range stringList(root.Get("Transform")) {
		sam = sam || t == samTransform
	}
	if sam {
		im.format = FormatSAM
		if err := im.expandSAM(root); err != nil {
			return err
		}
	} else if err := im.checkReferences(root); err != nil {
		return err
	}
	for _, id := range im.order {
		if r := im.res[id]; r.typ == "AWS::CDK::Metadata" || r.v.Path("Metadata", "aws:cdk:path") != nil {
			im.format = FormatCDK
			break
		}
	}
	if err := im.importResources(); err != nil {
		return err
	}
	return im.sections(root)
}

// readResources reads a Resources section.
func (im *importer) readResources(resources *cfn.Value) error {
	for i, id := range resources.Keys {
		if err := im.stopped(); err != nil {
			return err
		}
		v := resources.Items[i]
		if !model.ValidLogicalID(id) {
			return im.errorAt(v.Pos, "resource %q: a logical ID must be 1 to %d letters and digits", id, model.MaxLogicalIDLength)
		}
		if v.Kind != cfn.Map {
			return im.errorAt(v.Pos, "resource %s must be a map with a Type", id)
		}
		typ, ok := v.Get("Type").Str()
		if !ok || typ == "" {
			return im.errorAt(v.Pos, "resource %s has no Type", id)
		}
		props := v.Get("Properties")
		switch {
		case props == nil:
			props = &cfn.Value{Kind: cfn.Map}
		case props.Kind == cfn.Null:
			props = &cfn.Value{Kind: cfn.Map}
		case props.Kind != cfn.Map:
			return im.errorAt(props.Pos, "resource %s: Properties must be a map", id)
		}
		im.res[id] = &resource{id: id, typ: typ, v: v, props: props, Pos: v.Pos}
		im.order = append(im.order, id)
	}
	return nil
}

// importResources turns the resources read into the stack.
func (im *importer) importResources() error {
	if err := im.names(); err != nil {
		return err
	}
	for _, r := range recognisers {
		if err := r.recognise(im); err != nil {
			return err
		}
	}
	if err := im.importGrants(); err != nil {
		return err
	}
	if err := im.keepAll(); err != nil {
		return err
	}
	if err := im.defaultServiceTemplates(); err != nil {
		return err
	}
	im.linkParameterFields()
	return im.keepOthers()
}

// generatedDescription matches the description the export writes for a
// stack that has none: it says nothing the stack should keep.
var generatedDescription = regexp.MustCompile(`^Switchboard stack [A-Za-z][A-Za-z0-9-]*: WebSocket APIs on API Gateway with their Lambda functions$`)

// cdkSuffix matches the hash the CDK appends to logical IDs.
var cdkSuffix = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9]*?)[0-9A-F]{8}$`)

// maxNodeName leaves room in a node's name for the suffixes of the logical
// IDs derived from it, such as a route's part and "RouteResponse".
const maxNodeName = 100

// nodeNames maps the source logical IDs of modelled resources to node
// names, filled by names.
type nodeNames map[string]string

// names picks each modelled resource's node name: its logical ID, without
// the hash the CDK appends (ConnectHandler2FFD52D8 → ConnectHandler) or the
// Serverless Framework's suffix (ConnectLambdaFunction → Connect) when that
// clashes with nothing, and cut to a length whose derived IDs fit.
// The source ID is kept (Kept.LogicalID), so deploying the export does not
// replace the resource.
func (im *importer) names() error {
	taken := map[string]bool{}
	for _, id := range im.order {
		taken[id] = true
	}
	im.nodeName = nodeNames{}
	suffixes := map[string][]string{
		typeAPI:          {"", "Stage", "Authorizer", "AuthorizerPermission"},
		typeFunction:     {"", "Role", "LogGroup"},
		typeTable:        {""},
		typeQueue:        {""},
		typeTopic:        {""},
		typeStateMachine: {"", "Role"},
		typeBus:          {""},
		typeRule:         {""},
		typeBucket:       {""},
		typeStream:       {""},
		typeLayer:        {""},
		typeUsagePlan:    {""},
		typeDomain:       {"", "ApiMapping"},
	}
	// A derived ID already taken by the object's own part (an exported
	// function's log group) is no clash: a resource of the part's type
	// that refers to the object or that it refers to, or that no other
	// resource of the object's type refers to (the role an export
	// generated for a function whose Role is kept).
	partType := map[string]string{"Stage": typeStage, "Authorizer": typeAuthorizer, "AuthorizerPermission": typePermission, "Role": typeRole, "LogGroup": typeLogGroup}
	// Who refers to whom is worked out once, when first needed: walking
	// every resource for each name checked took the square of their number.
	var refers map[string]map[string]bool   // logical ID → the IDs it refers to
	var referrers map[string]map[string]int // logical ID → how many resources of each type refer to it
	ownPart := func(owner, part, suffix string) bool {
		ro, rp := im.res[owner], im.res[part]
		if ro == nil || rp == nil || rp.typ != partType[suffix] {
			return false
		}
		if refers == nil {
			refers, referrers = map[string]map[string]bool{}, map[string]map[string]int{}
			for _, id := range im.order {
				refers[id] = map[string]bool{}
				for _, to := range deepRefs(im.res[id].v) {
					refers[id][to] = true
					if referrers[to] == nil {
						referrers[to] = map[string]int{}
					}
					referrers[to][im.res[id].typ]++
				}
			}
		}
		if refers[owner][part] || refers[part][owner] {
			return true
		}
		// The owner does not refer to the part, so these are others.
		return referrers[part][ro.typ] == 0
	}
	for _, id := range im.order {
		if err := im.stopped(); err != nil {
			return err
		}
		r := im.res[id]
		sfx, modelled := suffixes[r.typ]
		if !modelled {
			continue
		}
		name := id
		base := ""
		if m := cdkSuffix.FindStringSubmatch(id); m != nil && r.v.Path("Metadata", "aws:cdk:path") != nil {
			base = m[1]
		} else if b, ok := strings.CutSuffix(id, frameworkFunctionSuffix); ok && r.typ == typeFunction {
			// The Serverless Framework's ConnectLambdaFunction is Connect.
			base = b
		}
		if base != "" {
			free := true
			for _, s := range sfx {
				free = free && (!taken[base+s] || s != "" && ownPart(id, base+s, s))
			}
			if free {
				name = base
			}
		}
		if len(name) > maxNodeName {
			base := name[:maxNodeName-4]
			name = base
			for i := 2; taken[name]; i++ {
				name = base + itoa(i)
			}
		}
		if name != id {
			taken[name] = true
			for _, s := range sfx {
				taken[name+s] = true
			}
		}
		im.nodeName[id] = name
	}
	return nil
}

func itoa(i int) string { return strconv.Itoa(i) }

// ofType returns the resources of a type in source order.
func (im *importer) ofType(typ string) []*resource {
	var out []*resource
	for _, id := range im.order {
		if r := im.res[id]; r.typ == typ {
			out = append(out, r)
		}
	}
	return out
}

// isType reports whether id is a resource of the type.
func (im *importer) isType(id, typ string) bool {
	r := im.res[id]
	return r != nil && r.typ == typ
}

// keepOthers keeps every resource no model object took as an other node.
func (im *importer) keepOthers() error {
	for _, id := range im.order {
		if err := im.stopped(); err != nil {
			return err
		}
		if im.claimed[id] {
			continue
		}
		r := im.res[id]
		im.stack.Others = append(im.stack.Others, &model.Other{
			Node:     model.Node{ID: im.id("res"), Name: id},
			Type:     r.typ,
			Resource: r.v.JSON(),
		})
	}
	return nil
}

// sections keeps the template sections Switchboard does not write, and the
// outputs it would not generate.
func (im *importer) sections(root *cfn.Value) error {
	var kept []model.Field
	for _, key := range model.SectionOrder {
		v := root.Get(key)
		if v == nil {
			continue
		}
		switch key {
		case "AWSTemplateFormatVersion":
			if s, ok := v.Str(); ok && s == DefaultTemplateFormatVersion {
				continue
			}
		case "Transform", "Globals":
			if im.format == FormatSAM && !im.samKept {
				if key == "Transform" {
					if rest := withoutSAM(v); rest != nil {
						v = rest
						break
					}
				}
				continue
			}
		case "Outputs":
			v = im.keptOutputs(v)
			if v == nil {
				continue
			}
		case "Parameters":
			// The stack's own are written by the export (readParameters).
			if v = im.keptParameters(v); v == nil {
				continue
			}
		}
		kept = append(kept, model.Field{Key: key, Value: v.JSON()})
	}
	im.stack.Sections = kept
	return nil
}

// withoutSAM returns the Transform without the SAM transform, or nil when
// nothing is left: the import turned the SAM resources into plain ones.
func withoutSAM(v *cfn.Value) *cfn.Value {
	if s, ok := v.Str(); ok && s == samTransform {
		return nil
	}
	if v.Kind != cfn.List {
		return v
	}
	out := &cfn.Value{Kind: cfn.List, Pos: v.Pos}
	for _, it := range v.Items {
		if s, ok := it.Str(); !ok || s != samTransform {
			out.Items = append(out.Items, it)
		}
	}
	if len(out.Items) == 0 {
		return nil
	}
	return out
}

// keptOutputs returns the outputs the export would not write as they are,
// or nil.
func (im *importer) keptOutputs(outputs *cfn.Value) *cfn.Value {
	if outputs.Kind != cfn.Map {
		return outputs
	}
	out := &cfn.Value{Kind: cfn.Map, Pos: outputs.Pos}
	for i, name := range outputs.Keys {
		src := outputs.Items[i]
		if g := im.gen.Output(name); g != nil && sameOutput(src, g) {
			continue
		}
		out.Set(name, src)
	}
	if len(out.Keys) == 0 {
		return nil
	}
	return out
}

func sameOutput(src, gen *cfn.Value) bool {
	if src.Kind != cfn.Map || len(src.Keys) != len(gen.Keys) {
		return false
	}
	for i, k := range src.Keys {
		if !sameValue(src.Items[i], gen.Get(k)) {
			return false
		}
	}
	return true
}

// wire adds a wire unless the same two ends are wired already. A function
// both reading and writing a table gets one read-write wire.
func (im *importer) wire(kind model.WireKind, from, to string) {
	for _, w := range im.stack.Wires {
		if w.From != from || w.To != to {
			continue
		}
		if w.Kind == model.WireRead && kind == model.WireReadWrite {
			w.Kind = kind
		}
		return
	}
	im.stack.Wires = append(im.stack.Wires, &model.Wire{ID: im.id("w"), Kind: kind, From: from, To: to})
}

// deletionPolicy reads a DeletionPolicy attribute the model can hold.
func deletionPolicy(v *cfn.Value) (model.DeletionPolicy, bool) {
	s, _ := v.Str()
	switch model.DeletionPolicy(s) {
	case model.DeletionRetain, model.DeletionDelete:
		return model.DeletionPolicy(s), true
	}
	return "", false
}

// resetInvalid runs validation on a stack of the one object and, for each
// field it refuses, calls reset with the field's JSON name: the import then
// uses the model's default and keeps the source's value as written.
func resetInvalid(s *model.Stack, id string, reset func(field string)) {
	probe := *s
	probe.Name = "probe"
	probe.Wires = nil
	for _, p := range probe.Check() {
		if p.Severity == model.SeverityError && !p.Incomplete && p.Resource == id && p.Field != "" {
			reset(p.Field)
		}
	}
}
