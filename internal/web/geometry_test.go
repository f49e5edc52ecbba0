package web

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

func TestBezierPath(t *testing.T) {
	for _, c := range []struct {
		x1, y1, x2, y2 float64
		want           string
	}{
		{0, 0, 100, 50, "M 0 0 C 50 0, 50 50, 100 50"},
		{300, 63, 500, 24, "M 300 63 C 400 63, 400 24, 500 24"},
		// Backwards: d is |x2-x1|/2, so the curve loops out and back.
		{100, 10, 0, 10, "M 100 10 C 150 10, -50 10, 0 10"},
		{0.04, 1.25, 10.06, 2, "M 0 1.3 C 5.1 1.3, 5.1 2, 10.1 2"},
	} {
		if got := BezierPath(c.x1, c.y1, c.x2, c.y2); got != c.want {
			t.Errorf("BezierPath(%v,%v,%v,%v) = %q, want %q", c.x1, c.y1, c.x2, c.y2, got, c.want)
		}
	}
}

// TestWiresMeetPorts checks the ports wires end at, the numbers app.css
// lays the nodes out with.
func TestWiresMeetPorts(t *testing.T) {
	s, _ := model.Example("chat", "chat")
	byID := map[string]WireView{}
	for _, w := range Wires(s) {
		byID[w.ID] = w
	}
	// $connect is the API's first route: its port is on the right edge,
	// in the middle of the first route row.
	w := byID["w10"]
	if w.FromNode != "api1" || w.FromPort != (Point{NodeWidth, HeadHeight + RouteHeight/2}) || w.ToNode != "fn6" || w.ToPort != (Point{0, HeadHeight / 2}) {
		t.Fatalf("integration wire %+v", w)
	}
	// sendMessage is the fourth route.
	if w := byID["w13"]; w.FromPort.Y != HeadHeight+3*RouteHeight+RouteHeight/2 {
		t.Fatalf("sendMessage wire %+v", w)
	}
	// A send wire goes from the function's call port, not its in-port,
	// into the API's connections port; a table wire leaves from another.
	if w := byID["w16"]; w.FromNode != "fn8" || w.FromPort != (Point{0, HeadHeight + BodyHeight/2}) || w.ToNode != "api1" || w.ToPort != (Point{NodeWidth, HeadHeight / 2}) || w.Kind != "send" {
		t.Fatalf("send wire %+v", w)
	}
	if w := byID["w15"]; w.FromNode != "fn8" || w.FromPort == byID["w16"].FromPort {
		t.Fatalf("table wire %+v leaves from the send wire's port", w)
	}
	// Each wire is named by its ends: its tooltip and accessible name.
	for id, want := range map[string]string{"w13": "route sendMessage → SendHandler", "w16": "SendHandler → ChatApi (send)", "w14": "ConnectionHandler → Connections (read-write)"} {
		if got := byID[id].Label; got != want {
			t.Errorf("wire %s label %q, want %q", id, got, want)
		}
	}
	if got, want := byID["w14"].Path(), BezierPath(460+NodeWidth, 40+HeadHeight/2, 840, 220+HeadHeight/2); got != want {
		t.Fatalf("read-write wire path %q, want %q", got, want)
	}
	if h := NodeHeight(s, s.Nodes()[0]); h != HeadHeight+4*RouteHeight+BodyHeight {
		t.Fatalf("API height %v", h)
	}
}

// TestCanvasPageRender is an expectation test (templ examples/blog): the
// parts the script and the tests rely on are there, and nothing the CSP
// would block is.
func TestCanvasPageRender(t *testing.T) {
	s, _ := model.Example("chat", "chat")
	s.ID, s.Revision = 7, 3
	var buf bytes.Buffer
	if err := CanvasPage(NewCanvasView(s)).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{
		`data-revision="3"`, `data-create-url="/stacks/7/nodes"`, `data-connect-url="/stacks/7/wires"`,
		`id="node-api1"`, `data-x="80"`, `data-y="120"`, `data-move-url="/stacks/7/nodes/fn6/move"`,
		`data-port="rt5"`, `data-port="fn8"`, `id="wire-w13"`, `class="wire wire-integration"`,
		`hx-get="/stacks/7/template"`, `hx-trigger="refresh"`, `href="/stacks/7/template.yaml"`,
		`src="` + Asset("dist/app.js") + `"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("canvas lacks %s", want)
		}
	}
	for _, banned := range []string{"style=", "<script>", "onclick", "hx-on"} {
		if strings.Contains(html, banned) {
			t.Errorf("canvas has %s, which the CSP blocks", banned)
		}
	}
}

// TestCanvasScriptHasNoGeometry keeps node geometry in one home: the
// canvas script reads the sizes from #editor, which CanvasPage renders from
// the constants above, and holds no copy of them (it used to drop nodes at
// the pointer minus 110 and 24, NodeWidth/2 and HeadHeight/2).
func TestCanvasScriptHasNoGeometry(t *testing.T) {
	files, _ := filepath.Glob("src/canvas/*.js")
	files = append(files, "src/canvas.js")
	sizes := map[string]bool{}
	for _, n := range []int{NodeWidth, HeadHeight, RouteHeight, BodyHeight, NodeWidth / 2, HeadHeight / 2, RouteHeight / 2} {
		sizes[strconv.Itoa(n)] = true
	}
	// Numbers that happen to equal a size but are no node's: the margin
	// Fit leaves around the stack, in screen pixels.
	notGeometry := regexp.MustCompile(`^const FIT_PAD = \d+$`)
	number := regexp.MustCompile(`\b\d+(\.\d+)?\b`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			code, _, _ := strings.Cut(line, "//")
			if notGeometry.MatchString(strings.TrimSpace(code)) {
				continue
			}
			for _, n := range number.FindAllString(code, -1) {
				if sizes[n] {
					t.Errorf("%s:%d: node geometry literal %s: read it from #editor's data-* instead\n\t%s", f, i+1, n, line)
				}
			}
		}
	}

	s, _ := model.Example("chat", "chat")
	var buf bytes.Buffer
	if err := CanvasPage(NewCanvasView(s)).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`data-node-width="` + strconv.Itoa(NodeWidth) + `"`,
		`data-head-height="` + strconv.Itoa(HeadHeight) + `"`,
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("#editor lacks %s", want)
		}
	}
}
