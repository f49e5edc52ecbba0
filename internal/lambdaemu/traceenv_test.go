package lambdaemu

import (
	"strings"
	"testing"
)

// TestTraceIDFollowsEachInvocation: process.env._X_AMZN_TRACE_ID is the
// invocation's trace header, a new one each time, for the handler, its
// child processes and code that lists the environment, while the other
// variables stay the process's own. The bootstrap keeps it out of the C
// library's environment, which never frees a value set there: it grew by
// 75 MB in 500,000 invocations, enough for Switchboard to stop a 128 MB
// function as out of memory under a sustained load.
func TestTraceIDFollowsEachInvocation(t *testing.T) {
	fn := nodeFunction(t, "Trace", map[string]string{"index.mjs": `import { execFileSync } from "node:child_process";
export const handler = async () => {
	process.env.SET_BY_HANDLER = "yes";
	const child = execFileSync("sh", ["-c", "echo \"$_X_AMZN_TRACE_ID $SET_BY_HANDLER $AWS_LAMBDA_FUNCTION_NAME\""]).toString().trim();
	return {
		trace: process.env._X_AMZN_TRACE_ID,
		listed: Object.keys(process.env).includes("_X_AMZN_TRACE_ID") && "_X_AMZN_TRACE_ID" in process.env,
		copied: { ...process.env }._X_AMZN_TRACE_ID,
		child,
		// The C library's environment, as a diagnostic report reads it.
		inC: "_X_AMZN_TRACE_ID" in process.report.getReport().environmentVariables,
	};
};`})
	p := MustPool(t, Options{}, fn)
	seen := map[string]bool{}
	for range 3 {
		got := MustInvoke[struct {
			Trace, Copied, Child string
			Listed, InC          bool
		}](t, p, "Trace", map[string]string{})
		if !strings.HasPrefix(got.Trace, "Root=1-") || seen[got.Trace] {
			t.Fatalf("trace %q; want a new Root=1-… each invocation (seen %v)", got.Trace, seen)
		}
		seen[got.Trace] = true
		if !got.Listed || got.Copied != got.Trace {
			t.Errorf("listed %v, copied %q; want the trace %q among the variables", got.Listed, got.Copied, got.Trace)
		}
		if got.InC {
			t.Error("the trace header was set in the C library's environment, which keeps every value")
		}
		if want := got.Trace + " yes Trace"; got.Child != want {
			t.Errorf("a child process saw %q; want %q", got.Child, want)
		}
	}
}
