package localrun

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/switchboard-dev/switchboard/internal/lambdaemu"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// kindServer is how a local run serves one kind of node in model's
// catalogue. Each kind registers one in its own file (kind_api.go,
// kind_function.go, kind_table.go); Start runs every kind's refuse, then
// every prepare, then every serve, each in order.
type kindServer struct {
	kind model.Kind
	// order is when the kind is served: tables before the APIs, whose
	// ports go into the functions' environment, functions last.
	order int
	// refuse lists what stops the kind's nodes from running, checked
	// before anything starts, not even a temporary folder; nil for none.
	refuse func(s *model.Stack) []string
	// prepare readies what serving needs before any kind is served (the
	// functions' code); nil for nothing.
	prepare func(st *starting) error
	// serve starts the kind's nodes.
	serve func(st *starting) error
}

// starting is a run being started: what each kind's serving reads, and
// the runner it fills.
type starting struct {
	ctx    context.Context
	logger *slog.Logger
	cfg    Config
	s      *model.Stack
	r      *Runner
	// gate holds the APIs' invocations until the functions are registered.
	gate *gate
	// pool is how the functions will run, filled while preparing their
	// code (the runtime's SDK, the interpreter of each function).
	pool         lambdaemu.Options
	interpreters map[string]string // function name → executable
}

// progress tells the user of a step of the start.
func (st *starting) progress(msg string) {
	if st.cfg.OnProgress != nil {
		st.cfg.OnProgress(msg)
		return
	}
	st.logger.InfoContext(st.ctx, msg)
}

var kindServers []*kindServer

// registerKind adds a kind's serving; each kind file calls it once.
func registerKind(k *kindServer) {
	if slices.ContainsFunc(kindServers, func(o *kindServer) bool { return o.kind == k.kind }) {
		panic(fmt.Sprintf("localrun: kind %q registered twice", k.kind))
	}
	kindServers = append(kindServers, k)
	slices.SortStableFunc(kindServers, func(a, b *kindServer) int { return cmp.Compare(a.order, b.order) })
}
