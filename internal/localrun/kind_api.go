package localrun

import (
	"errors"
	"log/slog"

	"github.com/switchboard-dev/switchboard/internal/apigw"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// APIs are served by the API Gateway emulation, which listens before the
// functions start: its ports go into their @connections URLs. Until they
// are warm, invocations wait at the gate.
func init() {
	registerKind(&kindServer{kind: model.KindAPI, order: 20, serve: serveAPIs})
}

func serveAPIs(st *starting) (err error) {
	opts := st.cfg.Gateway
	opts.Host, opts.Port, opts.Region = "127.0.0.1", st.cfg.Port, st.cfg.Region
	if st.r.gw, err = newGateway(st.logger, st.s, st.gate, opts); err != nil {
		return err
	}
	warnIntegrations(st)
	return st.r.gw.Start(st.ctx)
}

// GatewayAPIs is the gateway's configuration of the stack's WebSocket APIs:
// each route with the function its integration wire leads to, the
// authorizer with the function wired to it, and the send wires that push
// events name.
func GatewayAPIs(s *model.Stack) []apigw.API {
	x := model.NewIndex(s)
	out := make([]apigw.API, 0, len(s.APIs))
	for _, a := range s.APIs {
		api := apigw.API{
			ID:                        a.ID,
			Name:                      a.Name,
			StageName:                 a.StageName,
			RouteSelectionExpression:  a.RouteSelectionExpression,
			APIKeySelectionExpression: a.APIKeySelectionExpression,
		}
		for _, r := range a.Routes {
			route := apigw.Route{ID: r.ID, Key: r.Key, TwoWay: r.TwoWay, APIKeyRequired: r.APIKeyRequired, Authorized: r.Authorized}
			for _, w := range x.WiresFromOfKind(r.ID, model.WireIntegration) {
				if f := x.Function(w.To); f != nil {
					route.Target = &apigw.Target{Function: f.Name, FunctionID: f.ID, WireID: w.ID}
					break
				}
			}
			api.Routes = append(api.Routes, route)
		}
		if a.Authorizer != nil {
			au := &apigw.Authorizer{Name: a.Authorizer.Name, IdentitySources: a.Authorizer.IdentitySources}
			for _, w := range x.WiresToOfKind(a.ID, model.WireAuthorizer) {
				if f := x.Function(w.From); f != nil {
					au.Target = &apigw.Target{Function: f.Name, FunctionID: f.ID, WireID: w.ID}
					break
				}
			}
			api.Authorizer = au
		}
		for _, w := range x.WiresToOfKind(a.ID, model.WireSend) {
			api.SendWireIDs = append(api.SendWireIDs, w.ID)
		}
		out = append(out, api)
	}
	return out
}

// newGateway prepares the gateway for the stack; what it cannot serve is
// the user's to fix, as the stack's own problems are.
func newGateway(logger *slog.Logger, s *model.Stack, inv apigw.Invoker, opts apigw.Options) (*apigw.Gateway, error) {
	if len(s.APIs) == 0 {
		return nil, model.Errorf(model.EINVALID, "stack %q has no WebSocket API to run", s.Name)
	}
	gw, err := apigw.New(logger, GatewayAPIs(s), inv, opts)
	var ce *apigw.ConfigError
	if errors.As(err, &ce) {
		return nil, model.Errorf(model.EINVALID, "%s", ce.Message)
	}
	return gw, err
}
