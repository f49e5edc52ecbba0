package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// describe prints a stack for a person: what it holds, how it is wired and
// what is wrong with it. A description, a handler or anything else that
// came from a template or a shared switchboard.json could hold terminal
// control sequences, so the text goes through terminalSafe.
func describe(out io.Writer, s *model.Stack) {
	w := terminalSafe(out)
	fmt.Fprintf(w, "Stack %s (revision %d)\n", s.Name, s.Revision)
	if s.Description != "" {
		fmt.Fprintf(w, "  %s\n", s.Description)
	}
	for _, a := range s.APIs {
		fmt.Fprintf(w, "\nWebSocket API %s  stage %s, routes by %s\n", a.Name, a.StageName, a.RouteSelectionExpression)
		for _, r := range a.Routes {
			handler := "(no handler)"
			switch w := s.RouteTarget(r.ID); {
			case w != nil && w.Kind == model.WireIntegration:
				if n, ok := s.Node(w.To); ok {
					handler = n.Name
				}
			case w != nil:
				if n, ok := s.Node(w.To); ok {
					handler = n.Name + " (" + string(w.Kind) + ")"
				}
			case r.Integration.Wireless():
				handler = string(r.Integration.Type) + " " + r.Integration.URI
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
				switch g, ok := s.Grant(wire); {
				case !ok:
				case g.Table != nil:
					fmt.Fprintf(w, "    %s table %s (%s)\n", wire.Kind, g.Table.Name, g.EnvName)
				case g.API != nil:
					fmt.Fprintf(w, "    sends to %s connections (%s)\n", g.API.Name, g.EnvName)
				default:
					kind, node := g.Target()
					fmt.Fprintf(w, "    %s %s %s (%s)\n", wire.Kind, kind, node.Name, g.EnvName)
				}
			}
		}
	}
	if len(s.Parameters) > 0 {
		fmt.Fprintln(w, "\nParameters (switchboard run --param Name=value)")
		for _, p := range s.Parameters {
			def := "no default"
			if p.Default != nil {
				def = fmt.Sprintf("default %q", *p.Default)
			}
			fmt.Fprintf(w, "  %s  %s", p.Name, def)
			if p.Description != "" {
				fmt.Fprintf(w, "  %s", p.Description)
			}
			fmt.Fprintln(w)
		}
	}
	if s.ImportedFrom != "" {
		fmt.Fprintf(w, "\nImported from %s (a local run's code folder unless a linked repository is on this machine)\n", s.ImportedFrom)
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
	services := []string{}
	for _, q := range s.Queues {
		services = append(services, "  queue "+q.Name+describeTriggers(s, q.ID))
	}
	for _, t := range s.Topics {
		services = append(services, "  topic "+t.Name+describeTriggers(s, t.ID))
	}
	for _, m := range s.StateMachines {
		services = append(services, "  state machine "+m.Name+" ("+strings.ToLower(string(m.Type))+")")
	}
	for _, b := range s.Buses {
		services = append(services, "  bus "+b.Name+describeTriggers(s, b.ID))
	}
	for _, r := range s.Rules {
		services = append(services, "  rule "+r.Name+describeTriggers(s, r.ID))
	}
	for _, b := range s.Buckets {
		services = append(services, "  bucket "+b.Name+describeTriggers(s, b.ID))
	}
	for _, t := range s.Streams {
		services = append(services, "  stream "+t.Name)
	}
	if len(services) > 0 {
		fmt.Fprintln(w, "\nQueues, topics, state machines, buses, rules, buckets and streams")
		fmt.Fprintln(w, strings.Join(services, "\n"))
	}
	describeAPIKinds(w, s)
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

// terminalSafe returns a writer that passes text to w with every control
// character but newline and tab shown as an escape (ESC as \x1b, a C1 such
// as CSI as \u009b, a byte that is not UTF-8 as \xff), so text from a stack
// or a handler's output cannot move the cursor, retitle the window, clear
// the screen or hide a line from whoever reads it in a terminal. Each Write
// should hold whole characters, as fmt's calls do.
func terminalSafe(w io.Writer) io.Writer { return terminalWriter{w} }

type terminalWriter struct{ w io.Writer }

func (t terminalWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(t.w, escapeTerminal(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// escapeTerminal returns s with its control characters escaped, as
// terminalSafe writes it.
func escapeTerminal(s string) string {
	clean := true
	for _, r := range s {
		if needsEscape(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && needsEscape(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case needsEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// needsEscape reports a C0 control but newline and tab, DEL, a C1 control,
// or the replacement for a byte that is not UTF-8.
func needsEscape(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || r == utf8.RuneError
}

// describeTriggers lists the functions a queue or topic triggers and the
// queue it moves dead letters to.
func describeTriggers(s *model.Stack, id string) string {
	var out []string
	for _, w := range s.Wires {
		if w.From != id {
			continue
		}
		if n, ok := s.Node(w.To); ok {
			out = append(out, string(w.Kind)+" → "+n.Name)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return ": " + strings.Join(out, ", ")
}
