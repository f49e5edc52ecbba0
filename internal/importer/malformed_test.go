package importer_test

import (
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestMalformed feeds broken files: each must fail with EINVALID and a
// message naming the place (file:line:column) and the problem.
func TestMalformed(t *testing.T) {
	t.Parallel()
	const api = `Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: a, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
`
	tests := []struct {
		name, file, data string
		want             []string // all in the message
	}{
		{"bad yaml indentation", "t.yaml", "Resources:\n  Api:\n    Type: AWS::SQS::Queue\n   Properties: {}\n", []string{"t.yaml:4:"}},
		{"unclosed flow map", "t.yaml", "Resources:\n  Q: {Type: AWS::SQS::Queue\n", []string{"t.yaml:"}},
		{"json syntax", "t.json", "{\n  \"Resources\": {\n    \"Q\": {\"Type\": \"AWS::SQS::Queue\",}\n  }\n}\n", []string{"t.json:3:", "invalid character"}},
		{"json truncated", "t.json", "{\"Resources\": {", []string{"t.json:1:", "unexpected end"}},
		{"json duplicate key", "t.json", "{\"Resources\": {\"Q\": {\"Type\": \"AWS::SQS::Queue\"}, \"Q\": {}}}", []string{"t.json:1:", `key "Q" appears twice`}},
		// Past a few keys a map is indexed; a key twice is still found (the
		// YAML parser finds it first).
		{"json duplicate key in a wide map", "t.json", string(wideMap(100)[:len(wideMap(100))-2]) + `,"k50":0}}`, []string{"t.json:1:", `key "k50" appears twice`}},
		{"yaml duplicate key in a wide map", "t.yaml", "Resources: {Q: {Type: AWS::SQS::Queue}}\nMetadata:\n" + wideYAML(100) + "  k50: 0\n", []string{"t.yaml:103:3", `"k50"`}},
		{"yaml duplicate key", "t.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  Q:\n    Type: AWS::SQS::Queue\n", []string{"t.yaml:4:"}},
		{"unknown tag", "t.yaml", api + "  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Reff Api\n", []string{"t.yaml:8:18", "unknown tag !Reff", "!Ref"}},
		{"unknown intrinsic", "t.json", `{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Subb": "x"}}}}}`, []string{"t.json:1:", "unknown intrinsic function Fn::Subb"}},
		{"bad getatt", "t.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !GetAtt Api\n", []string{"t.yaml:5:18", "!GetAtt \"Api\""}},
		{"getatt without attribute", "t.json", `{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::GetAtt": "Api"}}}}}`, []string{"t.json:1:", `Fn::GetAtt "Api" must name a resource and an attribute`}},
		{"getatt of one", "t.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName:\n        Fn::GetAtt: [Api]\n", []string{"t.yaml:6:", "takes a resource and an attribute"}},
		{"route integration missing", "t.yaml", api + "  R:\n    Type: AWS::ApiGatewayV2::Route\n    Properties:\n      ApiId: !Ref Api\n      RouteKey: $connect\n      Target: !Sub integrations/${Nope}\n", []string{"t.yaml:10:15", "route R targets integration Nope, which the template does not define"}},
		{"route key not a string", "t.yaml", api + "  R:\n    Type: AWS::ApiGatewayV2::Route\n    Properties:\n      ApiId: !Ref Api\n      RouteKey: [a]\n", []string{"t.yaml:9:17", "RouteKey must be a string"}},
		{"table without key", "t.yaml", "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      BillingMode: PAY_PER_REQUEST\n", []string{"t.yaml:3:", "KeySchema"}},
		{"no resources", "t.yaml", "AWSTemplateFormatVersion: '2010-09-09'\n", []string{"t.yaml", "no resources"}},
		{"not a map", "t.yaml", "- a\n- b\n", []string{"t.yaml:1:1", "not a list"}},
		{"empty", "t.yaml", "  \n", []string{"t.yaml", "empty"}},
		{"two documents", "t.yaml", api + "---\n" + api, []string{"t.yaml:", "2 YAML documents"}},
		{"unknown section", "t.yaml", api + "Resourcez: {}\n", []string{"t.yaml:5:", `unknown template section "Resourcez"`}},
		{"resource without type", "t.yaml", "Resources:\n  Q:\n    Properties: {}\n", []string{"t.yaml:3:", "has no Type"}},
		{"bad logical id", "t.yaml", "Resources:\n  my-queue:\n    Type: AWS::SQS::Queue\n", []string{"t.yaml:3:", `"my-queue"`, "letters and digits"}},
		{"undefined alias", "t.yaml", "Resources:\n  Q: *nope\n", []string{"t.yaml:2:", "nope"}},
		{"not utf-8", "t.yaml", "Resources:\n  Q: \xff\n", []string{"t.yaml", "UTF-8"}},
		{"alias bomb", "t.yaml", bomb(), []string{"t.yaml:", "values"}},
		// The YAML parser's time grows with the square of the nesting.
		{"deep flow nesting", "t.yaml", "a: " + strings.Repeat("[", 200000), []string{"t.yaml:1:204:", "nested more than 200 deep"}},
		{"deep flow maps", "t.yaml", "a: " + strings.Repeat("{b: ", 100000), []string{"t.yaml:1:", "nested more than 200 deep"}},
		{"deep block nesting", "t.yaml", strings.Repeat("- ", 100000) + "x", []string{"t.yaml:1:401:", "nested more than 200 deep"}},
		{"deep json", "t.json", `{"a": ` + strings.Repeat("[", 500000), []string{"t.json:1:", "nested more than 200 deep"}},
		{"serverless without functions", "serverless.yml", "service: x\nprovider:\n  name: aws\n", []string{"serverless.yml", "no functions"}},
		{"serverless unknown authorizer", "serverless.yml", "service: x\nprovider: {name: aws}\nfunctions:\n  a:\n    handler: a.h\n    events:\n      - websocket: {route: $connect, authorizer: nope}\n", []string{"serverless.yml:7:", `authorizer "nope" is not a function`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := importer.Parse(tt.file, []byte(tt.data))
			if err == nil {
				t.Fatalf("want an error, got a stack %+v", res.Summary)
			}
			if model.ErrorCode(err) != model.EINVALID {
				t.Errorf("code = %s, want %s (%v)", model.ErrorCode(err), model.EINVALID, err)
			}
			msg := model.ErrorMessage(err)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not say %q", msg, w)
				}
			}
		})
	}
}

// wideYAML is n map entries, k0 to k(n-1), indented for a section.
func wideYAML(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("  k" + itoa(i) + ": 1\n")
	}
	return b.String()
}

// bomb is a YAML file whose aliases expand to billions of values.
func bomb() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 12; i++ {
		b.WriteString("a" + string(rune('0'+i%10)) + string(rune('a'+i)) + ": &a" + itoa(i) + " [")
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + itoa(i-1))
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func TestTooLarge(t *testing.T) {
	t.Parallel()
	_, err := importer.Parse("big.yaml", make([]byte, importer.MaxSize+1))
	if model.ErrorCode(err) != model.EINVALID || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("want an EINVALID size error, got %v", err)
	}
}
