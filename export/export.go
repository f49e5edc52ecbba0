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

	"github.com/awslabs/goformation/v7/cloudformation"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/model"
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

// Template builds the goformation template of a valid stack, for programs
// that want goformation's types. YAML, JSON and Render build the same
// resources but encode them straight into the written layout. It refuses a
// stack that fails s.Validate, wrapping the *model.ValidationError.
//
// Each AWS::Lambda::Function is left without Code: goformation can only
// express S3 or inline code, not the local folder `aws cloudformation package`
// uploads, so YAML and JSON write that path in. So is what an import kept
// beyond logical IDs (kept properties and attributes, other resources,
// template sections), which goformation's types cannot all hold. Render
// rather than marshalling this template yourself.
func Template(s *model.Stack) (*cloudformation.Template, error) {
	b, err := build(s, true)
	if err != nil {
		return nil, err
	}
	tpl := cloudformation.NewTemplate()
	tpl.Description = b.description
	for i, id := range b.resourceIDs {
		tpl.Resources[id] = b.resources[i]
	}
	for i, name := range b.outputNames {
		tpl.Outputs[name] = b.outputs[i]
	}
	return tpl, nil
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

// tree lays out the template: sections, resources and outputs in order,
// each function's Code set to its path, and what an import kept written
// back.
func (b *builder) tree() (*cfn.Value, error) {
	resources := &cfn.Value{Kind: cfn.Map, Keys: slices.Clone(b.resourceIDs), Items: make([]*cfn.Value, len(b.resources))}
	for i, r := range b.resources {
		id := b.resourceIDs[i]
		n, err := b.resourceNode(r)
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
			props.Set("Code", cfn.Str(path))
		}
		if k := b.kept[i]; k != nil {
			if err := b.applyKept(n, k); err != nil {
				return nil, fmt.Errorf("resource %s: %w", id, err)
			}
		}
		resources.Items[i] = n
	}
	ids, others, err := b.others()
	if err != nil {
		return nil, err
	}
	resources.Keys = append(resources.Keys, ids...)
	resources.Items = append(resources.Items, others...)

	outputs := &cfn.Value{Kind: cfn.Map, Keys: slices.Clone(b.outputNames), Items: make([]*cfn.Value, len(b.outputs))}
	for i := range b.outputs {
		n, err := b.valueNode(reflect.ValueOf(b.outputs[i]))
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", b.outputNames[i], err)
		}
		n.Reorder(outputOrder)
		outputs.Items[i] = n
	}
	return b.layoutRoot(resources, outputs)
}
