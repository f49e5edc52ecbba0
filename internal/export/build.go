package export

import (
	"encoding/json"
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// builder collects the template and how to lay it out.
type builder struct {
	s *model.Stack
	// size adds up the text encoded so far, a close guess at the size of
	// the written template, so writers allocate once.
	size int
	// Slabs the encoder allocates nodes and their slices from.
	slab     []cfn.Value
	keySlab  []string
	itemSlab []*cfn.Value
	// The sizes of the last slabs: each is twice the last, up to a limit.
	slabSize, keySlabSize, itemSlabSize int

	description string
	resources   []cloudformation.Resource
	// fns is, parallel to resources, the intrinsic functions set on each.
	fns [][]propertyFn
	// kept is, parallel to resources, what an import kept of each, or nil;
	// owners says which part of which object each is.
	kept    []*model.Kept
	owners  []Part
	outputs []cloudformation.Output
	// resourceIDs and outputNames are the written order: per API its API,
	// authorizer, routes (route, integration, route response, permission)
	// and stage; per function its role, log group and function; then tables.
	resourceIDs []string
	outputNames []string
	// codePaths maps each function's logical ID to its code folder.
	codePaths map[string]string

	// index makes a large stack build in linear time.
	index *model.Index
	// draft is set for a stack not validated (Resources): an import asks
	// before it has the resources it keeps whole, such as a shared role.
	draft bool
}

// add adds a resource, the part of the object whose Kept is kept, with the
// intrinsic functions its properties hold. What an import kept of the part is
// written onto it in the tree.
func (b *builder) add(id string, r cloudformation.Resource, object string, kept []model.Kept, part string, fns ...propertyFn) {
	b.resources = append(b.resources, r)
	b.fns = append(b.fns, fns)
	b.resourceIDs = append(b.resourceIDs, id)
	b.kept = append(b.kept, model.KeptPart(kept, part))
	b.owners = append(b.owners, Part{object, part})
}

// The logical IDs of a stack's resources: the source's, for a resource an
// import kept one of, else the one Switchboard generates.
func apiID(a *model.API) string { return model.KeptLogicalID(a.Kept, model.PartMain, a.Name) }
func functionID(f *model.Function) string {
	return model.KeptLogicalID(f.Kept, model.PartMain, f.Name)
}
func tableID(t *model.Table) string { return model.KeptLogicalID(t.Kept, model.PartMain, t.Name) }
func stageID(a *model.API) string {
	return model.KeptLogicalID(a.Kept, model.PartStage, a.StageLogicalID())
}

func (b *builder) output(name, description string, value *cfn.Value) {
	b.outputs = append(b.outputs, cloudformation.Output{Description: cloudformation.String(description), Value: value})
	b.outputNames = append(b.outputNames, name)
}

// build validates the stack and builds its resources. A draft is not
// validated: a route without its handler, say, gets no integration.
func build(s *model.Stack, draft bool) (*builder, error) {
	if s == nil {
		return nil, model.Errorf(model.EINVALID, "export: no stack")
	}
	if err := s.CheckShape(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if !draft {
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("export: stack %q: %w", s.Name, err)
		}
	}
	b := &builder{
		s:           s,
		description: s.Description,
		codePaths:   make(map[string]string, len(s.Functions)),
		index:       model.NewIndex(s),
		draft:       draft,
	}
	// Room for every resource and output, so the lists never regrow.
	resources, outputs := 0, 0
	for _, k := range model.Kinds() {
		r, o := kindBuilders[k.Kind].room(s)
		resources, outputs = resources+r, outputs+o
	}
	b.resources, b.resourceIDs = make([]cloudformation.Resource, 0, resources), make([]string, 0, resources)
	b.fns = make([][]propertyFn, 0, resources)
	b.kept, b.owners = make([]*model.Kept, 0, resources), make([]Part, 0, resources)
	b.outputs, b.outputNames = make([]cloudformation.Output, 0, outputs), make([]string, 0, outputs)
	if b.description == "" {
		b.description = fmt.Sprintf("Switchboard stack %s: WebSocket APIs on API Gateway with their Lambda functions", s.Name)
	}
	for _, k := range model.Kinds() {
		kindBuilders[k.Kind].build(b)
	}
	return b, nil
}

// invokeURI is the URI API Gateway calls a Lambda function through.
func (b *builder) invokeURI(fn string) *cfn.Value {
	return b.sub(model.InvokeURISub(fn))
}

// connectionsURL is the @connections management endpoint of an API's stage,
// built from a Ref of the API, not a GetAtt: moto fails stacks that GetAtt
// ApiGatewayV2 resources. stage is what names the stage: a Ref of it for
// outputs, its literal name for functions (see stageName).
func (b *builder) connectionsURL(a *model.API, stage string) *cfn.Value {
	return b.sub(model.ConnectionsURLSub(apiID(a), stage))
}

// stageName is how a function's environment and role name an API's stage:
// literally, not by Ref. The stage depends on the routes, a route on its
// function, so a function that both handles a route and sends to the same
// API would close a dependency cycle (cfn-lint E3004) if it referenced the
// stage. The name is known before deployment, so nothing is lost.
//
// An imported stage may keep its own StageName: a literal, or a Ref to a
// parameter, which ${…} names as well.
func stageName(a *model.API) string {
	switch v := keptProperty(a.Kept, model.PartStage, "StageName").(type) {
	case string:
		return v
	case map[string]any:
		if name, ok := v["Ref"].(string); ok && len(v) == 1 {
			return "${" + name + "}"
		}
	}
	return a.StageName
}

// shapingProperties are the kept properties that change what the export
// generates, not only what is written over it: the only ones keptProperty
// is asked for.
var shapingProperties = map[[2]string]bool{
	{model.PartMain, "Role"}:          true,
	{model.PartMain, "RoleArn"}:       true,
	{model.PartStage, "StageName"}:    true,
	{model.PartStage, "DeploymentId"}: true,
}

// Shapes reports whether a property an import keeps on a part changes what
// Resources returns: a kept Role leaves a function without a generated
// role, a kept StageName names the stage in URLs and ARNs. Other kept
// properties are only written over what it returns.
func Shapes(part, key string) bool { return shapingProperties[[2]string{part, key}] }

// keptProperty returns the decoded value of a property an import kept on a
// part, or nil. It may only be asked for shapingProperties.
func keptProperty(kept []model.Kept, part, key string) any {
	if !Shapes(part, key) {
		panic("export: keptProperty of " + part + " " + key + ", which is not listed in shapingProperties")
	}
	k := model.KeptPart(kept, part)
	if k == nil {
		return nil
	}
	for _, f := range k.Properties {
		if f.Key == key {
			var v any
			if json.Unmarshal(f.Value, &v) == nil && v != nil {
				return v
			}
		}
	}
	return nil
}
