package server_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/apigw/wsload"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestRunUsesImportedFolder: Run locally on a stack imported from a file
// runs the user's code from that file's folder, with no repository
// linked; a parameter without a default is named in the panel.
func TestRunUsesImportedFolder(t *testing.T) {
	t.Parallel()
	requireNode(t)
	ctx := context.Background()
	srv := mustServeReal(t)
	dir := t.TempDir()
	echo, _ := model.Example("echo", "imported")
	echo.ImportedFrom = dir
	echo.Functions[0].CodePath = "."
	echo.Functions[0].Handler = "handler.echo"
	if err := os.WriteFile(filepath.Join(dir, "handler.js"), []byte(`exports.echo = async (e) => ({ statusCode: 200, body: "imported: " + e.body });`), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := srv.store.CreateStack(ctx, echo)
	if err != nil {
		t.Fatal(err)
	}
	base := srv.url + "/stacks/" + strconv.FormatInt(st.ID, 10)
	status, body := post(t, base+"/run")
	ws := runURL.FindString(body)
	if status != http.StatusOK || ws == "" {
		t.Fatalf("POST run = %d:\n%s", status, body)
	}
	t.Cleanup(func() { post(t, base+"/run/stop") })
	c, err := wsload.Dial(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.RoundTrip([]byte(`{"action":"test"}`)); err != nil || string(got) != `imported: {"action":"test"}` {
		t.Fatalf("reply = %q, %v", got, err)
	}
	c.Close()
	post(t, base+"/run/stop")

	if _, _, err := srv.store.Edit(ctx, st.ID, st.Revision, func(s *model.Stack) error {
		s.Parameters = []*model.Parameter{{Name: "ApiSecret"}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// The page asks for the value before the run starts.
	status, body = post(t, base+"/run")
	if status != http.StatusOK || !strings.Contains(body, `name="param.ApiSecret"`) || runURL.MatchString(body) {
		t.Fatalf("POST run with a parameter lacking a value = %d:\n%s", status, body)
	}
}
