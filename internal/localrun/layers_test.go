package localrun

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// layerStack is probeStack whose function requires modules from two
// layers: greeter only in Shared, and which in both, where the later layer
// wins as it does in Lambda's /opt.
func layerStack(t *testing.T, root string) *model.Stack {
	t.Helper()
	s := probeStack(t, root, nil)
	if err := os.Remove(filepath.Join(root, "functions", "probe", "index.mjs")); err != nil {
		t.Fatal(err)
	}
	MustWrite(t, root, map[string]string{
		"functions/probe/index.js":                           `exports.handler = async (e) => ({ statusCode: 200, body: require("greeter").greet(e.body) + " via " + require("which") });`,
		"layers/shared/nodejs/node_modules/greeter/index.js": `exports.greet = (who) => "hello " + who;`,
		"layers/shared/nodejs/node_modules/which/index.js":   `module.exports = "shared";`,
		"layers/extra/nodejs/node_modules/which/index.js":    `module.exports = "extra";`,
	})
	shared, extra := model.NewLayer("ly1", "Shared"), model.NewLayer("ly2", "Extra")
	s.Layers = []*model.Layer{shared, extra}
	s.Wires = append(s.Wires,
		&model.Wire{ID: "w2", Kind: model.WireLayer, From: "f1", To: "ly1"},
		&model.Wire{ID: "w3", Kind: model.WireLayer, From: "f1", To: "ly2"})
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestLayersOnTheModulePath: a function's layers' modules load in a local
// run as on Lambda, from each layer's folder (nodejs/node_modules), the
// later layer first.
func TestLayersOnTheModulePath(t *testing.T) {
	t.Parallel()
	testtool.Command(t, "node", "the run starts Node.js handlers")
	root := t.TempDir()
	r := MustRun(t, Config{Stack: layerStack(t, root), CodeDir: root})
	c := MustDial(t, r, "")
	MustSend(t, c, "you")
	if got := MustRead(t, c); got != "hello you via extra" {
		t.Errorf("the handler answered %q, want the layers' modules, Extra's winning", got)
	}
}

// TestLayerFolderEscapes: a layer folder that leads out of the code folder
// through a symbolic link is refused, naming where it leads; a layer whose
// folder does not exist is named, with the functions that run without it.
func TestLayerFolderEscapes(t *testing.T) {
	t.Parallel()
	root, outside := t.TempDir(), t.TempDir()
	s := layerStack(t, root)
	if err := os.RemoveAll(filepath.Join(root, "layers", "extra")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "layers", "extra")); err != nil {
		t.Skip(err)
	}
	_, err := Start(context.Background(), nil, Config{Stack: s, CodeDir: root})
	if err == nil || !strings.Contains(err.Error(), "layer Extra: its folder") || !strings.Contains(err.Error(), "outside the code folder") {
		t.Fatalf("err = %v, want the escape refused", err)
	}

	testtool.Command(t, "node", "the run starts Node.js handlers")
	if err := os.Remove(filepath.Join(root, "layers", "extra")); err != nil {
		t.Fatal(err)
	}
	var lines []string
	r := MustRun(t, Config{Stack: s, CodeDir: root, OnProgress: func(m string) { lines = append(lines, m) }})
	want := "warning: layer Extra: its folder " + filepath.Join(root, "layers", "extra") + " does not exist; Probe run without it"
	if !strings.Contains(strings.Join(lines, "\n"), want) {
		t.Errorf("the run said:\n%s\nwant %q", strings.Join(lines, "\n"), want)
	}
	c := MustDial(t, r, "")
	MustSend(t, c, "you")
	if got := MustRead(t, c); got != "hello you via shared" {
		t.Errorf("the handler answered %q", got)
	}
}

// TestUsagePlansAndDomainsAreNamed: a run names each usage plan and custom
// domain it does not emulate, and needs no value for a parameter only a
// domain's certificate uses (a function that uses it still needs one).
func TestUsagePlansAndDomainsAreNamed(t *testing.T) {
	t.Parallel()
	s := probeStack(t, t.TempDir(), nil)
	plan := model.NewUsagePlan("up1", "Partners")
	plan.Keys = []*model.APIKey{{Name: "AcmeKey"}}
	dom := model.NewDomain("dom1", "ChatDomain")
	dom.DomainName = "ws.example.com"
	s.UsagePlans, s.Domains = []*model.UsagePlan{plan}, []*model.Domain{dom}
	s.Parameters = []*model.Parameter{{Name: dom.CertificateParameter}}
	s.Wires = append(s.Wires,
		&model.Wire{ID: "w2", Kind: model.WireUsagePlan, From: "up1", To: "api1"},
		&model.Wire{ID: "w3", Kind: model.WireAPIMapping, From: "dom1", To: "api1"})
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if missing := MissingParameters(s, nil); len(missing) != 0 {
		t.Errorf("missing %v, want none: only the domain's certificate uses it", missing)
	}
	var lines []string
	st := &starting{s: s, cfg: Config{OnProgress: func(m string) { lines = append(lines, m) }}}
	for _, k := range kindServers {
		if k.kind == model.KindUsagePlan || k.kind == model.KindDomain {
			if err := k.serve(st); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := strings.Join(lines, "\n")
	for _, want := range []string{
		"warning: usage plan Partners is not emulated in a local run: its keys, throttle and quota are not checked; routes of Api that require an API key accept any key sent",
		"warning: custom domain ChatDomain is not emulated in a local run; connect to Api's local address instead of wss://ws.example.com",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the run said:\n%s\nwant %q", got, want)
		}
	}
	s.Functions[0].Environment = map[string]string{"CERT": "${" + dom.CertificateParameter + "}"}
	if missing := MissingParameters(s, nil); len(missing) != 1 {
		t.Errorf("missing %v, want the certificate parameter a function uses", missing)
	}
}
