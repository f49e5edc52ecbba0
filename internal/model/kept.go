package model

import (
	"encoding/json"
	"slices"
	"strings"
)

// What an imported template said that Switchboard does not model is kept
// here, so that exporting an imported stack writes it back unchanged: users
// stop trusting an editor that drops their conditions, outputs or
// properties it does not understand.
//
// The contract with the export:
//
//   - A Kept names one resource a model object becomes: Part "" is the
//     object's main resource, any other Part one of its derived resources
//     (see the Part… constants). Its LogicalID, when set, replaces the
//     logical ID Switchboard would generate for that resource, in the
//     resource's key and in every reference to it (Ref, Fn::GetAtt, ${…} in
//     Fn::Sub, DependsOn), so CloudFormation does not replace the resource.
//   - Attributes are resource attributes besides Type and Properties, such
//     as Condition, DependsOn or Metadata; Properties are properties. Each
//     is written onto the resource as it is, replacing a generated value of
//     the same key. A property key may be a dotted path into a map the
//     model fills, such as "Environment.Variables.STAGE", to keep one entry
//     of it.
//   - What the import could not place at all is an Other (a whole resource)
//     or one of Stack.Sections (a whole template section, such as
//     Parameters or Conditions, or the Outputs Switchboard would not
//     write). A kept output named like one the export generates replaces
//     the generated one.

// The parts of a model object that Kept can name besides its main resource
// (PartMain).
const (
	PartMain = ""
	// Parts of an API.
	PartStage                = "Stage"
	PartAuthorizer           = "Authorizer"
	PartAuthorizerPermission = "AuthorizerPermission"
	// Parts of a route.
	PartRoute         = "Route"
	PartIntegration   = "Integration"
	PartRouteResponse = "RouteResponse"
	PartPermission    = "Permission"
	// A route's service integration's credentials role, and the
	// integration response of a two-way route without a proxy.
	PartIntegrationRole     = "IntegrationRole"
	PartIntegrationResponse = "IntegrationResponse"
	// Parts of a function.
	PartRole     = "Role"
	PartLogGroup = "LogGroup"
	// PartGrants is the AWS::IAM::Policy holding what the wires the user
	// added grant a function whose role's policies an import kept as
	// written (Kept.Granted).
	PartGrants = "Grants"
)

// KindOther is a node that holds a resource Switchboard does not model.
const KindOther Kind = "other"

