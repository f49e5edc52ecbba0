package importer_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// largeTemplate returns a minified (single-line) JSON template shaped like
// the CDK's output for one WebSocket API with many routes: per route a
// table, a function with its role and policy, an integration, the route and
// its invoke permission, each with properties as long as real ones get
// (environment, tags, policy statements, asset metadata), padded so the file
// is about size bytes. It holds 2 + 7×groups + 1 resources.
func largeTemplate(tb testing.TB, groups, size int) []byte {
	tb.Helper()
	key := [2]int{groups, size}
	largeMu.Lock()
	defer largeMu.Unlock()
	if data, ok := largeTemplates[key]; ok {
		return bytes.Clone(data)
	}
	data := buildLargeTemplate(tb, groups, size)
	largeTemplates[key] = data
	return bytes.Clone(data)
}

// largeTemplates keeps the templates built, which several tests share.
var (
	largeMu        sync.Mutex
	largeTemplates = map[[2]int][]byte{}
)

func buildLargeTemplate(tb testing.TB, groups, size int) []byte {
	build := func(pad int) []byte {
		filler := func(i, n int) string {
			return strings.Repeat(fmt.Sprintf("%c", 'a'+i%26), n)
		}
		join := func(parts ...any) map[string]any { return map[string]any{"Fn::Join": []any{"", parts}} }
		ref := func(id string) map[string]any { return map[string]any{"Ref": id} }
		getAtt := func(id, att string) map[string]any { return map[string]any{"Fn::GetAtt": []any{id, att}} }
		meta := func(path string) map[string]any {
			return map[string]any{"aws:cdk:path": "ChatStack/" + path, "aws:cdk:notes": filler(len(path), pad)}
		}
		tags := func(i int) []any {
			var out []any
			for k := range 4 {
				out = append(out, map[string]any{"Key": fmt.Sprintf("team-%d-%d", i, k), "Value": filler(i+k, pad/4)})
			}
			return out
		}
		res := map[string]any{
			"ChatApiD29796E1": map[string]any{
				"Type": "AWS::ApiGatewayV2::Api",
				"Properties": map[string]any{
					"Name": "ChatApi", "ProtocolType": "WEBSOCKET",
					"RouteSelectionExpression": "$request.body.action",
				},
				"Metadata": meta("ChatApi/Resource"),
			},
			"ProdStage6F7F36FB": map[string]any{
				"Type":       "AWS::ApiGatewayV2::Stage",
				"Properties": map[string]any{"ApiId": ref("ChatApiD29796E1"), "AutoDeploy": true, "StageName": "prod"},
				"Metadata":   meta("ProdStage/Resource"),
			},
			"CDKMetadata": map[string]any{
				"Type":       "AWS::CDK::Metadata",
				"Properties": map[string]any{"Analytics": "v2:deflate64:" + filler(0, pad)},
				"Metadata":   map[string]any{"aws:cdk:path": "ChatStack/CDKMetadata/Default"},
			},
		}
		for i := range groups {
			h := fmt.Sprintf("%08X", uint32(i)*2654435761)
			table, role, policy, fn := "Connections"+itoa(i)+h, "Handler"+itoa(i)+"ServiceRole"+h, "Handler"+itoa(i)+"ServiceRoleDefaultPolicy"+h, "Handler"+itoa(i)+h
			integ, route, perm := "ChatApiRoute"+itoa(i)+"Integration"+h, "ChatApiRoute"+itoa(i)+h, "ChatApiRoute"+itoa(i)+"Permission"+h
			res[table] = map[string]any{
				"Type": "AWS::DynamoDB::Table",
				"Properties": map[string]any{
					"AttributeDefinitions": []any{map[string]any{"AttributeName": "connectionId", "AttributeType": "S"}},
					"KeySchema":            []any{map[string]any{"AttributeName": "connectionId", "KeyType": "HASH"}},
					"BillingMode":          "PAY_PER_REQUEST",
					"Tags":                 tags(i),
				},
				"UpdateReplacePolicy": "Delete", "DeletionPolicy": "Delete",
				"Metadata": meta("Connections" + itoa(i) + "/Resource"),
			}
			res[role] = map[string]any{
				"Type": "AWS::IAM::Role",
				"Properties": map[string]any{
					"AssumeRolePolicyDocument": map[string]any{
						"Statement": []any{map[string]any{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": map[string]any{"Service": "lambda.amazonaws.com"}}},
						"Version":   "2012-10-17",
					},
					"ManagedPolicyArns": []any{join("arn:", ref("AWS::Partition"), ":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")},
				},
				"Metadata": meta("Handler" + itoa(i) + "/ServiceRole/Resource"),
			}
			res[policy] = map[string]any{
				"Type": "AWS::IAM::Policy",
				"Properties": map[string]any{
					"PolicyDocument": map[string]any{
						"Statement": []any{
							map[string]any{
								"Action":   []any{"dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:GetItem", "dynamodb:Scan", "dynamodb:ConditionCheckItem", "dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable"},
								"Effect":   "Allow",
								"Resource": []any{getAtt(table, "Arn")},
							},
							map[string]any{
								"Action":   "execute-api:ManageConnections",
								"Effect":   "Allow",
								"Resource": join("arn:", ref("AWS::Partition"), ":execute-api:", ref("AWS::Region"), ":", ref("AWS::AccountId"), ":", ref("ChatApiD29796E1"), "/*/*/@connections/*"),
							},
						},
						"Version": "2012-10-17",
					},
					"PolicyName": policy,
					"Roles":      []any{ref(role)},
				},
				"Metadata": meta("Handler" + itoa(i) + "/ServiceRole/DefaultPolicy/Resource"),
			}
			res[fn] = map[string]any{
				"Type": "AWS::Lambda::Function",
				"Properties": map[string]any{
					"Code": map[string]any{
						"S3Bucket": map[string]any{"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"},
						"S3Key":    "8065b1f1faecc63e357d284d00ff46cc575f69c326aa8f5d860eda2f851c6d4d.zip",
					},
					"Description": "Handles route" + itoa(i) + ": " + filler(i, 200),
					"Environment": map[string]any{"Variables": map[string]any{
						"TABLE_NAME": ref(table),
						"SETTINGS":   filler(i, min(pad, 3000)),
					}},
					"Handler":    "route" + itoa(i) + ".handler",
					"MemorySize": 128 + 64*(i%8),
					"Role":       getAtt(role, "Arn"),
					"Runtime":    "nodejs22.x",
				},
				"DependsOn": []any{policy, role},
				"Metadata": map[string]any{
					"aws:cdk:path":         "ChatStack/Handler" + itoa(i) + "/Resource",
					"aws:asset:path":       "asset.8065b1f1faecc63e357d284d00ff46cc575f69c326aa8f5d860eda2f851c6d4d",
					"aws:asset:is-bundled": false,
					"aws:asset:property":   "Code",
				},
			}
			res[integ] = map[string]any{
				"Type": "AWS::ApiGatewayV2::Integration",
				"Properties": map[string]any{
					"ApiId":           ref("ChatApiD29796E1"),
					"IntegrationType": "AWS_PROXY",
					"IntegrationUri":  join("arn:", ref("AWS::Partition"), ":apigateway:", ref("AWS::Region"), ":lambda:path/2015-03-31/functions/", getAtt(fn, "Arn"), "/invocations"),
				},
				"Metadata": meta("ChatApi/route" + itoa(i) + "-Route/Integration/Resource"),
			}
			res[route] = map[string]any{
				"Type": "AWS::ApiGatewayV2::Route",
				"Properties": map[string]any{
					"ApiId":             ref("ChatApiD29796E1"),
					"AuthorizationType": "NONE",
					"RouteKey":          "route" + itoa(i),
					"Target":            join("integrations/", ref(integ)),
				},
				"Metadata": meta("ChatApi/route" + itoa(i) + "-Route/Resource"),
			}
			res[perm] = map[string]any{
				"Type": "AWS::Lambda::Permission",
				"Properties": map[string]any{
					"Action":       "lambda:InvokeFunction",
					"FunctionName": getAtt(fn, "Arn"),
					"Principal":    "apigateway.amazonaws.com",
					"SourceArn":    join("arn:", ref("AWS::Partition"), ":execute-api:", ref("AWS::Region"), ":", ref("AWS::AccountId"), ":", ref("ChatApiD29796E1"), "/*route"+itoa(i)),
				},
				"Metadata": meta("ChatApi/route" + itoa(i) + "-Route/Integration-Permission"),
			}
		}
		data, err := json.Marshal(map[string]any{
			"Description": "A large chat stack",
			"Resources":   res,
			"Parameters": map[string]any{"BootstrapVersion": map[string]any{
				"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/cdk-bootstrap/hnb659fds/version",
			}},
		})
		if err != nil {
			tb.Fatal(err)
		}
		return data
	}
	// The padding grows the file linearly: measure once without, then
	// solve for the padding that reaches size.
	bare, padded := build(0), build(1000)
	pad := (size - len(bare)) * 1000 / (len(padded) - len(bare))
	return build(max(pad, 0))
}

// BenchmarkImportMinifiedJSON imports a 1 MB single-line JSON template with
// 500 resources. The goal is under 200 ms; when line and column were
// computed from the start of the file for every value, it took most of a
// minute.
func BenchmarkImportMinifiedJSON(b *testing.B) {
	data := largeTemplate(b, 71, 1<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := importer.Parse("large.json", data); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLargeTemplateImports: the benchmark's template is a real one, not an
// error path that returns early.
func TestLargeTemplateImports(t *testing.T) {
	t.Parallel()
	data := largeTemplate(t, 71, 1<<20)
	if n := len(data); n < 1<<20-1<<14 || n > 1<<20+1<<14 || strings.Contains(string(data), "\n") {
		t.Fatalf("the template is %d bytes, want about 1 MB on one line", n)
	}
	var doc struct{ Resources map[string]json.RawMessage }
	if err := json.Unmarshal(data, &doc); err != nil || len(doc.Resources) != 500 {
		t.Fatalf("want 500 resources, got %d (%v)", len(doc.Resources), err)
	}
	if testing.Short() {
		return
	}
	res, err := importer.Parse("large.json", data)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(res.Stack.Functions); got != 71 {
		t.Errorf("functions = %d, want 71", got)
	}
	if got := len(res.Stack.APIs) == 1 && len(res.Stack.APIs[0].Routes) == 71; !got {
		t.Errorf("want one API with 71 routes, got %+v", res.Summary.APIs)
	}
}

// wideMap is a template whose Metadata holds n keys in one map.
func wideMap(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"Resources":{"Q":{"Type":"AWS::SQS::Queue"}},"Metadata":{`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":%d`, i, i)
	}
	b.WriteString(`}}`)
	return []byte(b.String())
}

// BenchmarkImportWideMap imports 1.3 MB of one map with 120,000 keys. When
// each key was looked for among those before it, this took over half a
// minute.
func BenchmarkImportWideMap(b *testing.B) {
	data := wideMap(120000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := importer.Parse("wide.json", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImportManyFunctions imports 2,000 CDK-named functions, each next
// to a role named as the export would name its own. Checking whether each
// role is the function's own once walked every resource per function: 2.9 s.
func BenchmarkImportManyFunctions(b *testing.B) {
	var t strings.Builder
	t.WriteString(`{"Resources":{`)
	for i := range 2000 {
		if i > 0 {
			t.WriteByte(',')
		}
		fmt.Fprintf(&t, `"F%dABCDEF12":{"Type":"AWS::Lambda::Function","Properties":{"Handler":"a.h","Runtime":"nodejs22.x","Code":{"ZipFile":"x"},"Role":"arn:aws:iam::1:role/x"},"Metadata":{"aws:cdk:path":"x"}},"F%dRole":{"Type":"AWS::IAM::Role","Properties":{}}`, i, i)
	}
	t.WriteString(`}}`)
	data := []byte(t.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := importer.Parse("functions.json", data); err != nil {
			b.Fatal(err)
		}
	}
}

// TestErrorDeepInAMinifiedFile: an error near the end of a 1 MB template on
// one line names its column, counted in characters, not bytes.
func TestErrorDeepInAMinifiedFile(t *testing.T) {
	t.Parallel()
	data := string(largeTemplate(t, 71, 1<<20))
	data = strings.Replace(data, `"A large chat stack"`, `"Ein großer Chat – ☃"`, 1)
	good := `{"Fn::Sub":"cdk-hnb659fds-assets-`
	off := strings.LastIndex(data, good)
	if off < len(data)*3/4 || !strings.Contains(data[:off], "☃") {
		t.Fatalf("the last function's code is at %d of %d bytes; want it near the end, after the description", off, len(data))
	}
	data = data[:off] + `{"Fn::Subb":"cdk-hnb659fds-assets-` + data[off+len(good):]
	col := utf8.RuneCountInString(data[:off]) + 1
	_, err := importer.Parse("large.json", []byte(data))
	want := fmt.Sprintf("large.json:1:%d: unknown intrinsic function Fn::Subb", col)
	if model.ErrorCode(err) != model.EINVALID || !strings.Contains(err.Error(), want) {
		t.Fatalf("want %s, got %v", want, err)
	}
}
