package importer_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/importer"
)

// compiledTemplate is the Serverless Framework's own compilation of the
// serverless.yml beside it (see the SOURCES file there).
const compiledTemplate = "cloudformation-template-update-stack.json"

// serverlessReferences are the serverless.yml files with the Framework's
// compiled template beside them.
var serverlessReferences = []string{
	"testdata/corpus/sls-websockets-authorizers/serverless.yml",
	"testdata/serverless/serverless.yml",
	"testdata/serverless/twoway/serverless.yml",
	"testdata/serverless/settings/serverless.yml",
}

// frameworkOnly are the resources of the Framework's template the export
// leaves out on purpose, each with the import's note that says so.
var frameworkOnly = []frameworkPart{
	{
		// A version's logical ID (and CodeSha256) is the hash of the
		// artifact the Framework zips, which depends on the files and the
		// time of packaging, not on the serverless.yml.
		why: "a function version named after the artifact's hash", note: "function versions",
		is: func(_, typ string) bool { return typ == "AWS::Lambda::Version" },
	},
	{
		// An http event's REST API (ApiGatewayDeployment<timestamp>…):
		// Switchboard designs WebSocket APIs.
		why: "an http event's REST API", note: "http events are not imported",
		is: func(id, typ string) bool {
			return strings.HasPrefix(typ, "AWS::ApiGateway::") || strings.HasSuffix(id, "LambdaPermissionApiGateway")
		},
	},
}

type frameworkPart struct {
	why  string
	note string
	is   func(id, typ string) bool
}

// physicalNames are the properties that name a resource in AWS: changing
// one replaces the resource.
var physicalNames = []string{"FunctionName", "RoleName", "Name", "LogGroupName", "StageName", "BucketName", "TableName", "RouteKey", "Path"}

// functionSettings are the function properties the Framework compiles
// from a serverless.yml's settings, compared besides the names. Code and
// Handler are not: the Framework's are its artifact in its bucket and the
// handler's path in it, Switchboard's the code folder and the handler in it.
var functionSettings = []string{"Runtime", "MemorySize", "Timeout", "Architectures", "Description", "Environment", "Tags",
	"VpcConfig", "TracingConfig", "KmsKeyArn", "DeadLetterConfig", "EphemeralStorage", "ReservedConcurrentExecutions", "Layers", "FileSystemConfigs"}

