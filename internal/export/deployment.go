package export

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// An imported API may be deployed by its own AWS::ApiGatewayV2::Deployment
// (the Serverless Framework's WebsocketsDeployment<hash>, a SAM or
// CloudFormation one that DependsOn its routes), which its stage names in
// DeploymentId instead of auto-deploying. CloudFormation updates such a
// deployment only when its properties change, and a new DependsOn is no
// change: after a route is added, removed or rekeyed the stage would keep
// serving the deployment made before. A new logical ID is what makes
// CloudFormation create a new deployment (after the routes it DependsOn),
// point the stage at it and delete the old one; it is what the Framework
// does, naming the deployment after a hash of the API's resources. So
// while an API's routes, integrations and route responses are written as
// they were at import (model.Kept.DeployedRoutes), the deployment is kept
// as it is; after a change it is written under its name with the digest of
// the routes in place of the old suffix, depending on every route.

// RoutesDigests returns, for each API whose stage an import deploys by its
// own Deployment, the digest of its routes as the export writes them: what
// the import records in the stage's model.Kept.DeployedRoutes.
func RoutesDigests(s *model.Stack) (map[string]string, error) {
	b, err := build(s, true)
	if err != nil {
		return nil, err
	}
	root, err := b.tree()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, a := range s.APIs {
		if deploymentRef(a) != "" {
			out[a.ID] = b.routesDigest(a, root.Get("Resources"))
		}
	}
	return out, nil
}

// deploymentRef is the logical ID a kept stage's DeploymentId refers to,
// or "".
func deploymentRef(a *model.API) string {
	v, ok := keptProperty(a.Kept, model.PartStage, "DeploymentId").(map[string]any)
	if !ok || len(v) != 1 {
		return ""
	}
	id, _ := v["Ref"].(string)
	return id
}

// deployedParts are the parts of a route that a deployment takes a
// snapshot of.
var deployedParts = []string{model.PartRoute, model.PartIntegration, model.PartRouteResponse, model.PartIntegrationResponse}

// routesDigest hashes the API's routes, integrations and route responses
// as written, with their logical IDs, in the export's order.
func (b *builder) routesDigest(a *model.API, resources *cfn.Value) string {
	routes := make(map[string]bool, len(a.Routes))
	for _, r := range a.Routes {
		routes[r.ID] = true
	}
	h := sha256.New()
	for i, o := range b.owners {
		if !routes[o.Object] || !slices.Contains(deployedParts, o.Part) {
			continue
		}
		id := b.resourceIDs[i]
		n := resources.Get(id)
		if n == nil {
			continue // left out, as the source had none
		}
		h.Write([]byte(id))
		h.Write([]byte{0})
		h.Write(cfn.WriteJSON(n, 0))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// digestSuffix is the suffix a deployment's logical ID has when this file
// named it, or the Framework's hash after WebsocketsDeployment.
var (
	digestSuffix    = regexp.MustCompile(`[0-9a-f]{12}$`)
	frameworkSuffix = regexp.MustCompile(`^(WebsocketsDeployment)[A-Za-z0-9]+$`)
)

// redeploy renames the deployment of each API whose routes changed since
// the import, and points every Ref of it in the template at the new name.
func (b *builder) redeploy(root *cfn.Value) {
	resources := root.Get("Resources")
	for _, a := range b.s.APIs {
		stage := model.KeptPart(a.Kept, model.PartStage)
		old := deploymentRef(a)
		if stage == nil || stage.DeployedRoutes == "" || old == "" {
			continue
		}
		i := resources.Find(old)
		if i < 0 {
			continue
		}
		if typ, _ := resources.Items[i].Get("Type").Str(); typ != "AWS::ApiGatewayV2::Deployment" {
			continue
		}
		digest := b.routesDigest(a, resources)
		if digest == stage.DeployedRoutes {
			continue
		}
		base := old
		if m := frameworkSuffix.FindStringSubmatch(old); m != nil {
			base = m[1]
		} else if digestSuffix.MatchString(old) && len(old) > 12 {
			base = old[:len(old)-12]
		}
		base = base[:min(len(base), model.MaxLogicalIDLength-12)]
		renamed := base + digest[:12]
		if resources.Find(renamed) >= 0 {
			continue
		}
		dep := resources.Items[i].Clone()
		resources.Items[i] = dep
		resources.Keys = slices.Clone(resources.Keys)
		resources.Keys[i] = renamed
		resources.Reorder(resources.Keys) // rebuilds the key index
		// The new deployment is made after every route it must hold;
		// what else it waited for and still exists it still waits for.
		var after []*cfn.Value
		routeIDs := b.routeIDs(a, resources)
		var waits []*cfn.Value
		if v := dep.Get("DependsOn"); v != nil && v.Kind == cfn.List {
			waits = v.Items
		} else if v != nil {
			waits = []*cfn.Value{v}
		}
		for _, d := range waits {
			if s, ok := d.Str(); ok && resources.Get(s) != nil && !slices.Contains(routeIDs, s) {
				after = append(after, cfn.Str(s))
			}
		}
		for _, id := range routeIDs {
			after = append(after, cfn.Str(id))
		}
		if len(after) > 0 {
			dep.Set("DependsOn", cfn.ListOf(after...))
		} else {
			dep.Delete("DependsOn")
		}
		dep.Reorder(resourceOrder)
		root.Walk(func(v *cfn.Value) {
			if v.RefTo() == old {
				v.Items[0] = cfn.Str(renamed)
			}
		})
	}
}

// routeIDs lists the logical IDs of the API's routes written.
func (b *builder) routeIDs(a *model.API, resources *cfn.Value) []string {
	routes := make(map[string]bool, len(a.Routes))
	for _, r := range a.Routes {
		routes[r.ID] = true
	}
	var out []string
	for i, o := range b.owners {
		if routes[o.Object] && o.Part == model.PartRoute && resources.Get(b.resourceIDs[i]) != nil {
			out = append(out, b.resourceIDs[i])
		}
	}
	return out
}
