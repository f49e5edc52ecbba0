package localrun

import (
	"errors"
	"log/slog"

	"github.com/switchboard-dev/switchboard/internal/apigw"
	"github.com/switchboard-dev/switchboard/internal/lambdaemu"
	"github.com/switchboard-dev/switchboard/internal/localca"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// APIs are served by the API Gateway emulation, which listens before the
// functions start: its ports go into their @connections URLs. Until they
// are registered, invocations wait at the gate.
func init() {
	registerKind(&kindServer{kind: model.KindAPI, order: 20, serve: serveAPIs})
}

func serveAPIs(st *starting) (err error) {
	opts := st.cfg.Gateway
	opts.Host, opts.Port, opts.Region = "127.0.0.1", st.cfg.Port, st.cfg.Region
	// HTTPS too, as handlers reach @connections at
	// https://${domainName}/${stage}, with a certificate of the user's
	// local CA that the function processes are told to trust.
	caDir := st.cfg.CADir
	if caDir == "" {
		if caDir, err = localca.DefaultDir(); err != nil {
			return err
		}
	}
	ca, err := localca.Load(caDir)
	if err != nil {
		return err
	}
	if opts.TLS, err = ca.ServerConfig(); err != nil {
		return err
	}
	bundle, err := ca.BundlePath()
	if err != nil {
		return err
	}
	st.r.trustEnv = map[string]string{
		"NODE_EXTRA_CA_CERTS": ca.CertPath, // added to Node.js's roots
		"SSL_CERT_FILE":       bundle,      // these replace the roots: the system's plus the CA
		"REQUESTS_CA_BUNDLE":  bundle,
		"AWS_CA_BUNDLE":       bundle,
	}
	x := model.NewIndex(st.s)
	for _, a := range st.s.APIs {
		for _, r := range a.Routes {
			if integratedHere(x, r) != nil {
				// Served by the run's services, made here when no queue,
				// topic or state machine made them before.
				if _, err := st.services(); err != nil {
					return err
				}
			}
		}
	}
	if st.r.gw, err = newGateway(st.logger, st.s, st.gate, opts); err != nil {
		return err
	}
	warnIntegrations(st)
	return st.r.gw.Start(st.ctx)
}

// addEndpointEnv gives each function what makes AWS SDK clients without an
// explicit endpoint, and https:// clients, reach the run: trust in the
// local CA, and AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI (the variable the
// SDKs read for service ID "ApiGatewayManagementApi") set to the API the
// function sends to, or the stack's first. A variable the function sets
// itself is kept.
func addEndpointEnv(s *model.Stack, fns []lambdaemu.FunctionConfig, eps []apigw.Endpoint, trust map[string]string) {
	if len(eps) == 0 {
		return
	}
	x := model.NewIndex(s)
	byAPI := make(map[string]apigw.Endpoint, len(eps))
	for _, ep := range eps {
		byAPI[ep.APIID] = ep
	}
	byName := make(map[string]*model.Function, len(s.Functions))
	for _, f := range s.Functions {
		byName[f.Name] = f
	}
	for i := range fns {
		fc := &fns[i]
		mgmt := eps[0].ManagementURL
		if f := byName[fc.Name]; f != nil {
			for _, w := range x.WiresFromOfKind(f.ID, model.WireSend) {
				if ep, ok := byAPI[w.To]; ok {
					mgmt = ep.ManagementURL
					break
				}
			}
		}
		setDefault(fc.Env, "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI", mgmt)
		for k, v := range trust {
			setDefault(fc.Env, k, v)
		}
	}
}

func setDefault(env map[string]string, k, v string) {
	if _, ok := env[k]; !ok {
		env[k] = v
	}
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
			if w := integratedHere(x, r); w != nil {
				// The run serves the integration itself (services.go).
				route.Target = &apigw.Target{Function: integrationTarget(x, a, r, w), FunctionID: w.To, WireID: w.ID}
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
