// Package modeltest builds stacks for tests and benchmarks in other packages.
package modeltest

import (
	"fmt"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// Large returns a valid stack with the given numbers of functions and routes,
// spread over APIs of 50 routes each, with a table per 10 functions and the
// wires a real stack of that size would have. It is the shape the export and
// store benchmarks measure.
func Large(name string, functions, routes int) *model.Stack {
	s := &model.Stack{Name: name, Description: fmt.Sprintf("Generated: %d functions, %d routes", functions, routes)}
	for i := range functions {
		f := model.NewFunction(s.NewID("fn"), fmt.Sprintf("Handler%d", i+1))
		f.Position = model.Position{X: 400, Y: float64(i * 120)}
		f.Environment = map[string]string{"LOG_LEVEL": "info"}
		s.Functions = append(s.Functions, f)
		if i%10 == 0 {
			t := model.NewTable(s.NewID("tbl"), fmt.Sprintf("Table%d", i/10+1))
			t.Position = model.Position{X: 800, Y: float64(i * 120)}
			s.Tables = append(s.Tables, t)
		}
		t := s.Tables[len(s.Tables)-1]
		kind := model.WireRead
		if i%2 == 0 {
			kind = model.WireReadWrite
		}
		s.Wires = append(s.Wires, &model.Wire{ID: s.NewID("w"), Kind: kind, From: f.ID, To: t.ID})
	}
	var api *model.API
	for i := range routes {
		if i%50 == 0 {
			api = model.NewAPI(s.NewID("api"), fmt.Sprintf("Api%d", i/50+1))
			api.Position = model.Position{X: 0, Y: float64(i * 10)}
			s.APIs = append(s.APIs, api)
			if functions > 0 {
				sender := s.Functions[(i/50)%functions]
				s.Wires = append(s.Wires, &model.Wire{ID: s.NewID("w"), Kind: model.WireSend, From: sender.ID, To: api.ID})
			}
		}
		r := &model.Route{ID: s.NewID("rt"), Key: fmt.Sprintf("action%d", i+1), TwoWay: i%3 == 0}
		switch i % 50 {
		case 0:
			r.Key = model.RouteConnect
		case 1:
			r.Key = model.RouteDisconnect
		case 2:
			r.Key = model.RouteDefault
		}
		api.Routes = append(api.Routes, r)
		if functions > 0 {
			f := s.Functions[i%functions]
			s.Wires = append(s.Wires, &model.Wire{ID: s.NewID("w"), Kind: model.WireIntegration, From: r.ID, To: f.ID})
		}
	}
	return s
}
