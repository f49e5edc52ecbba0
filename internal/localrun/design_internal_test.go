package localrun

import (
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestRunFieldsFromParameters: a function whose memory and timeout take a
// parameter runs with the run's value of it, else its default.
func TestRunFieldsFromParameters(t *testing.T) {
	t.Parallel()
	s, err := model.Example("echo", "mem")
	if err != nil {
		t.Fatal(err)
	}
	def := "7"
	s.Parameters = []*model.Parameter{{Name: "Memory", Type: "Number"}, {Name: "Wait", Type: "Number", Default: &def}}
	s.Functions[0].SetParam("memorySize", "Memory")
	s.Functions[0].SetParam("timeout", "Wait")
	fns := FunctionConfigs(s, t.TempDir(), nil, "", "us-east-1")
	(&Runner{}).placeCode(s, map[string]string{"Memory": "1024"}, fns)
	if fns[0].MemoryMB != 1024 || fns[0].Timeout != 7*time.Second {
		t.Errorf("memory %d MB, timeout %s; want 1024 MB and 7s", fns[0].MemoryMB, fns[0].Timeout)
	}
}
