package apigw

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestNewRefusesWhatItCannotServe: a configuration the gateway cannot
// serve is a *ConfigError naming the fault, for the caller to show as the
// user's to fix.
func TestNewRefusesWhatItCannotServe(t *testing.T) {
	t.Parallel()
	inv := newFakeInvoker(nil)
	badStage := testAPIs("$default", "Def")
	badStage[0].StageName = "dev/x"
	tests := []struct {
		name string
		apis []API
		opts Options
		want string
	}{
		{"no API", nil, Options{}, "no WebSocket API"},
		{"stage not a path segment", badStage, Options{}, `stage name "dev/x"`},
		{"origin without a scheme", testAPIs("$default", "Def"), Options{AllowOrigins: []string{"evil.test"}}, `"evil.test"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(nil, tt.apis, inv, tt.opts)
			var ce *ConfigError
			if !errors.As(err, &ce) || !strings.Contains(ce.Message, tt.want) {
				t.Fatalf("New = %v, want a *ConfigError saying %s", err, tt.want)
			}
		})
	}
}

// TestNewCopiesTheAPIs: changing the configuration after New does not
// reach the running gateway.
func TestNewCopiesTheAPIs(t *testing.T) {
	t.Parallel()
	inv := newFakeInvoker(map[string]handlerFunc{
		"Echo": func(context.Context, map[string]any) (any, error) {
			return map[string]any{"statusCode": 200, "body": "pong"}, nil
		},
	})
	apis := testAPIs("$default!", "Echo")
	g := MustStart(t, apis, inv, Options{})
	apis[0].Routes[0].Target.Function = "Other"
	apis[0].Routes[0].TwoWay = false
	apis[0].Name = "Renamed"
	c := MustDial(t, g.Endpoints()[0].URL)
	c.send("hi")
	inv.next(t, "Echo")
	if got := c.MustRead(); got.Data != "pong" {
		t.Errorf("reply = %+v, want pong from the two-way route", got)
	}
	if name := g.Endpoints()[0].Name; name != "Api" {
		t.Errorf("endpoint name = %q, want Api", name)
	}
}
