package importer_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// The corpus is WebSocket stacks other people published (AWS samples, the
// serverless-patterns collection, the Serverless Framework's examples, the
// CDK's own test snapshots), each in testdata/corpus/<name>/ with a SOURCES
// file naming where it came from. Each must import, export, round-trip, and
// come back out as the same infrastructure.
const corpusDir = "testdata/corpus"

type corpusStack struct {
	name string
	// file is the template or serverless.yml.
	file string
}

func corpusStacks(tb testing.TB) []corpusStack {
	tb.Helper()
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		tb.Fatal(err)
	}
	var out []corpusStack
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(corpusDir, e.Name())
		if _, err := os.Stat(filepath.Join(dir, "SOURCES")); err != nil {
			tb.Fatalf("%s has no SOURCES file: %v", dir, err)
		}
		files, err := os.ReadDir(dir)
		if err != nil {
			tb.Fatal(err)
		}
		var file string
		for _, f := range files {
			if f.Name() == compiledTemplate {
				continue // the Framework's compilation of the serverless.yml beside it
			}
			switch filepath.Ext(f.Name()) {
			case ".yaml", ".yml", ".json":
				if file != "" {
					tb.Fatalf("%s holds two templates, %s and %s", dir, file, f.Name())
				}
				file = filepath.Join(dir, f.Name())
			}
		}
		if file == "" {
			tb.Fatalf("%s holds no template", dir)
		}
		out = append(out, corpusStack{name: e.Name(), file: file})
	}
	if len(out) < 15 {
		tb.Fatalf("the corpus has %d stacks; it should have at least 15", len(out))
	}
	return out
}

// corpusResult is what happened to one stack.
type corpusResult struct {
	imported, exported, roundTrip, same bool
	// original and exported are written for cfn-lint; original is the SAM
	// expansion where the source is SAM.
	originalFile, exportedFile string
	// sourceSHA256 hashes the file the original was read from.
	sourceSHA256 string
	differences  []string
}

