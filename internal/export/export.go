// Package export turns a stack into a CloudFormation template, in YAML or
// JSON, and writes starter code for its functions. It is the only package
// that imports goformation, whose development has stopped (STYLE.md §11), so
// replacing it would touch nothing else.
//
// The output is byte-for-byte the same for the same stack, so templates can
// be committed and diffed. Each function's Code is its local code folder,
// ready for `aws cloudformation package` to upload.
package export

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// Format is a template file format.
type Format string

// The formats Render writes.
const (
	FormatYAML Format = "yaml"
	FormatJSON Format = "json"
)

// ParseFormat reads a format name as a user types it: yaml, yml or json, in
// any case.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yaml", "yml":
		return FormatYAML, nil
	case "json":
		return FormatJSON, nil
	}
	return "", model.Errorf(model.EINVALID, "unknown template format %q; choose yaml or json", s)
}

// YAML renders the stack's template as YAML in CloudFormation's usual layout:
// sections and resource attributes in their conventional order, resources
// grouped by the API or function they belong to, two-space indentation and
// short intrinsic forms (!Ref, !GetAtt, !Sub).
func YAML(s *model.Stack) ([]byte, error) {
	return Render(s, FormatYAML)
}

// JSON renders the stack's template as JSON in the same order as YAML,
// indented by two spaces, intrinsics in their long form.
func JSON(s *model.Stack) ([]byte, error) {
	return Render(s, FormatJSON)
}

// Render renders the stack's template in the format.
func Render(s *model.Stack, f Format) ([]byte, error) {
	if f != FormatYAML && f != FormatJSON {
		return nil, model.Errorf(model.EINVALID, "unknown template format %q; choose yaml or json", f)
	}
	b, err := build(s, false)
	if err != nil {
		return nil, err
	}
	tree, err := b.tree()
	if err != nil {
		return nil, fmt.Errorf("export: stack %q: %w", s.Name, err)
	}
	if f == FormatJSON {
		return cfn.WriteJSON(tree, 3*b.size), nil
	}
	return cfn.WriteYAML(tree, 2*b.size), nil
}

// Conventional key orders. Keys not listed keep goformation's alphabetical
// order after the listed ones.
var (
	resourceOrder = []string{"Type", "Condition", "DependsOn", "Metadata", "Properties", "DeletionPolicy", "UpdateReplacePolicy"}
	// An inline IAM policy reads better named first.
	rolePolicyOrder = []string{"PolicyName", "PolicyDocument"}
	outputOrder     = []string{"Description", "Value", "Export", "Condition"}
)

// Part names one resource the export writes for a model object: the
// object's ID and the part (model.PartMain, model.PartRole…).
type Part struct{ Object, Part string }

// Generated is what the export writes for a stack before what an import
// kept is written over it: the importer compares a source template with it
// to find what to keep. Logical IDs an import kept are already in it, in
// keys and references.
type Generated struct {
	resources map[Part]*cfn.Value
	ids       map[Part]string
	outputs   *cfn.Value
}

// Resource returns the resource written for the part of the object, or nil
// when the export writes none (a function whose Role is kept has no role).
func (g *Generated) Resource(object, part string) *cfn.Value {
	return g.resources[Part{object, part}]
}

// LogicalID returns the logical ID of the part's resource, or "".
func (g *Generated) LogicalID(object, part string) string { return g.ids[Part{object, part}] }

// Output returns the output of the name, or nil.
func (g *Generated) Output(name string) *cfn.Value { return g.outputs.Get(name) }

