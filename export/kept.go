package export

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/model"
)

// What an import kept (model.Kept, model.Other, Stack.Sections) is written
// back here, onto the tree, so a template that went through Switchboard
// keeps what Switchboard does not model. Kept values are JSON with
// intrinsics in their long form; parseLongForm makes them nodes, which YAML
// writes in the short form.

// rawNode reads a kept JSON value.
func (b *builder) rawNode(raw json.RawMessage) (*node, error) {
	b.size += len(raw)
	return parseLongForm(raw)
}

// applyKept writes a kept part onto its resource: attributes beside Type
// and Properties, properties into Properties, each replacing what the export
// generated under the same key. A property key may be a dotted path into a
// map the export fills, such as Environment.Variables.STAGE.
func (b *builder) applyKept(res *node, k *model.Kept) error {
	for _, f := range k.Attributes {
		v, err := b.rawNode(f.Value)
		if err != nil {
			return fmt.Errorf("kept attribute %s: %w", f.Key, err)
		}
		res.set(f.Key, v)
	}
	if len(k.Properties) > 0 {
		props := res.get("Properties")
		if props == nil {
			props = &node{kind: kindObject}
			res.set("Properties", props)
		}
		for _, f := range k.Properties {
			v, err := b.rawNode(f.Value)
			if err != nil {
				return fmt.Errorf("kept property %s: %w", f.Key, err)
			}
			setPath(props, strings.Split(f.Key, "."), v)
		}
		// goformation writes properties alphabetically; kept ones join
		// them in that order.
		sortKeys(props)
	}
	res.reorder(resourceOrder)
	return nil
}

// setPath sets the value at a path of object keys, making the objects on
// the way where there are none.
func setPath(obj *node, path []string, v *node) {
	for _, key := range path[:len(path)-1] {
		next := obj.get(key)
		if next == nil || next.kind != kindObject {
			next = &node{kind: kindObject}
			obj.set(key, next)
		}
		obj = next
	}
	obj.set(path[len(path)-1], v)
}

// sortKeys sorts an object's keys, keeping each value with its key.
func sortKeys(n *node) {
	order := slices.Clone(n.keys)
	slices.Sort(order)
	n.reorder(order)
}

// others returns the resources an import kept whole, in the stack's order.
func (b *builder) others() (ids []string, nodes []*node, err error) {
	for _, o := range b.s.Others {
		n, err := b.rawNode(o.Resource)
		if err != nil {
			return nil, nil, fmt.Errorf("kept resource %s: %w", o.Name, err)
		}
		n.reorder(resourceOrder)
		ids = append(ids, o.Name)
		nodes = append(nodes, n)
	}
	return ids, nodes, nil
}

// layoutRoot assembles the template: the kept sections around the
// generated Description, Resources and Outputs, in model.SectionOrder, with
// kept outputs after the generated ones.
func (b *builder) layoutRoot(resources, outputs *node) (*node, error) {
	kept := make(map[string]*node, len(b.s.Sections))
	for _, f := range b.s.Sections {
		v, err := b.rawNode(f.Value)
		if err != nil {
			return nil, fmt.Errorf("kept section %s: %w", f.Key, err)
		}
		kept[f.Key] = v
	}
	if k := kept["Outputs"]; k != nil && k.kind == kindObject {
		for i, key := range k.keys {
			k.items[i].reorder(outputOrder)
			outputs.set(key, k.items[i])
		}
	}
	root := &node{kind: kindObject}
	version := kept["AWSTemplateFormatVersion"]
	if version == nil {
		version = stringNode("2010-09-09")
	}
	root.set("AWSTemplateFormatVersion", version)
	root.set("Description", stringNode(b.description))
	for _, section := range model.SectionOrder {
		switch section {
		case "AWSTemplateFormatVersion", "Outputs":
		default:
			if v := kept[section]; v != nil {
				root.set(section, v)
			}
		}
	}
	root.set("Resources", resources)
	if len(outputs.keys) > 0 {
		root.set("Outputs", outputs)
	}
	return root, nil
}
