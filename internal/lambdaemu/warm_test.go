package lambdaemu

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestWarmStartsWarmFirstFunctionsFirst: the functions marked WarmFirst
// (those a first connection waits for) are ready before any other starts,
// so their start-up has the CPUs to itself. Before, every function
// started at once, in no particular order.
func TestWarmStartsWarmFirstFunctionsFirst(t *testing.T) {
	marks := t.TempDir()
	// Each init notes it began, then takes a while, then notes it ended.
	handler := `import fs from "node:fs";
import path from "node:path";
const marks = process.env.MARKS, me = process.env.AWS_LAMBDA_FUNCTION_NAME;
export const begunBeforeMe = fs.readdirSync(marks);
fs.writeFileSync(path.join(marks, me + ".begun"), "");
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
fs.writeFileSync(path.join(marks, me + ".ready"), "");
export const handler = async () => begunBeforeMe;
`
	var fns []FunctionConfig
	for _, name := range []string{"Later1", "Later2", "Connect"} {
		fn := nodeFunction(t, name, map[string]string{"index.mjs": handler})
		fn.Env = map[string]string{"MARKS": marks}
		fn.WarmFirst = name == "Connect"
		fns = append(fns, fn)
	}
	p := MustPool(t, Options{}, fns...)
	for _, name := range []string{"Later1", "Later2"} {
		seen := MustInvoke[[]string](t, p, name, map[string]string{})
		if !slices.Contains(seen, "Connect.ready") {
			t.Errorf("%s began its init when the marks were %v; want Connect.ready among them", name, seen)
		}
	}
	if seen := MustInvoke[[]string](t, p, "Connect", map[string]string{}); len(seen) != 0 {
		t.Errorf("Connect began its init after %v; want it first", seen)
	}
}

// TestInvokeBeforeWarmWaitsForTheStartingProcess: after Replace, calls that
// come while a function's first process starts wait for it rather than
// start more beside it, as calls wait for a Lambda cold start, and Warm
// starts none of its own then. Before, Start warmed every function before
// any call could come.
func TestInvokeBeforeWarmWaitsForTheStartingProcess(t *testing.T) {
	marks := t.TempDir()
	fn := nodeFunction(t, "Slow", map[string]string{"index.mjs": `import fs from "node:fs";
import path from "node:path";
const marks = process.env.MARKS;
const seen = fs.readdirSync(marks);
fs.writeFileSync(path.join(marks, process.pid + ".begun"), "");
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
fs.writeFileSync(path.join(marks, process.pid + ".ready"), "");
export const handler = async () => seen;
`})
	fn.Env = map[string]string{"MARKS": marks}
	p := MustPool(t, Options{})
	if err := p.Replace([]FunctionConfig{fn}); err != nil {
		t.Fatal(err)
	}
	const calls = 4
	seen := make([][]string, calls)
	var wg sync.WaitGroup
	for i := range calls {
		wg.Go(func() { seen[i] = MustInvoke[[]string](t, p, "Slow", map[string]string{}) })
	}
	if err := p.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	// A process started later (the calls scale out once one runs) saw
	// one ready before it.
	for _, marks := range seen {
		begun := slices.ContainsFunc(marks, func(m string) bool { return strings.HasSuffix(m, ".begun") })
		ready := slices.ContainsFunc(marks, func(m string) bool { return strings.HasSuffix(m, ".ready") })
		if begun && !ready {
			t.Fatalf("a process began its init while the first was still starting (marks %v)", marks)
		}
	}
}
