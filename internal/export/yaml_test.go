package export

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/switchboard-dev/switchboard/internal/cfn"
)

// awkwardStrings are values a YAML writer can get wrong.
var awkwardStrings = []string{
	"plain", "$request.body.action", "/aws/lambda/x", "AWS::Lambda::Function", "a, b",
	"", " ", "yes", "Yes", "NO", "on", "off", "y", "n", "true", "False", "null", "NULL", "~",
	"123", "-1", ".5", "1e3", "0x1F", "0o7", "1_000", "2026-11-23", "2001-12-14t21:59:43.10-05:00", ".inf", ".NaN",
	"- dash", "? q", ": c", "a: b", "a:", "a #b", "#c", "&a", "*a", "!Ref X", "%x", "@at", "`tick", "'q'", `"dq"`,
	"[a]", "{a: 1}", "| lit", "> fold", "<<", "=", "---", "...",
	"two\nlines", "trailing\n", "\n", "tab\tin", "cr\rin", "nul\x00in", "del\x7fin", "c1\u0085\u0086in",
	"bom\ufeffin", "\ufffe", "line\u2028sep", "héllo", "emoji 🙂", "back\\slash", "  lead", "trail ",
}

// TestYAMLStringsReadBackUnchanged writes awkward strings as values and keys
// and reads them back with yaml.v3: each must come back as the same string.
func TestYAMLStringsReadBackUnchanged(t *testing.T) {
	t.Parallel()
	for _, s := range awkwardStrings {
		for _, asKey := range []bool{false, true} {
			n := cfn.MapOf("K", cfn.Str(s))
			if asKey {
				n = cfn.MapOf(s, cfn.Str("v"))
			}
			out := cfn.WriteYAML(n, 0)
			var got map[string]any
			if err := yaml.Unmarshal(out, &got); err != nil {
				t.Errorf("%q (key %v): %v\n%s", s, asKey, err, out)
				continue
			}
			key, value := "K", s
			if asKey {
				key, value = s, "v"
			}
			if len(got) != 1 || got[key] != value {
				t.Errorf("%q (key %v) read back as %#v\n%s", s, asKey, got, out)
			}
			for _, v := range got {
				if _, ok := v.(string); !ok {
					t.Errorf("%q (key %v) read back as %T", s, asKey, v)
				}
			}
		}
	}
}

// TestYAMLStringsReadByPyYAML reads the same strings with PyYAML, the YAML
// 1.1 parser cfn-lint and the AWS CLI use, where yes and on are booleans.
func TestYAMLStringsReadByPyYAML(t *testing.T) {
	t.Parallel()
	requireTool(t, "python3")
	n := &cfn.Value{Kind: cfn.Map}
	want := map[string]string{}
	for i, s := range awkwardStrings {
		key := fmt.Sprintf("K%d", i)
		n.Add(key, cfn.Str(s))
		want[key] = s
	}
	dir := t.TempDir()
	wantJSON, _ := json.Marshal(want)
	if err := os.WriteFile(filepath.Join(dir, "strings.yaml"), cfn.WriteYAML(n, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "strings.json"), wantJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	const script = `
import json, sys
try:
    import yaml
except ImportError:
    sys.exit(3)
got = yaml.safe_load(open("strings.yaml", encoding="utf-8"))
want = json.load(open("strings.json", encoding="utf-8"))
bad = [(k, want[k], got.get(k)) for k in want if got.get(k) != want[k]]
print(bad if bad else "", end="")
sys.exit(1 if bad else 0)
`
	out, err := runTool(t, dir, nil, "python3", "-c", script)
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 3 {
		t.Skip("python3 has no yaml module (PyYAML); cfn-lint brings it")
	}
	if err != nil || out != "" {
		t.Errorf("PyYAML reads differently: %v\n%s", err, out)
	}
}
