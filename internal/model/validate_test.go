package model_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/model/modeltest"
)

func mustExample(t *testing.T, name string) *model.Stack {
	t.Helper()
	s, err := model.Example(name, name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestExamplesAreValid(t *testing.T) {
	for _, name := range model.Examples {
		t.Run(name, func(t *testing.T) {
			s := mustExample(t, name)
			if problems := s.Check(); len(problems) != 0 {
				t.Fatalf("example %s has problems: %v", name, problems)
			}
		})
	}
}

func TestExampleUnknown(t *testing.T) {
	_, err := model.Example("nope", "x")
	if model.ErrorCode(err) != model.EINVALID {
		t.Fatalf("want EINVALID, got %v", err)
	}
}

func TestLargeStackIsValid(t *testing.T) {
	s := modeltest.Large("large", 200, 1000)
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	var warned bool
	for _, p := range s.Check() {
		warned = warned || (p.Severity == model.SeverityWarning && strings.Contains(p.Message, "500"))
	}
	if !warned {
		t.Fatal("a stack past CloudFormation's 500-resource limit must get a warning")
	}
}

// TestAPIWithoutRoutesIsValid: an API with no routes (API keys and usage
// plans only) exports, with a warning that no client can connect.
func TestAPIWithoutRoutesIsValid(t *testing.T) {
	s := mustExample(t, "chat")
	for _, id := range []string{"rt2", "rt3", "rt4", "rt5"} {
		s.RemoveRoute(id)
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("an API with no routes is valid: %v", err)
	}
	var warned bool
	for _, p := range s.Check() {
		warned = warned || p.Severity == model.SeverityWarning && p.Resource == "api1" && p.Field == "routes"
	}
	if !warned {
		t.Fatal("an API with no routes must get a warning")
	}
}

// TestValidate changes the chat example one way per case and checks that
// Validate reports that problem, naming the resource and the field.
func TestValidate(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(s *model.Stack)
		resource   string // ID the problem names
		field      string
		message    string // part of the message
		incomplete bool
	}{
		{"StackNameRequired", func(s *model.Stack) { s.Name = "" }, "", "name", "stack name is required", false},
		{"StackNameInvalid", func(s *model.Stack) { s.Name = "my stack" }, "", "name", "must start with a letter", false},
		{"StackNameTooLong", func(s *model.Stack) { s.Name = "a" + strings.Repeat("b", 128) }, "", "name", "limit is 128", false},
		{"LogicalNameInvalid", func(s *model.Stack) { s.Functions[0].Name = "Send-Handler" }, "fn6", "name", "CloudFormation logical ID", false},
		{"LogicalNameDuplicate", func(s *model.Stack) { s.Tables[0].Name = "ChatApi" }, "tbl9", "name", `already used by API "ChatApi"`, false},
		{"IDDuplicate", func(s *model.Stack) { s.Tables[0].ID = "fn6" }, "fn6", "id", "already used", false},
		{"RouteKeyDuplicate", func(s *model.Stack) { s.APIs[0].Routes[3].Key = "$default" }, "rt5", "routes[3].key", `"$default" is used twice`, false},
		{"RouteKeyReserved", func(s *model.Stack) { s.APIs[0].Routes[3].Key = "$other" }, "rt5", "routes[3].key", "reserved", false},
		{"RouteKeyMalformed", func(s *model.Stack) { s.APIs[0].Routes[3].Key = "send message" }, "rt5", "routes[3].key", "must be 1 to 128", false},
		{"RouteKeysSameLogicalName", func(s *model.Stack) {
			s.APIs[0].Routes = append(s.APIs[0].Routes, &model.Route{ID: "rt99", Key: "send-message"})
			s.Wires = append(s.Wires, &model.Wire{ID: "w99", Kind: model.WireIntegration, From: "rt99", To: "fn8"})
		}, "rt99", "routes[4].key", `both become "SendMessage"`, false},
		{"StackEmpty", func(s *model.Stack) { *s = model.Stack{Name: "empty"} }, "", "", "no resources yet", true},
		{"RouteWithoutHandler", func(s *model.Stack) { s.RemoveWire("w13") }, "rt5", "routes[3]", "has no handler", true},
		{"AuthorizerOnOtherRoute", func(s *model.Stack) {
			s.APIs[0].Authorizer = &model.Authorizer{Name: "Auth", IdentitySources: []string{"route.request.querystring.token"}}
			s.Wires = append(s.Wires, &model.Wire{ID: "w99", Kind: model.WireAuthorizer, From: "fn7", To: "api1"})
			s.APIs[0].Routes[3].Authorized = true
		}, "rt5", "routes[3].authorized", "only $connect", false},
		{"AuthorizerWithoutFunction", func(s *model.Stack) {
			s.APIs[0].Authorizer = &model.Authorizer{Name: "Auth", IdentitySources: []string{"route.request.querystring.token"}}
			s.APIs[0].Routes[0].Authorized = true
		}, "api1", "authorizer", "has no function", true},
		{"AuthorizerIdentitySourceMalformed", func(s *model.Stack) {
			s.APIs[0].Authorizer = &model.Authorizer{Name: "Auth", IdentitySources: []string{"querystring.token"}}
			s.Wires = append(s.Wires, &model.Wire{ID: "w99", Kind: model.WireAuthorizer, From: "fn7", To: "api1"})
			s.APIs[0].Routes[0].Authorized = true
		}, "api1", "authorizer.identitySources", "identity source", false},
		{"RouteSelectionExpressionMalformed", func(s *model.Stack) { s.APIs[0].RouteSelectionExpression = "action" }, "api1", "routeSelectionExpression", "must read the message body", false},
		{"StageNameMalformed", func(s *model.Stack) { s.APIs[0].StageName = "dev stage" }, "api1", "stageName", "stage name", false},
		{"APIKeyWithoutExpression", func(s *model.Stack) { s.APIs[0].Routes[3].APIKeyRequired = true }, "api1", "apiKeySelectionExpression", "requires an API key", true},
		{"RuntimeDeprecated", func(s *model.Stack) { s.Functions[0].Runtime = "nodejs20.x" }, "fn6", "runtime", `"nodejs20.x"`, false},
		{"MemoryTooSmall", func(s *model.Stack) { s.Functions[0].MemorySize = 64 }, "fn6", "memorySize", "128 to 10240 MB, not 64", false},
		{"MemoryTooLarge", func(s *model.Stack) { s.Functions[0].MemorySize = 10241 }, "fn6", "memorySize", "not 10241", false},
		{"TimeoutTooLong", func(s *model.Stack) { s.Functions[0].Timeout = 901 }, "fn6", "timeout", "1 to 900 seconds", false},
		{"TimeoutZero", func(s *model.Stack) { s.Functions[0].Timeout = 0 }, "fn6", "timeout", "not 0", false},
		{"LogRetentionUnsupported", func(s *model.Stack) { s.Functions[0].LogRetentionDays = 2 }, "fn6", "logRetentionDays", "2 days", false},
		{"CodePathAbsolute", func(s *model.Stack) { s.Functions[0].CodePath = "/etc/passwd" }, "fn6", "codePath", "relative", false},
		{"CodePathEscapes", func(s *model.Stack) { s.Functions[0].CodePath = "../outside" }, "fn6", "codePath", "inside the repository", false},
		{"EnvNameInvalid", func(s *model.Stack) { s.Functions[0].Environment = map[string]string{"1BAD": "x"} }, "fn6", "environment.1BAD", "must start with a letter", false},
		{"EnvNameReserved", func(s *model.Stack) { s.Functions[0].Environment = map[string]string{"AWS_REGION": "x"} }, "fn6", "environment.AWS_REGION", "reserved", false},
		{"EnvNameTakenByWire", func(s *model.Stack) { s.Functions[0].Environment = map[string]string{"CONNECTIONS_TABLE_NAME": "x"} }, "fn6", "environment.CONNECTIONS_TABLE_NAME", "set by the wire", false},
		{"EnvTooLarge", func(s *model.Stack) { s.Functions[0].Environment = map[string]string{"BIG": strings.Repeat("x", 5000)} }, "fn6", "environment", "Lambda allows 4096", false},
		{"TableSortKeySameAsPartition", func(s *model.Stack) {
			s.Tables[0].SortKey = &model.Key{Name: "connectionId", Type: model.AttributeString}
		}, "tbl9", "sortKey.name", "must differ", false},
		{"TableKeyTypeInvalid", func(s *model.Stack) { s.Tables[0].PartitionKey.Type = "X" }, "tbl9", "partitionKey.type", "S (string)", false},
		{"TableProvisionedWithoutCapacity", func(s *model.Stack) { s.Tables[0].BillingMode = model.BillingProvisioned }, "tbl9", "readCapacity", "read capacity", false},
		{"TableOnDemandWithCapacity", func(s *model.Stack) { s.Tables[0].ReadCapacity = 5 }, "tbl9", "billingMode", "take no read or write capacity", false},
		{"TableTTLOnKey", func(s *model.Stack) { s.Tables[0].TTLAttribute = "connectionId" }, "tbl9", "ttlAttribute", "cannot be a key", false},
		{"WireToMissingResource", func(s *model.Stack) { s.Wires[4].To = "tbl404" }, "w14", "to", `"tbl404", which is not in the stack`, false},
		{"WireKindsMismatch", func(s *model.Stack) { s.Wires[4].Kind = model.WireSend }, "w14", "kind", "a send wire goes from a function to an API, not from function \"ConnectionHandler\" to table \"Connections\"", false},
		{"WireUnknownKind", func(s *model.Stack) { s.Wires[4].Kind = "owns" }, "w14", "kind", "unknown wire kind", false},
		{"WireDuplicate", func(s *model.Stack) {
			s.Wires = append(s.Wires, &model.Wire{ID: "w99", Kind: model.WireRead, From: "fn6", To: "tbl9"})
		}, "w99", "", "wired twice", false},
		{"RouteTwoHandlers", func(s *model.Stack) {
			s.Wires = append(s.Wires, &model.Wire{ID: "w99", Kind: model.WireIntegration, From: "rt5", To: "fn7"})
		}, "w99", "", "more than one handler", false},
		{"DerivedNameCollision", func(s *model.Stack) { s.Functions[0].Name = "ChatApiStage" }, "api1", "name", `"ChatApiStage"`, false},
		{"OutputNameCollision", func(s *model.Stack) {
			a := model.NewAPI("api99", "ChatApiCallback")
			a.Routes = []*model.Route{{ID: "rt98", Key: "$default"}}
			s.APIs = append(s.APIs, a)
			s.Wires = append(s.Wires, &model.Wire{ID: "w97", Kind: model.WireIntegration, From: "rt98", To: "fn7"})
		}, "api99", "name", `output name "ChatApiCallbackUrl"`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := mustExample(t, "chat")
			tc.edit(s)
			err := s.Validate()
			var verr *model.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("want a *ValidationError, got %v", err)
			}
			if model.ErrorCode(err) != model.EINVALID {
				t.Fatalf("code = %q, want EINVALID", model.ErrorCode(err))
			}
			var found *model.Problem
			for i, p := range verr.Problems {
				if p.Resource == tc.resource && p.Field == tc.field && strings.Contains(p.Message, tc.message) {
					found = &verr.Problems[i]
				}
			}
			if found == nil {
				t.Fatalf("no problem on %q field %q containing %q; got:\n%v", tc.resource, tc.field, tc.message, err)
			}
			if found.Incomplete != tc.incomplete {
				t.Fatalf("Incomplete = %v, want %v", found.Incomplete, tc.incomplete)
			}
			draftErr := s.ValidateDraft()
			if tc.incomplete && draftErr != nil && strings.Contains(draftErr.Error(), tc.message) {
				t.Fatalf("ValidateDraft must allow an incomplete stack, got %v", draftErr)
			}
			if !tc.incomplete && draftErr == nil {
				t.Fatal("ValidateDraft must refuse an invalid value")
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	s := mustExample(t, "chat")
	s.Functions[0].MemorySize = 1
	s.Functions[1].Timeout = 1000
	s.Tables[0].PartitionKey.Type = "Q"
	err := s.Validate()
	var verr *model.ValidationError
	if !errors.As(err, &verr) || len(verr.Problems) != 3 {
		t.Fatalf("want 3 problems at once, got %v", err)
	}
	if !strings.Contains(err.Error(), "3 problems") {
		t.Fatalf("message should count the problems: %q", err.Error())
	}
}

func TestNaming(t *testing.T) {
	tests := []struct{ in, route, env, kebab string }{
		{"$connect", "Connect", "$CONNECT", "$connect"},
		{"sendMessage", "SendMessage", "SEND_MESSAGE", "send-message"},
		{"ChatApi", "ChatApi", "CHAT_API", "chat-api"},
		{"HTTP2Api", "HTTP2Api", "HTTP2_API", "http2-api"},
		{"chat/send.v2", "ChatSendV2", "CHAT/SEND.V2", "chat/send.v2"},
	}
	for _, tc := range tests {
		if got := model.RouteLogicalPart(tc.in); got != tc.route {
			t.Errorf("RouteLogicalPart(%q) = %q, want %q", tc.in, got, tc.route)
		}
		if got := model.EnvName(tc.in); got != tc.env {
			t.Errorf("EnvName(%q) = %q, want %q", tc.in, got, tc.env)
		}
		if got := model.KebabName(tc.in); got != tc.kebab {
			t.Errorf("KebabName(%q) = %q, want %q", tc.in, got, tc.kebab)
		}
	}
	chat := mustExample(t, "chat")
	if got := chat.Tables[0].TableEnvVar(); got != "CONNECTIONS_TABLE_NAME" {
		t.Errorf("TableEnvVar = %q", got)
	}
	if got := chat.APIs[0].ConnectionsEnvVar(); got != "CHAT_API_CONNECTIONS_URL" {
		t.Errorf("ConnectionsEnvVar = %q", got)
	}
	if got := chat.Functions[0].CodePath; got != "functions/connection-handler" {
		t.Errorf("default code path = %q", got)
	}
}

func TestParseStack(t *testing.T) {
	t.Run("AppliesDefaults", func(t *testing.T) {
		s, err := model.ParseStack([]byte(`{"name":"x","functions":[{"id":"fn1","name":"Send"}],"apis":[{"id":"api2","name":"Api"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		f := s.Functions[0]
		if f.Runtime != model.DefaultRuntime || f.MemorySize != 128 || f.CodePath != "functions/send" || f.LogDeletionPolicy != model.DeletionRetain {
			t.Fatalf("defaults not applied: %+v", f)
		}
		if s.APIs[0].RouteSelectionExpression != "$request.body.action" || s.APIs[0].StageName != "dev" {
			t.Fatalf("API defaults not applied: %+v", s.APIs[0])
		}
	})
	t.Run("ErrUnknownField", func(t *testing.T) {
		_, err := model.ParseStack([]byte(`{"name":"x","fucntions":[]}`))
		if model.ErrorCode(err) != model.EINVALID || !strings.Contains(err.Error(), "fucntions") {
			t.Fatalf("want EINVALID naming the field, got %v", err)
		}
	})
	t.Run("ErrNullEntry", func(t *testing.T) {
		_, err := model.ParseStack([]byte(`{"name":"x","apis":[{"id":"a","name":"A","routes":[null]}]}`))
		if model.ErrorCode(err) != model.EINVALID || !strings.Contains(err.Error(), "apis[0].routes[0] is null") {
			t.Fatalf("want EINVALID naming the entry, got %v", err)
		}
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		_, err := model.ParseStack([]byte(`{"name":`))
		if model.ErrorCode(err) != model.EINVALID {
			t.Fatalf("want EINVALID, got %v", err)
		}
	})
	t.Run("RoundTrip", func(t *testing.T) {
		chat := mustExample(t, "chat")
		data, err := json.Marshal(chat)
		if err != nil {
			t.Fatal(err)
		}
		back, err := model.ParseStack(data)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := json.Marshal(back)
		if string(again) != string(data) {
			t.Fatalf("round trip changed the stack:\n%s\n%s", data, again)
		}
	})
}

func TestStackEditing(t *testing.T) {
	s := mustExample(t, "chat")
	if id := s.NewID("fn"); id != "fn18" {
		t.Fatalf("NewID = %q, want fn18", id)
	}
	if name := s.NewName("SendHandler"); name != "SendHandler2" {
		t.Fatalf("NewName = %q", name)
	}
	if f := s.RouteHandler("rt5"); f == nil || f.Name != "SendHandler" {
		t.Fatalf("RouteHandler(rt5) = %v", f)
	}
	if !s.RemoveNode("tbl9") {
		t.Fatal("RemoveNode(tbl9) = false")
	}
	for _, w := range s.Wires {
		if w.To == "tbl9" {
			t.Fatalf("wire %s still points at the removed table", w.ID)
		}
	}
	if !s.RemoveNode("api1") || len(s.Wires) != 0 {
		t.Fatalf("removing the API must remove its routes' wires and send wires, left %d", len(s.Wires))
	}
	if s.RemoveNode("api1") {
		t.Fatal("removing twice must report false")
	}
	clone := mustExample(t, "echo")
	clone.ID, clone.Revision = 7, 3
	c := clone.Clone()
	c.Functions[0].Name = "Other"
	if clone.Functions[0].Name == "Other" || c.ID != 7 || c.Revision != 3 {
		t.Fatal("Clone must deep-copy and keep store fields")
	}
}

// BenchmarkValidateLarge measures validation of a stack past CloudFormation's
// size limit; the canvas validates on every edit and the export before every
// render.
func BenchmarkValidateLarge(b *testing.B) {
	s := modeltest.Large("large", 200, 1000)
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Validate()
	}
}