// TestServerlessCompiledNames: a serverless.yml's export has the logical
// IDs, physical names, IAM statements (per role and policy), Lambda
// permissions and function settings of the template the Serverless Framework 3.40.0 compiles
// from it (committed beside it), so deploying the export updates a stack
// `sls deploy` created instead of replacing its resources. Where the
// Framework's template depends on the time or the artifact of packaging,
// not on the serverless.yml, it is left out (frameworkOnly) and the import
// says so in a note; the functions' Code (the Framework's bucket and a
// timestamped S3 key; Switchboard's local folder for aws cloudformation
// package) is not compared. The deployment's hash-suffixed logical ID is:
// it is the hash of the API's part of the template, which the import
// computes as the Framework does.
func TestServerlessCompiledNames(t *testing.T) {
	t.Parallel()
	for _, file := range serverlessReferences {
		t.Run(file, func(t *testing.T) {
			res := MustImport(t, file)
			out, err := export.YAML(res.Stack)
			if err != nil {
				t.Fatalf("export: %v", err)
			}
			data, err := os.ReadFile(filepath.Join(filepath.Dir(file), compiledTemplate))
			if err != nil {
				t.Fatal(err)
			}
			// What the export says, an import of it says again.
			again, err := importer.Parse("export.yaml", out)
			if err != nil {
				t.Fatalf("import of the export: %v", err)
			}
			again.Stack.Name = res.Stack.Name
			if out2, err := export.YAML(again.Stack); err != nil || !bytes.Equal(out, out2) {
				t.Errorf("export → import → export differs (%v):\n%s", err, lineDiff(string(out), string(out2)))
			}
			want := readTemplate(t, compiledTemplate, data)
			got := readTemplate(t, "export.yaml", out)
			params := parameterDefaults(got)
			wantRes, gotRes := resourcesOf(want), resourcesOf(got)

			notes := strings.Join(res.Summary.Notes, "\n")
			for _, id := range sortedKeys(wantRes) {
				typ := typeOf(wantRes[id])
				if i := slices.IndexFunc(frameworkOnly, func(f frameworkPart) bool { return f.is(id, typ) }); i >= 0 {
					if _, ok := gotRes[id]; ok {
						t.Errorf("%s (%s) is in the export", id, frameworkOnly[i].why)
					}
					if !strings.Contains(notes, frameworkOnly[i].note) {
						t.Errorf("%s (%s) is left out without a note saying %q: %v", id, frameworkOnly[i].why, frameworkOnly[i].note, res.Summary.Notes)
					}
					continue
				}
				g, ok := gotRes[id]
				if !ok {
					t.Errorf("the export lacks %s (%s)", id, typ)
					continue
				}
				if typeOf(g) != typ {
					t.Errorf("%s is a %s in the export, a %s in the Framework's", id, typeOf(g), typ)
					continue
				}
				wp, gp := propsOf(wantRes[id]), propsOf(g)
				for _, key := range physicalNames {
					if w, g := flat(wp[key], params), flat(gp[key], params); w != g {
						t.Errorf("%s.%s = %s, the Framework's %s", id, key, g, w)
					}
				}
				switch typ {
				case "AWS::IAM::Role":
					if w, g := statementsByPolicy(wp, params), statementsByPolicy(gp, params); !slices.Equal(w, g) {
						t.Errorf("role %s's statements differ:\n  export:    %s\n  Framework: %s", id, strings.Join(g, "\n             "), strings.Join(w, "\n             "))
					}
					for _, key := range []string{"AssumeRolePolicyDocument", "ManagedPolicyArns", "PermissionsBoundary"} {
						if w, g := flat(wp[key], params), flat(gp[key], params); w != g {
							t.Errorf("role %s: %s = %s, the Framework's %s", id, key, g, w)
						}
					}
				case "AWS::Lambda::Permission":
					for _, key := range []string{"FunctionName", "Action", "Principal", "SourceArn", "SourceAccount"} {
						if w, g := flat(wp[key], params), flat(gp[key], params); w != g {
							t.Errorf("permission %s: %s = %s, the Framework's %s", id, key, g, w)
						}
					}
				case "AWS::Lambda::Function":
					if w, g := flat(wp["Role"], params), flat(gp["Role"], params); w != g {
						t.Errorf("function %s runs as %s, in the Framework's %s", id, g, w)
					}
					for _, key := range functionSettings {
						if w, g := flat(wp[key], params), flat(gp[key], params); w != g {
							t.Errorf("function %s: %s = %s, the Framework's %s", id, key, g, w)
						}
					}
				case "AWS::Logs::LogGroup":
					if w, g := flat(wp["RetentionInDays"], params), flat(gp["RetentionInDays"], params); w != g {
						t.Errorf("log group %s keeps logs %s days, the Framework's %s", id, g, w)
					}
				case "AWS::ApiGatewayV2::Stage":
					if w, g := flat(wp["DeploymentId"], params), flat(gp["DeploymentId"], params); w != g {
						t.Errorf("stage %s deploys %s, in the Framework's %s", id, g, w)
					}
				}
			}
			for _, id := range sortedKeys(gotRes) {
				if _, ok := wantRes[id]; !ok {
					t.Errorf("the export has %s (%s), which the Framework's template has not", id, typeOf(gotRes[id]))
				}
			}
			// The Framework exports these outputs for other stacks; their
			// export names must stay.
			wantOut, _ := want["Outputs"].(map[string]any)
			gotOut, _ := got["Outputs"].(map[string]any)
			for _, name := range sortedKeys(wantOut) {
				if strings.HasSuffix(name, "QualifiedArn") || name == "ServiceEndpoint" {
					continue // a version's, or the REST API's (frameworkOnly)
				}
				w, _ := wantOut[name].(map[string]any)
				g, ok := gotOut[name].(map[string]any)
				if !ok {
					t.Errorf("the export lacks output %s", name)
					continue
				}
				for _, key := range []string{"Value", "Export"} {
					if fw, fg := flat(w[key], params), flat(g[key], params); fw != fg {
						t.Errorf("output %s: %s = %s, the Framework's %s", name, key, fg, fw)
					}
				}
			}
		})
	}
}

