package export

import (
	"encoding/json"
	"fmt"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// What an import kept (model.Kept, model.Other, Stack.Sections) is written
// back here, onto the tree, so a template that went through Switchboard
// keeps what Switchboard does not model. Kept values are JSON with
// intrinsics in their long form; cfn.ParseJSON marks them as function
// calls, which YAML writes in the short form.

// rawNode reads a kept JSON value.
func (b *builder) rawNode(raw json.RawMessage) (*cfn.Value, error) {
	b.size += len(raw)
	return cfn.ParseJSON(raw)
}

// applyKept writes a kept part onto its resource: attributes beside Type
// and Properties, properties into Properties, each replacing what the export
// generated under the same key. A property key may be a dotted path into a
// map the export fills, such as Environment.Variables.STAGE.
func (b *builder) applyKept(res *cfn.Value, k *model.Kept) error {
	for _, f := range k.Attributes {
		v, err := b.rawNode(f.Value)
		if err != nil {
			return fmt.Errorf("kept attribute %s: %w", f.Key, err)
		}
		res.Set(f.Key, v)
	}
	if len(k.Properties) > 0 {
		props := res.Get("Properties")
		if props == nil {
			props = &cfn.Value{Kind: cfn.Map}
			res.Set("Properties", props)
		}
		var inner []*cfn.Value
		for _, f := range k.Properties {
			v, err := b.rawNode(f.Value)
			if err != nil {
				return fmt.Errorf("kept property %s: %w", f.Key, err)
			}
			if parent := setPath(props, model.SplitPropertyPath(f.Key), v); parent != props {
				inner = append(inner, parent)
			}
		}
		// goformation writes properties, and the maps it fills such as
		// Environment.Variables, alphabetically; kept entries join them
		// in that order, so a kept variable stays where it was written.
		props.SortKeys()
		for _, m := range inner {
			m.SortKeys()
		}
	}
	res.Reorder(resourceOrder)
	return nil
}

// omit writes a generated resource's values as an imported source wrote
// them, or leaves them out where it said nothing (model.Kept.AsWritten),
// each while the export still generates the value recorded at import, so a
// default Switchboard adds never lands on an imported resource until the
// user changes what it comes from. It reports
// false when the source had no such resource at all (model.Kept.Absent)
// and the export still generates the same one.
func (b *builder) omit(res *cfn.Value, k *model.Kept) (written bool, err error) {
	if k.Absent != nil {
		absent, err := b.rawNode(k.Absent)
		if err != nil {
			return false, fmt.Errorf("absent resource: %w", err)
		}
		if cfn.Equal(res, absent) {
			return false, nil
		}
	}
	for _, r := range k.AsWritten {
		path := model.SplitPropertyPath(r.Key)
		parent, last := res.Path(path[:len(path)-1]...), path[len(path)-1]
		gen := parent.Get(last)
		if gen == nil || r.Generated == nil {
			if gen == nil && r.Generated == nil && r.Source != nil && parent != nil {
				src, err := b.rawNode(r.Source)
				if err != nil {
					return false, fmt.Errorf("%s as written: %w", r.Key, err)
				}
				parent.Set(last, src)
			}
			continue
		}
		recorded, err := b.rawNode(r.Generated)
		if err != nil {
			return false, fmt.Errorf("%s as generated: %w", r.Key, err)
		}
		if !cfn.Equal(gen, recorded) {
			continue // the user changed what it comes from: the export's
		}
		if r.Source == nil {
			parent.Delete(last)
			continue
		}
		src, err := b.rawNode(r.Source)
		if err != nil {
			return false, fmt.Errorf("%s as written: %w", r.Key, err)
		}
		parent.Set(last, src)
	}
	return true, nil
}

// omitOutputs leaves out the generated outputs an imported source did not
// have (model.Kept.OmittedOutputs) while the export generates the same.
func (b *builder) omitOutputs(outputs *cfn.Value) error {
	for _, k := range b.kept {
		if k == nil {
			continue
		}
		for _, f := range k.OmittedOutputs {
			gen := outputs.Get(f.Key)
			if gen == nil {
				continue
			}
			recorded, err := b.rawNode(f.Value)
			if err != nil {
				return fmt.Errorf("omitted output %s: %w", f.Key, err)
			}
			if cfn.Equal(gen, recorded) {
				outputs.Delete(f.Key)
			}
		}
	}
	return nil
}

// setPath sets the value at a path of object keys, making the objects on
// the way where there are none.
func setPath(obj *cfn.Value, path []string, v *cfn.Value) (parent *cfn.Value) {
	for _, key := range path[:len(path)-1] {
		next := obj.Get(key)
		if next == nil || next.Kind != cfn.Map {
			next = &cfn.Value{Kind: cfn.Map}
			obj.Set(key, next)
		}
		obj = next
	}
	obj.Set(path[len(path)-1], v)
	return obj
}

// others returns the resources an import kept whole, in the stack's order.
func (b *builder) others() (ids []string, nodes []*cfn.Value, err error) {
	for _, o := range b.s.Others {
		n, err := b.rawNode(o.Resource)
		if err != nil {
			return nil, nil, fmt.Errorf("kept resource %s: %w", o.Name, err)
		}
		n.Reorder(resourceOrder)
		ids = append(ids, o.Name)
		nodes = append(nodes, n)
	}
	return ids, nodes, nil
}

// layoutRoot assembles the template: the kept sections around the
// generated Description, Resources and Outputs, in model.SectionOrder, with
// kept outputs after the generated ones.
func (b *builder) layoutRoot(resources, outputs *cfn.Value) (*cfn.Value, error) {
	kept := make(map[string]*cfn.Value, len(b.s.Sections))
	for _, f := range b.s.Sections {
		v, err := b.rawNode(f.Value)
		if err != nil {
			return nil, fmt.Errorf("kept section %s: %w", f.Key, err)
		}
		kept[f.Key] = v
	}
	if k := kept["Outputs"]; k != nil && k.Kind == cfn.Map {
		for i, key := range k.Keys {
			k.Items[i].Reorder(outputOrder)
			outputs.Set(key, k.Items[i])
		}
	}
	root := &cfn.Value{Kind: cfn.Map}
	version := kept["AWSTemplateFormatVersion"]
	if version == nil {
		version = cfn.Str("2010-09-09")
	}
	root.Set("AWSTemplateFormatVersion", version)
	root.Set("Description", cfn.Str(b.description))
	if ps := parametersNode(b.s, kept["Parameters"]); ps != nil {
		kept["Parameters"] = ps
	}
	for _, section := range model.SectionOrder {
		switch section {
		case "AWSTemplateFormatVersion", "Outputs":
		default:
			if v := kept[section]; v != nil {
				root.Set(section, v)
			}
		}
	}
	root.Set("Resources", resources)
	if len(outputs.Keys) > 0 {
		root.Set("Outputs", outputs)
	}
	return root, nil
}
