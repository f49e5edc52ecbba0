package importer

import (
	"regexp"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// flatten writes a string-valued expression as one Fn::Sub-style text:
// literal parts as they are, Ref X as ${X}, Fn::GetAtt X.Y as ${X.Y}, and
// Fn::Sub and Fn::Join spelt out. It is how the importer recognises the
// same ARN written as !Sub, as Fn::Join of pieces (the CDK's way) or as
// !GetAtt. ok is false for anything else, such as Fn::If or
// Fn::ImportValue, whose value is not known before deployment.
func flatten(v *cfn.Value) (string, bool) {
	if v == nil {
		return "", false
	}
	if s, ok := v.ScalarString(); ok {
		return s, true
	}
	fn, arg := v.Call()
	switch fn {
	case "Ref":
		if id, ok := arg.Str(); ok {
			return "${" + id + "}", true
		}
	case "Fn::GetAtt":
		if id, att := v.GetAttOf(); id != "" && att != "" {
			return "${" + id + "." + att + "}", true
		}
	case "Fn::Sub":
		if s, ok := arg.Str(); ok {
			return s, true
		}
		if arg.Kind == cfn.List && len(arg.Items) == 2 {
			s, ok := arg.Items[0].Str()
			vars := arg.Items[1]
			if !ok || vars.Kind != cfn.Map {
				return "", false
			}
			for i, k := range vars.Keys {
				val, ok := flatten(vars.Items[i])
				if !ok {
					return "", false
				}
				s = strings.ReplaceAll(s, "${"+k+"}", val)
			}
			return s, true
		}
	case "Fn::Join":
		if arg.Kind != cfn.List || len(arg.Items) != 2 || arg.Items[1].Kind != cfn.List {
			return "", false
		}
		sep, ok := arg.Items[0].Str()
		if !ok {
			return "", false
		}
		parts := make([]string, len(arg.Items[1].Items))
		for i, p := range arg.Items[1].Items {
			if parts[i], ok = flatten(p); !ok {
				return "", false
			}
		}
		return strings.Join(parts, sep), true
	}
	return "", false
}

// subVar matches ${X} and ${X.Attr} in flattened text; ${!Literal} is an
// escaped literal, not a variable.
var subVar = regexp.MustCompile(`\$\{([A-Za-z0-9:]+)(?:\.([A-Za-z0-9.]+))?\}`)

// reference is a ${X} or ${X.Attr} found in a flattened text.
type reference struct{ id, att string }

func references(text string) []reference {
	var out []reference
	for _, m := range subVar.FindAllStringSubmatch(text, -1) {
		out = append(out, reference{m[1], m[2]})
	}
	return out
}

// deepRefs returns every logical ID the value references anywhere, through
// Ref, Fn::GetAtt, ${} in Fn::Sub or DependsOn-like plain lists handled by
// the caller.
func deepRefs(v *cfn.Value) []string {
	var out []string
	seen := map[string]bool{}
	add := func(id string) {
		if id != "" && !strings.HasPrefix(id, "AWS::") && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	v.Walk(func(x *cfn.Value) {
		fn, arg := x.Call()
		switch fn {
		case "Ref":
			s, _ := arg.Str()
			add(s)
		case "Fn::GetAtt":
			id, _ := x.GetAttOf()
			add(id)
		case "Fn::Sub":
			s, ok := arg.Str()
			if !ok && arg.Kind == cfn.List && len(arg.Items) > 0 {
				s, _ = arg.Items[0].Str()
			}
			for _, r := range references(s) {
				add(r.id)
			}
		}
	})
	return out
}

// invocationsURI matches an integration or authorizer URI that invokes a
// Lambda function, with the function written as ${F.Arn}.
var invocationsURI = regexp.MustCompile(`^arn:(?:\$\{AWS::Partition\}|[a-z-]+):apigateway:(?:\$\{AWS::Region\}|[a-z0-9-]+):lambda:path/2015-03-31/functions/\$\{([A-Za-z0-9]+)\.Arn\}/invocations$`)

// invokedFunction returns the logical ID of the function an integration URI
// invokes: the usual !Sub, the CDK's Fn::Join of the same pieces, or a bare
// !GetAtt F.Arn.
func invokedFunction(v *cfn.Value) string {
	text, ok := flatten(v)
	if !ok {
		return ""
	}
	if m := invocationsURI.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	if refs := references(text); len(refs) == 1 && refs[0].att == "Arn" && text == "${"+refs[0].id+".Arn}" {
		return refs[0].id
	}
	return ""
}

// routeTarget returns the integration a route's Target names:
// integrations/${Integ} written with !Sub or Fn::Join.
func routeTarget(v *cfn.Value) (string, bool) {
	text, ok := flatten(v)
	if !ok {
		return "", false
	}
	id, found := strings.CutPrefix(text, "integrations/${")
	if !found || !strings.HasSuffix(id, "}") {
		return "", false
	}
	id = strings.TrimSuffix(id, "}")
	return id, !strings.ContainsAny(id, "${}.")
}

// functionRef returns the function a FunctionName or Role-style value names:
// !GetAtt F.Arn or !Ref F.
func functionRef(v *cfn.Value) string {
	if id, att := v.GetAttOf(); id != "" && att == "Arn" {
		return id
	}
	return v.RefTo()
}

// dynamoOther are read-side actions grants such as the CDK's
// grantReadWriteData add beside model.TableReadActions; they change
// nothing about the wire.
var dynamoOther = []string{"dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams", "dynamodb:PartiQLSelect"}

// statement is an IAM policy statement, reduced to what wires need.
type statement struct {
	allow     bool
	actions   []string
	resources []*cfn.Value
	// other is set when the statement has a condition, NotAction or
	// NotResource: it then grants something a wire cannot say.
	other bool
}

// stringList reads an IAM field that may be one string or a list.
func stringList(v *cfn.Value) []string {
	if s, ok := v.Str(); ok {
		return []string{s}
	}
	var out []string
	if v != nil && v.Kind == cfn.List {
		for _, it := range v.Items {
			if s, ok := it.Str(); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func valueList(v *cfn.Value) []*cfn.Value {
	if v == nil {
		return nil
	}
	if v.Kind == cfn.List {
		return v.Items
	}
	return []*cfn.Value{v}
}

// statements reads a policy document's statements.
func statements(doc *cfn.Value) []statement {
	var out []statement
	for _, st := range valueList(doc.Get("Statement")) {
		if st.Kind != cfn.Map {
			continue
		}
		effect, _ := st.Get("Effect").Str()
		s := statement{
			allow:     effect == "Allow",
			actions:   stringList(st.Get("Action")),
			resources: valueList(st.Get("Resource")),
		}
		for _, k := range st.Keys {
			if k != "Effect" && k != "Action" && k != "Resource" && k != "Sid" {
				s.other = true
			}
		}
		out = append(out, s)
	}
	return out
}

// grant is what one statement grants on one modelled resource.
type grant struct {
	target string // logical ID of a table or an API
	write  bool   // for tables: a write action is allowed
	send   bool   // for APIs: execute-api:ManageConnections
}

// grants returns what a statement grants on tables and APIs, and whether
// wires say all of it (no other action, resource or condition).
func grants(st statement, isTable, isAPI func(string) bool) (out []grant, complete bool) {
	if !st.allow {
		return nil, false
	}
	complete = !st.other
	var read, write, send bool
	for _, a := range st.actions {
		switch {
		case a == "dynamodb:*":
			read, write = true, true
		case slices.Contains(model.TableReadActions, a) || slices.Contains(dynamoOther, a):
			read = true
		case slices.Contains(model.TableWriteActions, a):
			write = true
		case a == model.SendAction || a == "execute-api:*":
			send = true
			complete = complete && a == model.SendAction
		default:
			complete = false
		}
	}
	for _, r := range st.resources {
		text, ok := flatten(r)
		if !ok {
			complete = false
			continue
		}
		refs := references(text)
		matched := false
		for _, ref := range refs {
			switch {
			case (read || write) && isTable(ref.id) && (ref.att == "Arn" && tableARN(text, ref.id) || ref.att == "" && tableARNByName(text, ref.id)):
				out = append(out, grant{target: ref.id, write: write})
				matched = true
			case send && isAPI(ref.id) && ref.att == "" && strings.Contains(text, ":execute-api:"):
				out = append(out, grant{target: ref.id, send: true})
				matched = true
			}
		}
		if !matched {
			complete = false
		}
	}
	return out, complete
}

// tableARN accepts a table's ARN and the ARNs of its indexes and streams.
func tableARN(text, id string) bool {
	base := "${" + id + ".Arn}"
	switch text {
	case base, base + "/index/*", base + "/stream/*", base + "/*":
		return true
	}
	return false
}

// tableARNByName accepts a table's ARN, and its indexes' and streams',
// spelt out around its name (a Ref of the table), as SAM's policy
// templates write them.
func tableARNByName(text, id string) bool {
	for _, prefix := range []string{"arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/", "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/"} {
		if rest, ok := strings.CutPrefix(text, prefix+"${"+id+"}"); ok {
			switch rest {
			case "", "/index/*", "/stream/*", "/*":
				return true
			}
		}
	}
	return false
}

// iamEqual compares two IAM documents as IAM reads them: a single string
// equals a list holding it, and Action and Resource lists are sets.
func iamEqual(a, b *cfn.Value) bool {
	return cfn.Equal(normalizeIAM(a, ""), normalizeIAM(b, ""))
}

func normalizeIAM(v *cfn.Value, key string) *cfn.Value {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case cfn.Map:
		if fn, _ := v.Call(); fn != "" {
			return v
		}
		out := &cfn.Value{Kind: cfn.Map}
		for i, k := range v.Keys {
			out.Set(k, normalizeIAM(v.Items[i], k))
		}
		return out
	case cfn.List:
		items := make([]*cfn.Value, 0, len(v.Items))
		for _, it := range v.Items {
			items = append(items, normalizeIAM(it, ""))
		}
		switch key {
		case "Action", "Resource", "Service", "AWS", "NotAction", "NotResource":
			slices.SortFunc(items, func(x, y *cfn.Value) int { return strings.Compare(string(x.JSON()), string(y.JSON())) })
			items = slices.CompactFunc(items, cfn.Equal)
		case "Statement":
			if len(items) == 1 {
				return items[0]
			}
		}
		if len(items) == 1 && key != "Statement" && key != "Policies" && key != "" {
			return items[0]
		}
		return &cfn.Value{Kind: cfn.List, Items: items}
	}
	return v
}

// checkReferences refuses a template whose Ref or Fn::GetAtt names neither
// a resource nor a parameter (nor a pseudo parameter, AWS::…):
// CloudFormation refuses it too, and an import that went on would keep a
// dangling reference the export could not write back the same. SAM
// templates are not checked: their transform adds resources (a function's
// Role, an API's Stage) that the source may name.
func (im *importer) checkReferences(root *cfn.Value) error {
	known := func(id string) bool {
		return strings.HasPrefix(id, "AWS::") || im.res[id] != nil || root.Path("Parameters", id) != nil
	}
	var bad *cfn.Value
	var name string
	check := func(v *cfn.Value) {
		v.Walk(func(x *cfn.Value) {
			if bad != nil {
				return
			}
			id := x.RefTo()
			if id == "" {
				id, _ = x.GetAttOf()
			}
			if id != "" && !known(id) {
				bad, name = x, id
			}
		})
	}
	for _, id := range im.order {
		check(im.res[id].v)
	}
	check(root.Get("Conditions"))
	check(root.Get("Outputs"))
	if bad == nil {
		return nil
	}
	fn, _ := bad.Call()
	return im.errorAt(bad.Pos, "%s names %s, which is neither a resource nor a parameter of the template", fn, name)
}