// TestServerlessDeploymentFollowsRoutes: the deployment's logical ID is
// the hash of the API's resources, as the Framework names it, so a
// serverless.yml whose routes change gets a new deployment (and the stage
// is deployed again), and the same one gets the same.
func TestServerlessDeploymentFollowsRoutes(t *testing.T) {
	t.Parallel()
	src := "service: ws\nprovider: {name: aws, runtime: nodejs20.x}\nfunctions:\n  a:\n    handler: a.h\n    events:\n      - websocket: $connect\n"
	id := func(src string) string {
		res, err := importer.Parse("serverless.yml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		out, err := export.YAML(res.Stack)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`(?m)^  (WebsocketsDeployment[A-Za-z0-9]+):`).FindAllSubmatch(out, -1) {
			if string(m[1]) != "WebsocketsDeploymentStage" {
				return string(m[1])
			}
		}
		t.Fatalf("no deployment in the export:\n%s", out)
		return ""
	}
	first, again := id(src), id(src)
	more := id(src + "      - websocket: send\n")
	if first != again || first == more || first == "WebsocketsDeployment" {
		t.Errorf("deployments: %s, the same file again %s, with a route more %s", first, again, more)
	}
}

func resourcesOf(tpl map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	rs, _ := tpl["Resources"].(map[string]any)
	for id, r := range rs {
		out[id], _ = r.(map[string]any)
	}
	return out
}

func typeOf(r map[string]any) string { s, _ := r["Type"].(string); return s }

