//go:build !race

// These tests drive the program from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; the run, serve and watch tests run under
// -race).

package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// TestCommandHelpUnchanged pins every command's flags (names, defaults,
// help text) to the help the by-name lookups printed before flags were
// bound to typed options: testdata/help was written by that build.
func TestCommandHelpUnchanged(t *testing.T) {
	t.Parallel()
	for _, cmd := range commands {
		t.Run(cmd.name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", "help", cmd.name+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			r := runCLI(t, DefaultDB, cmd.name, "--help")
			if r.code != 0 || r.stdout != string(want) {
				t.Errorf("exit %d, help:\n%s\nwant:\n%s", r.code, r.stdout, want)
			}
		})
	}
}

// TestGivenFlag checks given, which tells a flag left at its default from
// one set to the default's value: --addr 127.0.0.1:8080 must still win over
// $SWITCHBOARD_ADDR.
func TestGivenFlag(t *testing.T) {
	var o serveOptions
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	o.bind(fs)
	if err := fs.Parse([]string{"--addr", o.addr}); err != nil {
		t.Fatal(err)
	}
	if !given(fs, &o.addr) {
		t.Error("--addr given at its default value: given says no")
	}
	if given(fs, &o.allowHosts) || given(fs, &o.listenAnywhere) {
		t.Error("flags left out: given says yes")
	}
}
