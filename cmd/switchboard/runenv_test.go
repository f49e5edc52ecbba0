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

// TestExportDirWritesParameterFiles: export --dir writes each environment
// as parameters/<env>.json, a list of "Key=Value" strings as
// aws cloudformation deploy --parameter-overrides file://… reads it
// (export's TestDeployEnvironmentToMoto deploys one with the AWS CLI).
func TestExportDirWritesParameterFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "stacks.db")
	mustRun(t, db, "new", "chat", "--example", "chat")
	st := mustOpenStore(t, db)
	ctx := context.Background()
	stack, err := st.StackByName(ctx, "chat")
	if err != nil {
		t.Fatal(err)
	}
	def := "3"
	if _, _, err := st.Edit(ctx, stack.ID, stack.Revision, func(s *model.Stack) error {
		s.Parameters = []*model.Parameter{{Name: "Stage", Default: &def}}
		s.Environments = []*model.Environment{{Name: "dev", Values: map[string]string{"Stage": "dev"}}, {Name: "prod", Values: map[string]string{"Stage": "a=b"}}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	mustRun(t, db, "export", "chat", "--dir", out)
	for env, want := range map[string]string{"dev": "[\n  \"Stage=dev\"\n]\n", "prod": "[\n  \"Stage=a=b\"\n]\n"} {
		data, err := os.ReadFile(filepath.Join(out, "parameters", env+".json"))
		if err != nil || string(data) != want {
			t.Errorf("parameters/%s.json = %q, %v; want %q", env, data, err, want)
		}
	}
}
