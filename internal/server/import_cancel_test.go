package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/server"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

// TestImportStopsWithTheRequest: the import handler imports under the
// request's context, so a request that has gone (here cancelled before the
// handler runs) stops its import rather than working on for nobody.
func TestImportStopsWithTheRequest(t *testing.T) {
	t.Parallel()
	st, err := store.Open(context.Background(), storetest.Path(t, "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	app := server.New(server.Options{Store: st}).Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancel(r.Context())
		cancel()
		app.ServeHTTP(w, r.WithContext(ctx))
	}))
	t.Cleanup(ts.Close)
	data, err := os.ReadFile("../importer/testdata/cdk/chat.template.json")
	if err != nil {
		t.Fatal(err)
	}
	resp, body := upload(t, ts, "chat.template.json", data, nil)
	if resp.StatusCode == http.StatusOK || strings.Contains(body, `data-testid="import-preview"`) {
		t.Fatalf("a cancelled request's import went on to a preview: %d\n%.300s", resp.StatusCode, body)
	}
	if !strings.Contains(body, "cancelled") {
		t.Errorf("want a page saying the import was cancelled, got %d\n%.300s", resp.StatusCode, body)
	}
}
