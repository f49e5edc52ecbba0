package importer_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// userChange is one change a user makes to an imported corpus stack on the
// canvas, through store.Edit as the server makes it, and what the export
// must then say.
type userChange struct {
	name, corpus string
	edit         func(t *testing.T, s *model.Stack) error
	check        func(t *testing.T, s *model.Stack, before, after map[string]any)
	// role is the logical ID of the role the change must reach on moto, and
	// policy the inline policy it must hold there.
	role, policy string
	// sourcePolicy is an inline policy the source gave that role.
	sourcePolicy string
}

// importAndEdit imports a corpus stack into a real store, exports it,
// makes the change through store.Edit and exports again.
func importAndEdit(t *testing.T, c userChange) (edited *model.Stack, before, after []byte) {
	t.Helper()
	file := filepath.Join(corpusDir, c.corpus)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := importer.Parse(file, data)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	res.Stack.Name = importer.SuggestName(res, file)
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.Path(t, "keptgrants.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	created, err := st.CreateStack(ctx, res.Stack)
	if err != nil {
		t.Fatalf("store the import: %v", err)
	}
	want, err := export.JSON(res.Stack)
	if err != nil {
		t.Fatal(err)
	}
	if before, err = export.JSON(created); err != nil {
		t.Fatal(err)
	}
	if string(before) != string(want) {
		t.Fatalf("the stored import exports otherwise than the import:\n%s", lineDiff(string(want), string(before)))
	}
	edited, _, err = st.Edit(ctx, created.ID, created.Revision, func(s *model.Stack) error { return c.edit(t, s) })
	if err != nil {
		t.Fatalf("edit: %v", err)
	}
	if after, err = export.JSON(edited); err != nil {
		t.Fatalf("export after the edit: %v", err)
	}
	return edited, before, after
}

// wireTo adds a wire as the canvas does.
func wireTo(s *model.Stack, kind model.WireKind, from, to string) *model.Wire {
	w := &model.Wire{ID: s.NewID("w"), Kind: kind, From: from, To: to}
	s.Wires = append(s.Wires, w)
	return w
}

func functionNamed(t *testing.T, s *model.Stack, name string) *model.Function {
	t.Helper()
	for _, f := range s.Functions {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no function %s", name)
	return nil
}

// grantPolicies returns the AWS::IAM::Policy resources attached by Ref to
// the role.
func grantPolicies(tpl map[string]any, role string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range resourcesOf(tpl) {
		if typeOf(r) != "AWS::IAM::Policy" {
			continue
		}
		roles, _ := propsOf(r)["Roles"].([]any)
		if len(roles) == 1 && compact(roles[0]) == compact(map[string]any{"Ref": role}) {
			out[id] = r
		}
	}
	return out
}

// statementsOf lists a policy's statements as Action and Resource.
func statementsOf(policy map[string]any) []map[string]any {
	doc, _ := propsOf(policy)["PolicyDocument"].(map[string]any)
	list, _ := doc["Statement"].([]any)
	var out []map[string]any
	for _, s := range list {
		m, _ := s.(map[string]any)
		out = append(out, m)
	}
	return out
}

func actionsOf(st map[string]any) []string {
	var out []string
	list, _ := st["Action"].([]any)
	for _, a := range list {
		s, _ := a.(string)
		out = append(out, s)
	}
	return out
}

// keptGrantChanges are what a user adds to a function whose role an import
// kept: the Serverless Framework's shared IamRoleLambdaExecution, and a SAM
// function's own role whose policies SAM wrote.
var keptGrantChanges = []userChange{{
	name:   "serverless shared role, a new table read-write",
	corpus: "sls-websockets-authorizers/serverless.yml",
	role:   "IamRoleLambdaExecution", policy: "DefaultGrants", sourcePolicy: "websocket-authorizer-example-dev-lambda",
	edit: func(t *testing.T, s *model.Stack) error {
		id, err := s.AddNode(model.KindTable, model.Position{X: 400, Y: 400})
		if err != nil {
			return err
		}
		s.Table(id).Name = "Messages"
		wireTo(s, model.WireReadWrite, functionNamed(t, s, "Default").ID, id)
		return nil
	},
	check: func(t *testing.T, s *model.Stack, before, after map[string]any) {
		pols := grantPolicies(after, "IamRoleLambdaExecution")
		p := pols["DefaultLambdaFunctionGrants"]
		if len(pols) != 1 || p == nil {
			t.Fatalf("want one policy DefaultLambdaFunctionGrants on IamRoleLambdaExecution, got %v", slices.Sorted(mapsKeys(pols)))
		}
		sts := statementsOf(p)
		if len(sts) != 1 || !slices.Equal(actionsOf(sts[0]), model.TableReadWriteActions) {
			t.Errorf("the policy grants %s; want the read-write wire's grant, %v", compact(sts), model.TableReadWriteActions)
		}
		if res := compact(sts[0]["Resource"]); !strings.Contains(res, `"Messages"`) {
			t.Errorf("the grant is on %s, not the Messages table", res)
		}
		// The Framework's other functions and the shared role are as they were.
		if b, a := compact(resourcesOf(before)["IamRoleLambdaExecution"]), compact(resourcesOf(after)["IamRoleLambdaExecution"]); a != b {
			t.Errorf("the kept role changed:\n%s", lineDiff(b, a))
		}
	},
}, {
	name:   "SAM function's own role, a new send wire",
	corpus: "simple-websockets-chat-app/template.yaml",
	role:   "OnConnectFunctionRole", policy: "OnConnectFunctionGrants", sourcePolicy: "OnConnectFunctionRolePolicy0",
	edit: func(t *testing.T, s *model.Stack) error {
		wireTo(s, model.WireSend, functionNamed(t, s, "OnConnectFunction").ID, s.APIs[0].ID)
		return nil
	},
	check: sendGranted("OnConnectFunctionRole", "OnConnectFunctionGrants"),
}, {
	// The wires say every grant of this role's policies, which the
	// export writes as SAM wrote them while they are as imported.
	name:   "SAM function's own role written as imported, a new send wire",
	corpus: "websocket-api-lambda/template.yml",
	role:   "OnConnectLambdaFunctionRole", policy: "OnConnectGrants", sourcePolicy: "OnConnectLambdaFunctionRolePolicy0",
	edit: func(t *testing.T, s *model.Stack) error {
		wireTo(s, model.WireSend, functionNamed(t, s, "OnConnect").ID, s.APIs[0].ID)
		return nil
	},
	check: sendGranted("OnConnectLambdaFunctionRole", "OnConnectLambdaFunctionGrants"),
}}

// sendGranted checks that a send wire's grant, and only it, is a policy of
// its own on the role, and that the role is written as before: what the
// source granted the imported wires is not widened.
func sendGranted(role, policy string) func(t *testing.T, s *model.Stack, before, after map[string]any) {
	return func(t *testing.T, s *model.Stack, before, after map[string]any) {
		pols := grantPolicies(after, role)
		p := pols[policy]
		if len(pols) != 1 || p == nil {
			t.Fatalf("want one policy %s on %s, got %v", policy, role, slices.Sorted(mapsKeys(pols)))
		}
		sts := statementsOf(p)
		if len(sts) != 1 || !slices.Equal(actionsOf(sts[0]), model.SendActions) {
			t.Errorf("the policy grants %s; want only the send wire's %v", compact(sts), model.SendActions)
		}
		if b, a := compact(resourcesOf(before)[role]), compact(resourcesOf(after)[role]); a != b {
			t.Errorf("the imported role changed:\n%s", lineDiff(b, a))
		}
	}
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestUserChangesToImportsDeploy: what a user changes in an imported
// corpus stack reaches AWS: a wire's grant (wireAddedToKeptRoleGrants), a
// route change (routeChangeRedeploys). Each export lints no worse than the
// unchanged one, in one cfn-lint run (it takes seconds to start).
func TestUserChangesToImportsDeploy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var stacks []corpusStack
	var results []*corpusResult
	lint := func(name, corpus string, before, after []byte) {
		r := &corpusResult{originalFile: filepath.Join(dir, fmt.Sprintf("%d-before.json", len(results))), exportedFile: filepath.Join(dir, fmt.Sprintf("%d-after.json", len(results)))}
		for f, data := range map[string][]byte{r.originalFile: before, r.exportedFile: after} {
			if err := os.WriteFile(f, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		stacks = append(stacks, corpusStack{name: name, file: filepath.Join(corpusDir, corpus)})
		results = append(results, r)
	}
	t.Run("grants", func(t *testing.T) { wireAddedToKeptRoleGrants(t, lint) })
	t.Run("routes", func(t *testing.T) { routeChangeRedeploys(t, lint) })
	lintCorpus(t, stacks, results, false)
}

// wireAddedToKeptRoleGrants: a wire the user draws from a function whose
// role an import kept grants what it needs, in a policy of its own
// attached to that role, and nothing the source granted changes; the
// export deploys on moto with the policy on the role.
func wireAddedToKeptRoleGrants(t *testing.T, lint func(name, corpus string, before, after []byte)) {
	type deployment struct {
		c     userChange
		after map[string]any
	}
	var deploys []deployment
	for i, c := range keptGrantChanges {
		s, before, after := importAndEdit(t, c)
		b, a := readTemplate(t, "before.json", before), readTemplate(t, "after.json", after)
		t.Run(c.name, func(t *testing.T) { c.check(t, s, b, a) })
		lint(fmt.Sprintf("grants%d", i), c.corpus, before, after)
		deploys = append(deploys, deployment{c, a})
	}
	t.Run("moto", func(t *testing.T) {
		if testing.Short() {
			t.Skip("deploying to moto takes seconds; skipped with -short")
		}
		for i, d := range deploys {
			t.Run(d.c.role, func(t *testing.T) {
				t.Parallel()
				tpl := d.after
				if isSAM(tpl) {
					tpl = expandSAM(t, tpl)
				}
				m := &moto{t: t, api: testtool.MotoAPI{URL: testtool.StartMoto(t, "a grant added to a kept role deploys")}, bucket: "keptgrants-" + string(rune('a'+i))}
				m.put("/"+m.bucket, nil)
				if got := m.deploy("edited", tpl); got != "CREATE_COMPLETE" {
					t.Fatalf("the edited export deploys only to %s", got)
				}
				// The grant sits on the role beside what the source
				// gave it.
				roles := m.rolePolicies()
				found := false
				for _, pols := range roles {
					found = found || slices.Contains(pols, d.c.policy) && slices.Contains(pols, d.c.sourcePolicy)
				}
				if !found {
					t.Errorf("no role holds %s beside %s on moto: %v", d.c.policy, d.c.sourcePolicy, roles)
				}
			})
		}
	})
}

// rolePolicies maps each role of the moto account to its inline
// policies' names. (moto fails DescribeStackResources on a stack with
// ApiGatewayV2 resources, which it skips, so roles are found through IAM.)
func (m *moto) rolePolicies() map[string][]string {
	m.t.Helper()
	iam := func(form url.Values, into any) {
		if err := m.api.Query(context.Background(), "iam", "2010-05-08", form, into); err != nil {
			m.t.Fatal(err)
		}
	}
	var roles struct {
		Names []string `xml:"ListRolesResult>Roles>member>RoleName"`
	}
	iam(url.Values{"Action": {"ListRoles"}}, &roles)
	out := map[string][]string{}
	for _, name := range roles.Names {
		var listed struct {
			Names []string `xml:"ListRolePoliciesResult>PolicyNames>member"`
		}
		iam(url.Values{"Action": {"ListRolePolicies"}, "RoleName": {name}}, &listed)
		out[name] = listed.Names
	}
	return out
}

// TestWireToOutsideRoleIsRefused: a function whose Role is an ARN of a
// role outside the stack has nowhere to attach a new wire's grant, so the
// wire is refused with the reason rather than left to fail on AWS; the
// import itself, whose grants that role holds, is kept as it is.
func TestWireToOutsideRoleIsRefused(t *testing.T) {
	t.Parallel()
	src := `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  ConnectRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: $connect, Target: !Sub "integrations/${ConnectInteg}"}
  ConnectInteg:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Connect.Arn}/invocations
  Connect:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Code: src
      Role: arn:aws:iam::123456789012:role/shared-lambda
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
`
	res, err := importer.Parse("template.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res.Stack.Name = "outside"
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.Path(t, "outside.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	created, err := st.CreateStack(ctx, res.Stack)
	if err != nil {
		t.Fatalf("store the import: %v", err)
	}
	if _, err := export.JSON(created); err != nil {
		t.Fatalf("the import exports: %v", err)
	}
	_, _, err = st.Edit(ctx, created.ID, created.Revision, func(s *model.Stack) error {
		wireTo(s, model.WireRead, functionNamed(t, s, "Connect").ID, s.Tables[0].ID)
		return nil
	})
	var invalid *model.ValidationError
	if !errors.As(err, &invalid) || len(invalid.Problems) != 1 || !strings.Contains(invalid.Problems[0].Message, "not a role of this stack") {
		t.Fatalf("the wire is not refused for the outside role: %v", err)
	}
	t.Log(invalid.Problems[0].Message)
}

// deploymentOf returns the logical ID of the deployment the stage of the
// template deploys, and the deployment.
func deploymentOf(t *testing.T, tpl map[string]any, stage string) (string, map[string]any) {
	t.Helper()
	ref, _ := propsOf(resourcesOf(tpl)[stage])["DeploymentId"].(map[string]any)
	id, _ := ref["Ref"].(string)
	d := resourcesOf(tpl)[id]
	if typeOf(d) != "AWS::ApiGatewayV2::Deployment" {
		t.Fatalf("stage %s deploys %v, no deployment of the template", stage, ref)
	}
	return id, d
}

func dependsOn(r map[string]any) []string {
	var out []string
	switch d := r["DependsOn"].(type) {
	case string:
		out = append(out, d)
	case []any:
		for _, x := range d {
			s, _ := x.(string)
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// routeChanges are route changes a user makes to an imported API deployed
// by its own Deployment: the Framework's WebsocketsDeployment<hash>, and a
// SAM template's Deployment that DependsOn its routes.
var routeChanges = []struct {
	userChange
	stage string
	// routes are the route logical IDs the new deployment must wait for.
	routes []string
}{{
	userChange: userChange{
		name: "serverless, a route added", corpus: "sls-websockets-authorizers/serverless.yml",
		edit: func(t *testing.T, s *model.Stack) error {
			a := s.APIs[0]
			r := &model.Route{ID: s.NewID("rt"), Key: "send"}
			a.Routes = append(a.Routes, r)
			wireTo(s, model.WireIntegration, r.ID, functionNamed(t, s, "Default").ID)
			return nil
		},
	},
	stage:  "WebsocketsDeploymentStage",
	routes: []string{"SconnectWebsocketsRoute", "SdefaultWebsocketsRoute", "WebsocketsApiSendRoute"},
}, {
	userChange: userChange{
		name: "SAM, a route rekeyed", corpus: "simple-websockets-chat-app/template.yaml",
		edit: func(t *testing.T, s *model.Stack) error {
			for _, r := range s.APIs[0].Routes {
				if r.Key == "sendmessage" {
					r.Key = "send"
					return nil
				}
			}
			t.Fatal("no route sendmessage")
			return nil
		},
	},
	stage:  "Stage",
	routes: []string{"ConnectRoute", "DisconnectRoute", "SendRoute"},
}, {
	userChange: userChange{
		name: "SAM, a route removed", corpus: "simple-websockets-chat-app/template.yaml",
		edit: func(t *testing.T, s *model.Stack) error {
			a := s.APIs[0]
			for i, r := range a.Routes {
				if r.Key == "$disconnect" {
					a.Routes = slices.Delete(a.Routes, i, i+1)
					s.Wires = slices.DeleteFunc(s.Wires, func(w *model.Wire) bool { return w.From == r.ID })
					return nil
				}
			}
			t.Fatal("no route $disconnect")
			return nil
		},
	},
	stage:  "Stage",
	routes: []string{"ConnectRoute", "SendRoute"},
}}

// routeChangeRedeploys: after a route of an imported API is added,
// rekeyed or removed, the stage deploys a deployment of a new logical ID
// (CloudFormation creates it after every route and points the stage at
// it), so the change goes live; the unchanged import keeps its deployment
// (importAndEdit checks its export is as before).
func routeChangeRedeploys(t *testing.T, lint func(name, corpus string, before, after []byte)) {
	for i, c := range routeChanges {
		_, before, after := importAndEdit(t, c.userChange)
		b, a := readTemplate(t, "before.json", before), readTemplate(t, "after.json", after)
		t.Run(c.name, func(t *testing.T) {
			oldID, _ := deploymentOf(t, b, c.stage)
			newID, d := deploymentOf(t, a, c.stage)
			if newID == oldID {
				t.Fatalf("the stage still deploys %s, made before the change", oldID)
			}
			if resourcesOf(a)[oldID] != nil {
				t.Errorf("the old deployment %s is still written", oldID)
			}
			if got := dependsOn(d); !slices.Equal(got, c.routes) {
				t.Errorf("deployment %s waits for %v; want every route, %v", newID, got, c.routes)
			}
			// The same change exports the same name: deploying it again
			// changes nothing.
			_, _, again := importAndEdit(t, c.userChange)
			if againID, _ := deploymentOf(t, readTemplate(t, "again.json", again), c.stage); againID != newID {
				t.Errorf("the same change names the deployment %s, then %s", newID, againID)
			}
		})
		lint(fmt.Sprintf("routes%d", i), c.corpus, before, after)
	}
}

// TestEditedExportRoundTrips: the export of an edited import reads back
// (the Template tab's Apply, import --replace) and exports byte for byte
// the same; the grant policy comes back as the wire's, not as a resource
// kept whole, so removing the wire then removes it.
func TestEditedExportRoundTrips(t *testing.T) {
	t.Parallel()
	changes := slices.Clone(keptGrantChanges)
	for _, c := range routeChanges {
		changes = append(changes, c.userChange)
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			_, _, after := importAndEdit(t, c)
			res, err := importer.Parse("template.json", after)
			if err != nil {
				t.Fatal(err)
			}
			res.Stack.Name = "again"
			again, err := export.JSON(res.Stack)
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(after) {
				t.Fatalf("the edited export reads back otherwise:\n%s", lineDiff(string(after), string(again)))
			}
			if c.policy == "" {
				return
			}
			for _, o := range res.Stack.Others {
				if o.Type == "AWS::IAM::Policy" && strings.HasSuffix(o.Name, "Grants") {
					t.Errorf("the grant policy %s is kept whole, not as its wire's", o.Name)
				}
			}
			// The wire the change added is the last; without it, no grant.
			s := res.Stack
			added := slices.IndexFunc(s.Wires, func(w *model.Wire) bool {
				f := s.Function(w.From)
				return f != nil && !f.GrantedAtImport(w) && (w.Kind == model.WireSend || w.Kind == model.WireReadWrite)
			})
			if added < 0 {
				t.Fatal("no wire reads back as the one the user added")
			}
			s.Wires = slices.Delete(s.Wires, added, added+1)
			out, err := export.JSON(s)
			if err != nil {
				t.Fatal(err)
			}
			if pols := grantPolicies(readTemplate(t, "removed.json", out), c.role); len(pols) != 0 {
				t.Errorf("the wire is removed, but its grant stays: %v", slices.Sorted(mapsKeys(pols)))
			}
		})
	}
}