func propsOf(r map[string]any) map[string]any {
	p, _ := r["Properties"].(map[string]any)
	return p
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// parameterDefaults maps the template's parameters to their defaults: a
// serverless.yml's variables become parameters whose defaults are what
// the Framework resolved them to.
func parameterDefaults(tpl map[string]any) map[string]string {
	out := map[string]string{}
	ps, _ := tpl["Parameters"].(map[string]any)
	for name, p := range ps {
		if d, ok := p.(map[string]any)["Default"]; ok {
			out[name] = fmt.Sprint(d)
		}
	}
	return out
}

// flat writes a value as one text, however it is spelled: a Join, a Sub
// and a literal that say the same are the same text, ${X} and ${X.Attr}
// stand for Ref and GetAtt, a parameter's Ref for its default.
func flat(v any, params map[string]string) string {
	sub := func(s string) string {
		for name, d := range params {
			s = strings.ReplaceAll(s, "${"+name+"}", d)
		}
		return s
	}
	switch v := v.(type) {
	case nil:
		return "∅"
	case string:
		return v
	case []any:
		parts := make([]string, len(v))
		for i, it := range v {
			parts[i] = flat(it, params)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		if len(v) == 1 {
			for fn, arg := range v {
				switch fn {
				case "Ref":
					name := fmt.Sprint(arg)
					if d, ok := params[name]; ok {
						return d
					}
					return "${" + name + "}"
				case "Fn::GetAtt":
					if l, ok := arg.([]any); ok && len(l) == 2 {
						return "${" + fmt.Sprint(l[0]) + "." + fmt.Sprint(l[1]) + "}"
					}
				case "Fn::Sub":
					if s, ok := arg.(string); ok {
						return sub(s)
					}
					if l, ok := arg.([]any); ok && len(l) == 2 {
						s, _ := l[0].(string)
						vars, _ := l[1].(map[string]any)
						for k, val := range vars {
							s = strings.ReplaceAll(s, "${"+k+"}", flat(val, params))
						}
						return sub(s)
					}
				case "Fn::Join":
					if l, ok := arg.([]any); ok && len(l) == 2 {
						items, _ := l[1].([]any)
						parts := make([]string, len(items))
						for i, it := range items {
							parts[i] = flat(it, params)
						}
						return strings.Join(parts, fmt.Sprint(l[0]))
					}
				}
			}
		}
		keys := sortedKeys(v)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + flat(v[k], params)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// statementsByPolicy lists a role's inline statements, each with its
// policy's name, its actions and resources as sets.
func statementsByPolicy(role map[string]any, params map[string]string) []string {
	var out []string
	policies, _ := role["Policies"].([]any)
	for _, p := range policies {
		p, _ := p.(map[string]any)
		name := flat(p["PolicyName"], params)
		doc, _ := p["PolicyDocument"].(map[string]any)
		sts, ok := doc["Statement"].([]any)
		if !ok {
			sts = []any{doc["Statement"]}
		}
		for _, st := range sts {
			st, _ := st.(map[string]any)
			var fields []string
			for _, k := range sortedKeys(st) {
				val := st[k]
				if k == "Action" || k == "Resource" || k == "NotAction" || k == "NotResource" {
					list, ok := val.([]any)
					if !ok {
						list = []any{val}
					}
					items := make([]string, len(list))
					for i, it := range list {
						items[i] = flat(it, params)
					}
					sort.Strings(items)
					fields = append(fields, k+": ["+strings.Join(items, ", ")+"]")
					continue
				}
				fields = append(fields, k+": "+flat(val, params))
			}
			out = append(out, name+" {"+strings.Join(fields, ", ")+"}")
		}
	}
	sort.Strings(out)
	return out
}

// TestServerlessNamedRoles: a function's role, by logical ID or ARN, is
// its Role as the Framework writes it (GetAtt of the ID, the ARN as it
// is), and when every function names one there is no shared role; a role
// the file does not define is refused at its line, since the name is the
// file's, not the template's.
func TestServerlessNamedRoles(t *testing.T) {
	t.Parallel()
	res, err := importer.Parse("serverless.yml", []byte(`service: roles
provider: {name: aws, runtime: nodejs20.x}
functions:
  a:
    handler: a.h
    role: OwnRole
  b:
    handler: b.h
    role: arn:aws:iam::123456789012:role/b
resources:
  Resources:
    OwnRole:
      Type: AWS::IAM::Role
      Properties:
        AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	res.Stack.Name = "roles"
	out, err := export.YAML(res.Stack)
	if err != nil {
		t.Fatal(err)
	}
	got := resourcesOf(readTemplate(t, "export.yaml", out))
	if _, ok := got["IamRoleLambdaExecution"]; ok {
		t.Errorf("every function names its role, yet the export has the Framework's shared one:\n%s", out)
	}
	for id, want := range map[string]string{"ALambdaFunction": "${OwnRole.Arn}", "BLambdaFunction": "arn:aws:iam::123456789012:role/b"} {
		if g := flat(propsOf(got[id])["Role"], nil); g != want {
			t.Errorf("%s runs as %s, want %s", id, g, want)
		}
	}
	_, err = importer.Parse("serverless.yml", []byte("service: x\nprovider: {name: aws}\nfunctions:\n  a:\n    handler: a.h\n    role: ../x\n"))
	if err == nil || !strings.Contains(err.Error(), "serverless.yml:6:") || !strings.Contains(err.Error(), `role "../x"`) {
		t.Errorf("a role the file does not define: %v", err)
	}
}

// TestServerlessNamesChecked: the service, stage and function names of a
// serverless.yml become physical names and go into the Fn::Sub texts of the
// role's log statements, so a ${…}, a path or a wildcard in one is refused at
// its line rather than widening the role or naming another resource.
func TestServerlessNamesChecked(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ src, want string }{
		{"service: 'x${AWS::NoValue}'\nprovider: {name: aws}\nfunctions:\n  a:\n    handler: a.h\n", "serverless.yml:1:"},
		{"service: x\nprovider: {name: aws, stage: 'dev/*'}\nfunctions:\n  a:\n    handler: a.h\n", "serverless.yml:2:"},
		{"service: x\nprovider: {name: aws}\nfunctions:\n  a:\n    handler: a.h\n    name: '${Other}*'\n", "serverless.yml:6:"},
		{"service: x\nprovider: {name: aws}\nfunctions:\n  a:\n    handler: a.h\n    name: " + strings.Repeat("n", 65) + "\n", "serverless.yml:6:"},
	} {
		_, err := importer.Parse("serverless.yml", []byte(tt.src))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s\nwant an error at %s, got %v", tt.src, tt.want, err)
		}
	}
}

// TestServerlessSettingsNoted: every provider and function setting the
// import does not compile is named in a note, and so are where and under
// which stack name the Framework deploys the service, which the export
// must be deployed as to update it.
func TestServerlessSettingsNoted(t *testing.T) {
	t.Parallel()
	res, err := importer.Parse("serverless.yml", []byte(`service: noted
provider:
  name: aws
  runtime: nodejs20.x
  region: eu-west-1
  deploymentMethod: direct
  apiGateway: {minimumCompressionSize: 1024}
  logs: {restApi: true}
functions:
  a:
    handler: a.h
    provisionedConcurrency: 2
    url: true
    events:
      - websocket: $connect
`))
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(res.Summary.Notes, "\n")
	for _, want := range []string{
		"provider settings deploymentMethod, apiGateway, logs.restApi are not imported",
		"function a: settings provisionedConcurrency, url are not imported",
		"provider.region eu-west-1",
		"deploys this service as the stack noted-dev",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("the notes lack %q:\n%s", want, notes)
		}
	}
}