// TestCorpus imports each stack of the corpus, exports it, compares the
// export with the source by meaning, reads the export back and exports it
// again, and lints both with cfn-lint in one run. The log ends with the
// counts: how many import, export, and come back as the same
// infrastructure.
func TestCorpus(t *testing.T) {
	t.Parallel()
	stacks := corpusStacks(t)
	dir := t.TempDir()
	results := make([]*corpusResult, len(stacks))
	t.Run("stacks", func(t *testing.T) {
		for i, cs := range stacks {
			results[i] = &corpusResult{}
			t.Run(cs.name, func(t *testing.T) {
				t.Parallel()
				checkCorpusStack(t, cs, dir, results[i])
			})
		}
	})
	var imported, exported, roundTrip, same int
	for _, r := range results {
		imported += b2i(r.imported)
		exported += b2i(r.exported)
		roundTrip += b2i(r.roundTrip)
		same += b2i(r.same)
	}
	t.Logf("corpus of %d stacks: %d import, %d export, %d round-trip byte-identical, %d come back as the same infrastructure",
		len(stacks), imported, exported, roundTrip, same)
	lintCorpus(t, stacks, results, true)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func checkCorpusStack(t *testing.T, cs corpusStack, dir string, r *corpusResult) {
	data, err := os.ReadFile(cs.file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := importer.Parse(cs.file, data)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	r.imported = true
	// As `switchboard import` names it.
	res.Stack.Name = importer.SuggestName(res, cs.file)
	out, err := export.YAML(res.Stack)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	r.exported = true
	r.exportedFile = filepath.Join(dir, cs.name+".export.yaml")
	if err := os.WriteFile(r.exportedFile, out, 0o644); err != nil {
		t.Fatal(err)
	}

	again, err := importer.Parse(r.exportedFile, out)
	if err != nil {
		t.Fatalf("import of the export: %v", err)
	}
	again.Stack.Name = res.Stack.Name
	out2, err := export.YAML(again.Stack)
	switch {
	case err != nil:
		t.Errorf("export of the export: %v", err)
	case !bytes.Equal(out, out2):
		t.Errorf("export → import → export differs:\n%s", lineDiff(string(out), string(out2)))
	default:
		r.roundTrip = true
	}

	if res.Format == importer.FormatServerless {
		// The Framework compiles a serverless.yml; its compiled template is
		// what the export must match, kept beside the source.
		compiled := filepath.Join(filepath.Dir(cs.file), compiledTemplate)
		if _, err := os.Stat(compiled); err != nil {
			t.Logf("no %s beside %s: no comparison by meaning", compiledTemplate, cs.file)
			return
		}
		data, err = os.ReadFile(compiled)
		if err != nil {
			t.Fatal(err)
		}
	}
	original := readTemplate(t, cs.file, data)
	if res.Format == importer.FormatServerless {
		original = withoutArtifact(original)
	}
	if isSAM(original) {
		original = expandSAM(t, original)
	}
	r.sourceSHA256 = fmt.Sprintf("%x", sha256.Sum256(data))
	r.originalFile = filepath.Join(dir, cs.name+".original.json")
	if err := os.WriteFile(r.originalFile, mustJSON(t, original), 0o644); err != nil {
		t.Fatal(err)
	}
	exportedTpl := readTemplate(t, r.exportedFile, out)
	if isSAM(exportedTpl) {
		exportedTpl = expandSAM(t, exportedTpl)
	}
	r.differences = compareTemplates(normalise(original, filepath.Dir(cs.file)), normalise(exportedTpl, filepath.Dir(cs.file)))
	if len(r.differences) > 0 {
		t.Errorf("the export is not the same infrastructure as %s:\n  %s", cs.file, strings.Join(r.differences, "\n  "))
		return
	}
	r.same = true
}

// withoutArtifact sets aside what the Framework's compiled template owes to
// the artifact it packaged rather than to the serverless.yml (see
// TestServerlessCompiledNames): its function versions, named after the
// artifact's hash, with the outputs of their ARNs, and the artifact itself,
// the service folder zipped, which the export names as the handler's folder
// (handler src/h/connect.handler → Code src/h, Handler connect.handler).
func withoutArtifact(tpl map[string]any) map[string]any {
	resources, _ := tpl["Resources"].(map[string]any)
	for id, r := range resources {
		res, _ := r.(map[string]any)
		props, _ := res["Properties"].(map[string]any)
		switch res["Type"] {
		case "AWS::Lambda::Version":
			delete(resources, id)
		case "AWS::Lambda::Function":
			code, _ := props["Code"].(map[string]any)
			bucket, _ := code["S3Bucket"].(map[string]any)
			if handler, ok := props["Handler"].(string); ok && bucket["Ref"] == "ServerlessDeploymentBucket" {
				dir, file := path.Split(handler)
				props["Code"], props["Handler"] = path.Clean("./"+dir), file
			}
		}
	}
	outputs, _ := tpl["Outputs"].(map[string]any)
	for name := range outputs {
		if strings.HasSuffix(name, "QualifiedArn") {
			delete(outputs, name)
		}
	}
	return tpl
}

// readTemplate reads a template into plain Go values, intrinsics in their
// long form.
func readTemplate(tb testing.TB, name string, data []byte) map[string]any {
	tb.Helper()
	var v *cfn.Value
	var err error
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		v, err = cfn.ReadJSON(context.Background(), data, cfn.DefaultLimits)
	} else {
		v, err = cfn.ReadYAML(context.Background(), data, cfn.DefaultLimits)
	}
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	var out map[string]any
	dec := json.NewDecoder(bytes.NewReader(v.JSON()))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return out
}

func isSAM(tpl map[string]any) bool {
	switch tr := tpl["Transform"].(type) {
	case string:
		return tr == "AWS::Serverless-2016-10-31"
	case []any:
		return slices.Contains(tr, any("AWS::Serverless-2016-10-31"))
	}
	return false
}

// samExpander is one python3 running testdata/corpus/expand_sam.py for
// every SAM template of the run: the translator takes seconds to load.
var samExpander struct {
	once sync.Once
	mu   sync.Mutex
	in   io.WriteCloser
	out  *bufio.Reader
	err  error
}

// expandSAM expands a SAM template with AWS's own translator.
func expandSAM(tb testing.TB, tpl map[string]any) map[string]any {
	tb.Helper()
	testtool.Command(tb, "python3", "the corpus expands SAM templates with samtranslator")
	if err := exec.Command("python3", "-c", "import samtranslator").Run(); err != nil {
		testtool.Require(tb, "samtranslator is not installed (pip install aws-sam-translator): %v", err)
	}
	e := &samExpander
	e.once.Do(func() {
		cmd := exec.Command("python3", filepath.Join(corpusDir, "expand_sam.py"))
		cmd.Stderr = os.Stderr
		if e.in, e.err = cmd.StdinPipe(); e.err != nil {
			return
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			e.err = err
			return
		}
		e.out = bufio.NewReader(stdout)
		e.err = cmd.Start()
		// The process ends when the test binary does and its stdin closes.
	})
	if e.err != nil {
		tb.Fatalf("start the SAM translator: %v", e.err)
	}
	line, err := json.Marshal(tpl)
	if err != nil {
		tb.Fatal(err)
	}
	e.mu.Lock()
	_, err = e.in.Write(append(line, '\n'))
	var answer []byte
	if err == nil {
		answer, err = e.out.ReadBytes('\n')
	}
	e.mu.Unlock()
	if err != nil {
		tb.Fatalf("expand SAM: %v", err)
	}
	var got struct {
		Template map[string]any
		Error    string
	}
	dec := json.NewDecoder(bytes.NewReader(answer))
	dec.UseNumber()
	if err := dec.Decode(&got); err != nil {
		tb.Fatal(err)
	}
	if got.Error != "" {
		tb.Fatalf("the SAM translator refuses the template: %s", got.Error)
	}
	return got.Template
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	data, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// normalise sets aside what CloudFormation does not tell apart: a scalar's
// type (10 and "10"), DependsOn as a string or a list and its order, a
// local code path as written or as SAM's translator uploads it, and the
// template's own description.
func normalise(tpl map[string]any, base string) map[string]any {
	out := map[string]any{}
	for _, section := range []string{"Parameters", "Conditions", "Mappings", "Rules", "Outputs", "Resources"} {
		if v, ok := tpl[section]; ok {
			out[section] = scalarsAsText(v)
		}
	}
	resources, _ := out["Resources"].(map[string]any)
	for _, r := range resources {
		res, ok := r.(map[string]any)
		if !ok {
			continue
		}
		switch d := res["DependsOn"].(type) {
		case string:
			res["DependsOn"] = []any{d}
		case []any:
			sort.Slice(d, func(i, j int) bool { return fmt.Sprint(d[i]) < fmt.Sprint(d[j]) })
		}
		props, _ := res["Properties"].(map[string]any)
		if res["Type"] == "AWS::Lambda::Function" && props != nil {
			props["Code"] = codePath(props["Code"], base)
		}
	}
	return out
}

func scalarsAsText(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = scalarsAsText(x)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = scalarsAsText(x)
		}
		return v
	case json.Number:
		return string(v)
	case bool:
		return fmt.Sprint(v)
	}
	return v
}

