package lambdaemu

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// pythonFunction returns the config of a Python function whose code is
// files, or skips when python3 is missing.
func pythonFunction(tb testing.TB, name string, files map[string]string) FunctionConfig {
	tb.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		testtool.Require(tb, "python3 is not on PATH: the lambdaemu tests run real Python handlers")
	}
	dir := tb.TempDir()
	MustWrite(tb, dir, files)
	return FunctionConfig{Name: name, Runtime: "python3.13", Handler: "app.handler", CodeDir: dir, MemoryMB: 128, Timeout: 10 * time.Second}
}

const pythonHandler = `import json, logging, os

logger = logging.getLogger()

def handler(event, context):
    if event.get("do") == "raise":
        raise ValueError("bad input: " + event["why"])
    if event.get("do") == "exit":
        os._exit(4)
    if event.get("do") == "set":
        return {1, 2}
    logger.info("got %s", event.get("msg"))
    print("plain print")
    return {
        "msg": event.get("msg"),
        "name": context.function_name,
        "memory": context.memory_limit_in_mb,
        "id": len(context.aws_request_id),
        "left": context.get_remaining_time_in_millis() > 0,
        "handler": os.environ["_HANDLER"],
        "root": os.environ["LAMBDA_TASK_ROOT"] == os.getcwd(),
        "pid": os.getpid(),
    }
`

func TestPythonHandler(t *testing.T) {
	t.Parallel() // waits on processes, not the CPU, much of the time
	logs := newLogSink()
	fn := pythonFunction(t, "Py", map[string]string{"app.py": pythonHandler})
	fn.MaxConcurrency = 1
	p := MustPool(t, Options{OnLog: logs.add}, fn)

	got := MustInvoke[map[string]any](t, p, "Py", map[string]string{"msg": "hi"})
	want := map[string]any{"msg": "hi", "name": "Py", "memory": 128.0, "id": 36.0, "left": true, "handler": "app.handler", "root": true}
	pid := got["pid"]
	delete(got, "pid")
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	info := logs.wait(t, func(l LogLine) bool { return l.Level == "INFO" && l.Text == "got hi" })
	logs.wait(t, func(l LogLine) bool { return l.Text == "plain print" && l.RequestID == info.RequestID })
	if info.RequestID == "" {
		t.Error("the logging line has no request id")
	}

	tests := []struct {
		event    string
		kind     error
		typ, msg string
		restart  bool
	}{
		{event: `{"do":"raise","why":"x"}`, kind: ErrHandler, typ: "ValueError", msg: "bad input: x"},
		{event: `{"do":"set"}`, kind: ErrHandler, typ: "Runtime.MarshalError", msg: "Unable to marshal response: Object of type set is not JSON serializable"},
		{event: `{"do":"exit"}`, kind: ErrCrash, typ: "Runtime.ExitError", msg: "exit status 4", restart: true},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			_, err := p.Invoke(context.Background(), "Py", []byte(tt.event))
			var fe *FunctionError
			if !errors.As(err, &fe) || !errors.Is(err, tt.kind) || fe.Type != tt.typ || !strings.Contains(fe.Message, tt.msg) {
				t.Fatalf("got %v, want %v %s with %q", err, tt.kind, tt.typ, tt.msg)
			}
			after := MustInvoke[map[string]any](t, p, "Py", map[string]string{})
			if (after["pid"] != pid) != tt.restart {
				t.Errorf("process %v before, %v after; want a new one: %v", pid, after["pid"], tt.restart)
			}
			pid = after["pid"]
		})
	}
}

func TestPythonInitErrors(t *testing.T) {
	t.Parallel() // waits on processes, not the CPU, much of the time
	tests := []struct {
		name, handler string
		files         map[string]string
		typ, msg      string
	}{
		{name: "syntax error", files: map[string]string{"app.py": "def handler(e, c):\n    return (\n"},
			typ: "Runtime.UserCodeSyntaxError", msg: "app.py:2:"},
		{name: "missing import", files: map[string]string{"app.py": "import no_such_module\n"},
			typ: "Runtime.ImportModuleError", msg: "Unable to import module 'app': No module named 'no_such_module'"},
		{name: "no handler", files: map[string]string{"app.py": "x = 1\n"},
			typ: "Runtime.HandlerNotFound", msg: "Handler 'handler' missing on module 'app'"},
		{name: "init raises", files: map[string]string{"app.py": "raise KeyError('TABLE_NAME')\n"},
			typ: "KeyError", msg: "app.py: KeyError: 'TABLE_NAME'"},
		{name: "standard library", handler: "os.system", files: map[string]string{"app.py": ""},
			typ: "Runtime.ImportModuleError", msg: "Unable to import module 'os': it is not in the code folder"},
		{name: "module linked from elsewhere", handler: "app.handler", files: map[string]string{"real/app.py": "def handler(e, c):\n    return 7\n"},
			typ: "Runtime.ImportModuleError", msg: "it is not in the code folder"},
		{name: "package module", handler: "pkg/mod.main", files: map[string]string{"pkg/__init__.py": "", "pkg/mod.py": "def main(e, c):\n    return 7\n"}},
	}
	var fns []FunctionConfig
	for i, tt := range tests {
		fn := pythonFunction(t, fmt.Sprintf("py%d", i), tt.files)
		if tt.handler != "" {
			fn.Handler = tt.handler
		}
		if tt.name == "module linked from elsewhere" {
			// The code folder is real/'s sibling: app.py links out of it.
			outside := filepath.Join(fn.CodeDir, "real")
			fn.CodeDir = filepath.Join(fn.CodeDir, "code")
			if err := os.MkdirAll(fn.CodeDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(outside, "app.py"), filepath.Join(fn.CodeDir, "app.py")); err != nil {
				t.Skipf("symbolic links: %v", err)
			}
		}
		fns = append(fns, fn)
	}
	p := MustPool(t, Options{})
	_ = p.Start(context.Background(), fns)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := p.Invoke(context.Background(), fns[i].Name, []byte(`{}`))
			if tt.typ == "" {
				if err != nil || string(out) != "7" {
					t.Errorf("got %s, %v", out, err)
				}
				return
			}
			var fe *FunctionError
			if !errors.As(err, &fe) || !errors.Is(err, ErrInit) || fe.Type != tt.typ || !strings.Contains(fe.Message, tt.msg) {
				t.Errorf("got %v, want %s with %q", err, tt.typ, tt.msg)
			}
		})
	}
}