// Field is one key of a CloudFormation object with its value kept exactly
// as the source wrote it, as JSON: intrinsic functions in their long form
// ({"Fn::Sub": "…"}) and the source's key order kept inside Value.
type Field struct {
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// Kept is what an imported template said about one of the resources a model
// object becomes that Switchboard does not model. See the contract above.
type Kept struct {
	// Part is PartMain or the name of a derived resource, such as PartRole.
	Part string `json:"part,omitempty"`
	// LogicalID is the source's logical ID of the resource when it differs
	// from the one Switchboard would generate.
	LogicalID  string  `json:"logicalId,omitempty"`
	Attributes []Field `json:"attributes,omitempty"`
	Properties []Field `json:"properties,omitempty"`
	// AsWritten are what the source said in its own words, or left
	// unsaid, where the export generates a value: the export writes the
	// source's (or nothing) while it still generates the value it did at
	// import. So an imported resource keeps AWS's defaults where its source
	// was silent, not Switchboard's, and its literal spelling (a region,
	// arn:aws:, Fn::Join), until the user changes what the value comes from.
	AsWritten []Rewrite `json:"asWritten,omitempty"`
	// Absent is the whole resource the export generated for the part at
	// import when the source had none (a log group, an invoke permission,
	// a stage), as JSON; the export writes none while it generates the same.
	Absent json.RawMessage `json:"absent,omitempty"`
	// OmittedOutputs, on an object's main part, are the outputs the export
	// generated for the object at import that the source did not have,
	// with their generated value; the export leaves each out while it
	// generates the same.
	OmittedOutputs []Field `json:"omittedOutputs,omitempty"`
	// Granted, on the main part of a function whose role's policies an
	// import kept as written (a shared role, an ARN, a role's own
	// Policies), names the wires the source's IAM already grants, each as
	// GrantedWire writes it: the export grants only the others, the wires
	// the user adds, in a policy of their own attached to that role.
	Granted []string `json:"granted,omitempty"`
	// DeployedRoutes, on the stage of an API deployed by its own kept
	// AWS::ApiGatewayV2::Deployment, is the digest of its routes as
	// imported (export.RoutesDigest): while the routes still digest the
	// same, the deployment is written as it was; after a route change it
	// gets a new logical ID, so CloudFormation deploys the change.
	DeployedRoutes string `json:"deployedRoutes,omitempty"`
}

// GrantedWire is how Kept.Granted names a wire: its ID and kind, so a wire
// switched from read to read-write grants again.
func GrantedWire(w *Wire) string { return w.ID + " " + string(w.Kind) }

// GrantedAtImport reports whether the source's IAM already grants what
// the wire does (Kept.Granted).
func (f *Function) GrantedAtImport(w *Wire) bool {
	k := KeptPart(f.Kept, PartMain)
	return k != nil && slices.Contains(k.Granted, GrantedWire(w))
}

// GrantsApart reports whether the export writes the function's role's
// policies as an import found them: its Role is kept (a shared role, an
// ARN), or its role's Policies are kept or written as the source wrote
// them. What a wire the user added since grants (one not Kept.Granted)
// then goes in a policy of its own (PartGrants), so the source's IAM is
// neither rewritten nor widened.
func (f *Function) GrantsApart() bool {
	if _, kept := f.KeptRole(); kept {
		return true
	}
	k := KeptPart(f.Kept, PartRole)
	if k == nil {
		return false
	}
	return slices.ContainsFunc(k.Properties, func(p Field) bool { return p.Key == "Policies" }) ||
		slices.ContainsFunc(k.AsWritten, func(r Rewrite) bool { return r.Key == "Properties.Policies" })
}

// KeptRole says how a function's Role an import kept names its role: the
// role's logical ID for !GetAtt X.Arn (empty for an ARN written any other
// way, a literal or a parameter's), and whether a Role is kept at all.
func (f *Function) KeptRole() (logicalID string, kept bool) {
	k := KeptPart(f.Kept, PartMain)
	if k == nil {
		return "", false
	}
	for _, p := range k.Properties {
		if p.Key != "Role" {
			continue
		}
		var role struct {
			GetAtt any `json:"Fn::GetAtt"`
		}
		if json.Unmarshal(p.Value, &role) != nil {
			return "", true
		}
		switch at := role.GetAtt.(type) {
		case []any:
			if len(at) == 2 && at[1] == "Arn" {
				id, _ := at[0].(string)
				return id, true
			}
		case string:
			if id, ok := strings.CutSuffix(at, ".Arn"); ok {
				return id, true
			}
		}
		return "", true
	}
	return "", false
}

// IsRole reports whether the logical ID is an AWS::IAM::Role of the stack:
// a role an import kept whole, or one the export writes for a function.
func (s *Stack) IsRole(logicalID string) bool {
	for _, o := range s.Others {
		if o.Name == logicalID && o.Type == "AWS::IAM::Role" {
			return true
		}
	}
	for _, f := range s.Functions {
		if _, kept := f.KeptRole(); !kept && KeptLogicalID(f.Kept, PartRole, f.RoleLogicalID()) == logicalID {
			return true
		}
	}
	return false
}

// Other is a resource Switchboard does not model, such as a Kinesis stream
// or the CDK's AWS::CDK::Metadata: a generic node, added from the palette's
// picker of every type or kept by an import as the source wrote it. Its
// panel edits the resource as written (generic.go); its Name is its
// logical ID.
type Other struct {
	Node
	// Type is the resource's CloudFormation type, such as AWS::SQS::Queue.
	Type string `json:"type"`
	// Resource is the whole resource (Type, Properties and attributes) as
	// JSON.
	Resource json.RawMessage `json:"resource"`
}

// Rewrite is one value of a resource as its source wrote it, in place of
// the one the export generates.
type Rewrite struct {
	// Key is a path within the resource: "DeletionPolicy",
	// "Properties.Timeout", "Properties.Environment.Variables.X".
	Key string `json:"key"`
	// Generated is the value the export generated at import, as JSON; nil
	// when it generated none there (AuthorizationType: NONE, written out).
	Generated json.RawMessage `json:"generated,omitempty"`
	// Source is the source's value, as JSON; nil when the source had none
	// there, and the export leaves the key out.
	Source json.RawMessage `json:"source,omitempty"`
}

// KeptPart returns the Kept of the part, or nil.
func KeptPart(kept []Kept, part string) *Kept {
	for i := range kept {
		if kept[i].Part == part {
			return &kept[i]
		}
	}
	return nil
}

// KeptLogicalID returns the logical ID the part's resource has: the kept
// source ID if there is one, else generated.
func KeptLogicalID(kept []Kept, part, generated string) string {
	if k := KeptPart(kept, part); k != nil && k.LogicalID != "" {
		return k.LogicalID
	}
	return generated
}

// KeepsTarget reports whether the route keeps the Target an imported
// template gave it, or its lack of one: an integration Switchboard does not
// draw (a service integration, MOCK, HTTP, a non-proxy Lambda) kept as
// written with the integration resource, or none at all, as API Gateway
// allows. Such a route needs no handler wire to be whole.
func (r *Route) KeepsTarget() bool {
	if k := KeptPart(r.Kept, PartRoute); k != nil {
		for _, f := range k.Properties {
			if f.Key == "Target" {
				return true
			}
		}
		for _, w := range k.AsWritten {
			if w.Key == "Properties.Target" && w.Source == nil {
				return true
			}
		}
	}
	return false
}

// Other returns the other node with the ID, or nil.
func (s *Stack) Other(id string) *Other {
	for _, o := range s.Others {
		if o.ID == id {
			return o
		}
	}
	return nil
}

// Section returns the value of the kept template section, or nil.
func (s *Stack) Section(key string) json.RawMessage {
	for _, f := range s.Sections {
		if f.Key == key {
			return f.Value
		}
	}
	return nil
}

func cloneKept(in []Kept) []Kept {
	if in == nil {
		return nil
	}
	out := make([]Kept, len(in))
	for i, k := range in {
		out[i] = Kept{
			Part:       k.Part,
			LogicalID:  k.LogicalID,
			Attributes: cloneFields(k.Attributes),
			Properties: cloneFields(k.Properties),
			AsWritten:  cloneRewrites(k.AsWritten),
			Absent:     cloneRaw(k.Absent),

			OmittedOutputs: cloneFields(k.OmittedOutputs),
			Granted:        slices.Clone(k.Granted),
			DeployedRoutes: k.DeployedRoutes,
		}
	}
	return out
}

func cloneRewrites(in []Rewrite) []Rewrite {
	if in == nil {
		return nil
	}
	out := make([]Rewrite, len(in))
	for i, r := range in {
		out[i] = Rewrite{Key: r.Key, Generated: cloneRaw(r.Generated), Source: cloneRaw(r.Source)}
	}
	return out
}

func cloneFields(in []Field) []Field {
	if in == nil {
		return nil
	}
	out := make([]Field, len(in))
	for i, f := range in {
		out[i] = Field{Key: f.Key, Value: cloneRaw(f.Value)}
	}
	return out
}

func cloneRaw(in json.RawMessage) json.RawMessage {
	if in == nil {
		return nil
	}
	return append(json.RawMessage{}, in...)
}

// PropertyPath joins the keys of a nested property into the key of a kept
// property ("Environment.Variables.TABLE"). A dot or backslash inside a key
// is escaped with a backslash, so a key such as ".001", which no
// CloudFormation type has but an imported file may, comes back as itself.
func PropertyPath(keys ...string) string {
	escaped := make([]string, len(keys))
	for i, k := range keys {
		escaped[i] = propertyKeyEscaper.Replace(k)
	}
	return strings.Join(escaped, ".")
}

var propertyKeyEscaper = strings.NewReplacer(`\`, `\\`, `.`, `\.`)

// SplitPropertyPath returns the keys a kept property's key names, undoing
// PropertyPath.
func SplitPropertyPath(path string) []string {
	var keys []string
	var key strings.Builder
	for i := 0; i < len(path); i++ {
		switch c := path[i]; {
		case c == '\\' && i+1 < len(path):
			i++
			key.WriteByte(path[i])
		case c == '.':
			keys = append(keys, key.String())
			key.Reset()
		default:
			key.WriteByte(c)
		}
	}
	return append(keys, key.String())
}
