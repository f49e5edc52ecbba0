package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/switchboard-dev/switchboard/model"
)

// describe prints a stack for a person: what it holds, how it is wired and
// what is wrong with it.
func describe(w io.Writer, s *model.Stack) {
	fmt.Fprintf(w, "Stack %s (revision %d)\n", s.Name, s.Revision)
	if s.Description != "" {
		fmt.Fprintf(w, "  %s\n", s.Description)
	}
	for _, a := range s.APIs {
		fmt.Fprintf(w, "\nWebSocket API %s  stage %s, routes by %s\n", a.Name, a.StageName, a.RouteSelectionExpression)
		for _, r := range a.Routes {
			handler := "(no handler)"
			if f := s.RouteHandler(r.ID); f != nil {
				handler = f.Name
			}
			var flags []string
			if r.TwoWay {
				flags = append(flags, "two-way")
			}
			if r.APIKeyRequired {
				flags = append(flags, "API key")
			}
			if r.Authorized {
				flags = append(flags, "authorized")
			}
			extra := ""
			if len(flags) > 0 {
				extra = "  [" + strings.Join(flags, ", ") + "]"
			}
			fmt.Fprintf(w, "  %-14s → %s%s\n", r.Key, handler, extra)
		}
		if a.Authorizer != nil {
			name := "(no function)"
			if f := s.AuthorizerFunction(a.ID); f != nil {
				name = f.Name
			}
			fmt.Fprintf(w, "  authorizer %s: %s from %s\n", a.Authorizer.Name, name, strings.Join(a.Authorizer.IdentitySources, ", "))
		}
	}
	if len(s.Functions) > 0 {
		fmt.Fprintln(w, "\nFunctions")
		for _, f := range s.Functions {
			fmt.Fprintf(w, "  %s  %s %s, %d MB, %d s, code in %s\n", f.Name, f.Runtime, f.Handler, f.MemorySize, f.Timeout, f.CodePath)
			for _, wire := range s.Wires {
				if wire.From != f.ID {
					continue
				}
				switch wire.Kind {
				case model.WireRead, model.WireReadWrite:
					if t := s.Table(wire.To); t != nil {
						fmt.Fprintf(w, "    %s table %s (%s)\n", wire.Kind, t.Name, t.TableEnvVar())
					}
				case model.WireSend:
					if a := s.API(wire.To); a != nil {
						fmt.Fprintf(w, "    sends to %s connections (%s)\n", a.Name, a.ConnectionsEnvVar())
					}
				}
			}
		}
	}
	if len(s.Tables) > 0 {
		fmt.Fprintln(w, "\nTables")
		for _, t := range s.Tables {
			key := t.PartitionKey.Name + " (" + string(t.PartitionKey.Type) + ")"
			if t.SortKey != nil {
				key += ", " + t.SortKey.Name + " (" + string(t.SortKey.Type) + ")"
			}
			fmt.Fprintf(w, "  %s  key %s, %s\n", t.Name, key, t.BillingMode)
		}
	}
	problems := s.Check()
	if len(problems) == 0 {
		fmt.Fprintln(w, "\nNo problems: ready to export.")
		return
	}
	fmt.Fprintf(w, "\nProblems (%d)\n", len(problems))
	for _, p := range problems {
		fmt.Fprintf(w, "  %s: %s\n", p.Severity, p.Message)
	}
}