// codePath is a function's local code folder as one clean path, whether the
// template names it as a path or (after SAM's translator) as
// s3://sam-local-code/<path>.
func codePath(code any, base string) any {
	if m, ok := code.(map[string]any); ok && m["S3Bucket"] == "sam-local-code" {
		code = m["S3Key"]
	}
	if s, ok := code.(string); ok {
		return "local:" + filepath.Clean(s)
	}
	return code
}

// compareTemplates lists, by path, what the export drops, adds or changes.
func compareTemplates(original, exported map[string]any) []string {
	var diffs []string
	var walk func(path string, a, b any)
	walk = func(path string, a, b any) {
		am, aok := a.(map[string]any)
		bm, bok := b.(map[string]any)
		if aok && bok {
			keys := map[string]bool{}
			for k := range am {
				keys[k] = true
			}
			for k := range bm {
				keys[k] = true
			}
			sorted := make([]string, 0, len(keys))
			for k := range keys {
				sorted = append(sorted, k)
			}
			sort.Strings(sorted)
			for _, k := range sorted {
				av, ain := am[k]
				bv, bin := bm[k]
				switch {
				case !bin:
					diffs = append(diffs, fmt.Sprintf("dropped %s.%s", path, k))
				case !ain:
					diffs = append(diffs, fmt.Sprintf("added %s.%s: %s", path, k, compact(bv)))
				default:
					walk(path+"."+k, av, bv)
				}
			}
			return
		}
		if !reflect.DeepEqual(a, b) {
			diffs = append(diffs, fmt.Sprintf("changed %s: %s → %s", path, compact(a), compact(b)))
		}
	}
	walk("", original, exported)
	return diffs
}

func compact(v any) string {
	data, _ := json.Marshal(v)
	if len(data) > 300 {
		return string(data[:300]) + "…"
	}
	return string(data)
}

// lineDiff shows the first lines where two texts differ.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("one is longer: %d lines against %d", len(al), len(bl))
}

// statedBy reports whether a cfn-lint finding quotes a value the source
// file states, such as Runtime 'nodejs18.x'.
func statedBy(finding string, source []byte) bool {
	parts := strings.Split(finding, "'")
	return len(parts) >= 3 && parts[1] != "" && bytes.Contains(source, []byte(parts[1]))
}

// originalLintFile holds the cfn-lint errors of each corpus stack's
// original (SAM expanded where it is SAM), keyed by a hash of its source
// file: the originals are other people's templates, not our output, so
// each run lints only the exports and compares with what was recorded.
// go test -run TestCorpus -update lints the originals again and rewrites
// it; a run whose source no longer hashes the same fails, asking for that.
const originalLintFile = corpusDir + "/original-lint.golden" // JSON; not .json, which the fixture walks would read as a template

