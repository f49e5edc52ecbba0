package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// describeAPIKinds lists the stack's layers (with the functions using
// them), usage plans (with their keys and APIs) and custom domains.
func describeAPIKinds(w io.Writer, s *model.Stack) {
	if len(s.Layers)+len(s.UsagePlans)+len(s.Domains) == 0 {
		return
	}
	x := model.NewIndex(s)
	fmt.Fprintln(w, "\nLayers, usage plans and custom domains")
	for _, l := range s.Layers {
		var users []string
		for _, wire := range x.WiresTo(l.ID) {
			if f := x.Function(wire.From); f != nil && wire.Kind == model.WireLayer {
				users = append(users, f.Name)
			}
		}
		line := "  layer " + l.Name + " (" + l.ContentPath + ")"
		if len(users) > 0 {
			line += " used by " + strings.Join(users, ", ")
		}
		fmt.Fprintln(w, line)
	}
	for _, p := range s.UsagePlans {
		var apis, keys []string
		for _, wire := range x.WiresFromOfKind(p.ID, model.WireUsagePlan) {
			if a := x.API(wire.To); a != nil {
				apis = append(apis, a.Name)
			}
		}
		for _, k := range p.Keys {
			if k.Disabled {
				keys = append(keys, k.Name+" (disabled)")
			} else {
				keys = append(keys, k.Name)
			}
		}
		line := "  usage plan " + p.Name + ", " + strconv.Itoa(len(keys)) + " keys"
		if len(keys) > 0 {
			line += " (" + strings.Join(keys, ", ") + ")"
		}
		if len(apis) > 0 {
			line += " on " + strings.Join(apis, ", ")
		}
		fmt.Fprintln(w, line)
	}
	for _, d := range s.Domains {
		line := "  custom domain " + d.Name + " " + d.DomainName
		if a := x.DomainAPI(d); a != nil {
			line += " → " + a.Name
		}
		fmt.Fprintln(w, line+" (certificate: parameter "+d.CertificateParameter+")")
	}
}
