package lambdaemu

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// TestGoHandler runs a handler built with aws-lambda-go, unchanged, as a
// provided.al2023 function.
func TestGoHandler(t *testing.T) {
	t.Parallel() // waits on processes, not the CPU, much of the time
	dir := MustGoHandler(t)
	p := MustPool(t, Options{}, FunctionConfig{Name: "GoEcho", Runtime: "provided.al2023", Handler: "bootstrap", CodeDir: dir, MemoryMB: 128, Timeout: 5 * time.Second})
	event := func(body string) []byte {
		b, err := json.Marshal(events.APIGatewayWebsocketProxyRequest{
			Body:           body,
			RequestContext: events.APIGatewayWebsocketProxyRequestContext{RouteKey: "$default", ConnectionID: "abc="},
		})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	invoke := func(body string) (events.APIGatewayProxyResponse, error) {
		var r events.APIGatewayProxyResponse
		out, err := p.Invoke(context.Background(), "GoEcho", event(body))
		if err == nil {
			err = json.Unmarshal(out, &r)
		}
		return r, err
	}

	r, err := invoke("hello")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(r.Body, ":")
	if r.StatusCode != 200 || len(parts) != 4 || parts[0] != "$default" || parts[1] != "hello" || len(parts[2]) != 36 || parts[3] != "GoEcho" {
		t.Errorf("got %+v", r)
	}

	_, err = invoke("fail")
	var fe *FunctionError
	if !errors.As(err, &fe) || !errors.Is(err, ErrHandler) || fe.Message != "go handler failed" || fe.Type != "errorString" {
		t.Errorf("handler error: got %#v", err)
	}
	if _, err := invoke("crash"); !errors.Is(err, ErrCrash) || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("crash: got %v", err)
	}
	if r, err := invoke("again"); err != nil || r.StatusCode != 200 {
		t.Errorf("after the crash: %+v, %v", r, err)
	}
}