// deprecatedRuntime is cfn-lint's rule for a Lambda runtime past its
// deprecation date.
const deprecatedRuntime = "E2533"

// originalLint is what cfn-lint said of one original.
type originalLint struct {
	// SHA256 hashes the source file (for a serverless.yml, the Framework's
	// compiled template beside it).
	SHA256 string `json:"sha256"`
	// Errors maps each E rule cfn-lint found to one of its messages.
	Errors map[string]string `json:"errors"`
}

// lintCorpus runs cfn-lint once (it takes seconds to start) over every
// export and fails a stack whose export has an error the original lacks.
// With recorded, the originals are the corpus's, whose errors
// originalLintFile holds (cfn-lint reads them only with -update); else
// they are linted too. W3002 (a local code path) is expected before
// packaging.
func lintCorpus(t *testing.T, stacks []corpusStack, results []*corpusResult, recorded bool) {
	testtool.Command(t, "cfn-lint", "the corpus lints each export against its source")
	var files []string
	for _, r := range results {
		if r.exportedFile != "" {
			files = append(files, r.exportedFile)
		}
		if (*update || !recorded) && r.originalFile != "" {
			files = append(files, r.originalFile)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "cfn-lint", append([]string{"--format", "parseable", "--ignore-checks", "W3002", "--"}, files...)...)
	out, _ := cmd.CombinedOutput()
	// file:line:col:line:col:rule:message
	errorsIn := map[string]map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		parts := strings.SplitN(line, ":", 7)
		if len(parts) < 7 || !strings.HasPrefix(parts[5], "E") {
			continue
		}
		if errorsIn[parts[0]] == nil {
			errorsIn[parts[0]] = map[string]string{}
		}
		errorsIn[parts[0]][parts[5]] = line
	}
	originals := map[string]map[string]string{}
	if recorded {
		originals = originalErrors(t, stacks, results, errorsIn)
	} else {
		for i, cs := range stacks {
			originals[cs.name] = errorsIn[results[i].originalFile]
		}
	}
	for i, cs := range stacks {
		r := results[i]
		if r.exportedFile == "" {
			continue
		}
		source, err := os.ReadFile(cs.file)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("lint/"+cs.name, func(t *testing.T) {
			for rule, line := range errorsIn[r.exportedFile] {
				if _, ok := originals[cs.name][rule]; ok && r.originalFile != "" {
					continue
				}
				// Whether a runtime counts as deprecated depends on the day
				// cfn-lint runs, not on when the original was linted: the
				// runtime the source states is the source's.
				if rule == deprecatedRuntime && statedBy(line, source) {
					continue
				}
				// A serverless.yml has no template of its own to lint: a
				// finding about a value it states itself (a deprecated
				// runtime) is the source's.
				if r.originalFile == "" && statedBy(line, source) {
					continue
				}
				t.Errorf("cfn-lint finds in the export what it does not in the original: %s", line)
			}
		})
	}
}

// originalErrors returns, per corpus stack, the E rules cfn-lint finds in
// its original: from this run's lint with -update, which records them in
// originalLintFile, else from that file, after checking each source still
// hashes as it did when linted.
func originalErrors(t *testing.T, stacks []corpusStack, results []*corpusResult, errorsIn map[string]map[string]string) map[string]map[string]string {
	t.Helper()
	hashes := map[string]string{}
	for i, cs := range stacks {
		if results[i].originalFile != "" {
			hashes[cs.name] = results[i].sourceSHA256
		}
	}
	recorded := map[string]originalLint{}
	if *update {
		for i, cs := range stacks {
			if f := results[i].originalFile; f != "" {
				errs := map[string]string{}
				for rule, line := range errorsIn[f] {
					errs[rule] = strings.SplitN(line, ":", 7)[6]
				}
				recorded[cs.name] = originalLint{SHA256: hashes[cs.name], Errors: errs}
			}
		}
		data, err := json.MarshalIndent(recorded, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(originalLintFile, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	} else {
		data, err := os.ReadFile(originalLintFile)
		if err != nil {
			t.Fatalf("%v (run go test -run TestCorpus -update to lint the originals)", err)
		}
		if err := json.Unmarshal(data, &recorded); err != nil {
			t.Fatalf("%s: %v", originalLintFile, err)
		}
	}
	out := map[string]map[string]string{}
	for name, hash := range hashes {
		got, ok := recorded[name]
		if !ok || got.SHA256 != hash {
			t.Errorf("the source of %s is not what %s recorded cfn-lint's findings for: run go test -run TestCorpus -update and review the diff", name, originalLintFile)
			continue
		}
		out[name] = got.Errors
	}
	return out
}
