//go:build race || !racesplit

// These tests drive the code from several goroutines: `make test` runs
// them under -race, and its race-free job (-tags racesplit) leaves them
// out (RACE_SPLIT in the Makefile).

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/apigw/wsload"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestRunEnv: --env takes parameter values from one of the stack's
// environments, and the user's function sees them; an environment that
// leaves a parameter without a default unset is refused, naming the
// parameter and the environment; an unknown environment is refused, naming
// the ones there are.
func TestRunEnv(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"serverless.yml": `service: envs
provider:
  name: aws
  runtime: nodejs22.x
  environment:
    SECRET: ${param:apiSecret}
functions:
  echo:
    handler: handler.echo
    events:
      - websocket: $default
`,
		"handler.js": "exports.echo = async () => { console.log('SECRET=' + process.env.SECRET); return { statusCode: 200 } }\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(dir, "stacks.db")
	mustRun(t, db, "import", filepath.Join(dir, "serverless.yml"))
	st := mustOpenStore(t, db)
	ctx := context.Background()
	stack, err := st.StackByName(ctx, "envs")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Edit(ctx, stack.ID, stack.Revision, func(s *model.Stack) error {
		s.Environments = []*model.Environment{{Name: "dev", Values: map[string]string{"ApiSecret": "dev-secret"}}, {Name: "prod"}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	r := runCLI(t, db, "run", "envs", "--env", "prod")
	if r.code != 2 || !strings.Contains(r.stderr, "needs a value for parameters without a default or a value in environment prod: ApiSecret") {
		t.Errorf("--env prod: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, db, "run", "envs", "--env", "staging")
	if r.code != 2 || !strings.Contains(r.stderr, "has no environment staging; it has dev, prod") {
		t.Errorf("--env staging: exit %d, stderr %q", r.code, r.stderr)
	}

	url, _, stderr := startRun(t, db, nil, "envs", "--env", "dev", "--port", "0")
	c, err := wsload.Dial(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Send([]byte(`{"hello":1}`)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stderr.String(), "SECRET=dev-secret") {
		if time.Now().After(deadline) {
			t.Fatalf("the function did not see dev's value:\n%s", stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
