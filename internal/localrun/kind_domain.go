package localrun

import (
	"fmt"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// A local run does not emulate custom domains: clients connect to each
// API's local address. Each domain is named when the run starts, with the
// API it would serve.
func init() {
	registerKind(&kindServer{kind: model.KindDomain, order: 44, serve: func(st *starting) error {
		x := model.NewIndex(st.s)
		for _, d := range st.s.Domains {
			msg := fmt.Sprintf("warning: custom domain %s is not emulated in a local run", d.Name)
			if a := x.DomainAPI(d); a != nil {
				msg += fmt.Sprintf("; connect to %s's local address instead of wss://%s", a.Name, d.DomainName)
			}
			st.progress(msg)
		}
		return nil
	}})
}

// deployOnlyParameters are the parameters only custom domains' certificates
// use: a run, which serves no domain, needs no value for them.
func deployOnlyParameters(s *model.Stack) map[string]bool {
	if len(s.Domains) == 0 {
		return nil
	}
	out := map[string]bool{}
	for _, d := range s.Domains {
		out[d.CertificateParameter] = true
	}
	for _, f := range s.Functions {
		for _, v := range f.Environment {
			for _, name := range s.ParameterRefs(v) {
				delete(out, name)
			}
		}
	}
	return out
}