// Resources returns what the export writes for each part of each object of
// s. Unlike Render it takes a draft, which the importer has in hand before
// it knows what to keep: nothing is validated, and a part whose reference is
// missing (a route's integration without a handler) is left out.
func Resources(s *model.Stack) (*Generated, error) {
	b, err := build(s, true)
	if err != nil {
		return nil, err
	}
	g := &Generated{resources: make(map[Part]*cfn.Value, len(b.resources)), ids: make(map[Part]string, len(b.resources))}
	for i := range b.resources {
		n, err := b.resourceTree(i)
		if err != nil {
			return nil, err
		}
		// A part of several resources (a route's integration responses)
		// is named and compared by its first.
		if _, seen := g.resources[b.owners[i]]; seen {
			continue
		}
		g.resources[b.owners[i]] = n
		g.ids[b.owners[i]] = b.resourceIDs[i]
	}
	if g.outputs, err = b.outputsTree(); err != nil {
		return nil, err
	}
	return g, nil
}

// tree lays out the template: sections, resources and outputs in order,
// each function's Code set to its path, and what an import kept written
// back.
func (b *builder) tree() (*cfn.Value, error) {
	resources := &cfn.Value{Kind: cfn.Map, Keys: make([]string, 0, len(b.resources)), Items: make([]*cfn.Value, 0, len(b.resources))}
	for i := range b.resources {
		n, err := b.resourceTree(i)
		if err != nil {
			return nil, err
		}
		if k := b.kept[i]; k != nil {
			written, err := b.omit(n, k)
			if err != nil {
				return nil, fmt.Errorf("resource %s: %w", b.resourceIDs[i], err)
			}
			if !written {
				continue
			}
			if err := b.applyKept(n, k); err != nil {
				return nil, fmt.Errorf("resource %s: %w", b.resourceIDs[i], err)
			}
		}
		if b.owners[i].Part == model.PartMain {
			b.applyParams(n, b.owners[i].Object)
		}
		resources.Add(b.resourceIDs[i], n)
	}
	ids, others, err := b.others()
	if err != nil {
		return nil, err
	}
	resources.Keys = append(resources.Keys, ids...)
	resources.Items = append(resources.Items, others...)
	outputs, err := b.outputsTree()
	if err != nil {
		return nil, err
	}
	if err := b.omitOutputs(outputs); err != nil {
		return nil, err
	}
	root, err := b.layoutRoot(resources, outputs)
	if err != nil {
		return nil, err
	}
	b.redeploy(root)
	return root, nil
}

// resourceTree is the i-th resource as generated, before what an import
// kept: a role's policies name first, a function's Code its path.
func (b *builder) resourceTree(i int) (*cfn.Value, error) {
	id := b.resourceIDs[i]
	n, err := b.resourceNode(b.resources[i], b.fns[i])
	if err != nil {
		return nil, fmt.Errorf("resource %s: %w", id, err)
	}
	if t := n.Get("Type"); t != nil && t.Text == "AWS::IAM::Role" {
		if pols := n.Path("Properties", "Policies"); pols != nil && pols.Kind == cfn.List {
			for _, p := range pols.Items {
				p.Reorder(rolePolicyOrder)
			}
		}
	}
	if path, ok := b.codePaths[id]; ok {
		props := n.Get("Properties")
		if props == nil {
			return nil, errors.New("function " + id + " has no properties")
		}
		key := "Code"
		if t := n.Get("Type"); t != nil && t.Text == "AWS::StepFunctions::StateMachine" {
			key = "DefinitionS3Location"
		} else if t != nil && t.Text == "AWS::Lambda::LayerVersion" {
			key = "Content"
		}
		props.Set(key, cfn.Str(path))
	}
	return n, nil
}

// outputsTree is the generated outputs, in order.
func (b *builder) outputsTree() (*cfn.Value, error) {
	outputs := &cfn.Value{Kind: cfn.Map, Keys: slices.Clone(b.outputNames), Items: make([]*cfn.Value, len(b.outputs))}
	for i := range b.outputs {
		n, err := b.valueNode(reflect.ValueOf(b.outputs[i]))
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", b.outputNames[i], err)
		}
		n.Reorder(outputOrder)
		outputs.Items[i] = n
	}
	return outputs, nil
}
