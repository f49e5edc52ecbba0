package server_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/importer"
)

// TestImportSizeLimit: a template as large as the importer takes
// (importer.MaxSize) arrives over HTTP, is previewed and created from the
// preview; one byte more is refused as too large, saying the limit. The
// padding is comments of random letters, so the file the preview sends back
// does not shrink when gzipped. Before one limit, the 1 MiB body limit
// refused such a file with 413 while the importer promised 2 MiB.
func TestImportSizeLimit(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	yaml, err := os.ReadFile("../importer/testdata/cfn/chat.yaml")
	if err != nil {
		t.Fatal(err)
	}
	padded := func(size int) []byte {
		const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		r := rand.New(rand.NewPCG(1, 2))
		b := append([]byte(nil), yaml...)
		for len(b) < size {
			line := make([]byte, min(100, size-len(b)))
			line[0] = '#'
			for i := 1; i < len(line)-1; i++ {
				line[i] = letters[r.IntN(len(letters))]
			}
			line[len(line)-1] = '\n'
			b = append(b, line...)
		}
		return b[:size]
	}

	resp, body := upload(t, ts, "big.yaml", padded(importer.MaxSize), nil)
	expect(t, resp, body, http.StatusOK, `data-testid="import-preview"`)
	m := regexp.MustCompile(`name="encoded" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the preview must carry the file for Create")
	}
	resp, body = send(t, ts, http.MethodPost, "/stacks/import/create", url.Values{"file": {"big.yaml"}, "encoded": {m[1]}, "name": {"big"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create from the preview of a %d-byte file: %d\n%.500s", importer.MaxSize, resp.StatusCode, body)
	}
	if _, err := st.StackByName(context.Background(), "big"); err != nil {
		t.Fatal(err)
	}

	resp, body = upload(t, ts, "bigger.yaml", padded(importer.MaxSize+1), nil)
	expect(t, resp, body, http.StatusRequestEntityTooLarge, "at most 2 MB")
	resp, body = upload(t, ts, "", nil, map[string]string{"source": string(padded(importer.MaxSize + 1))})
	expect(t, resp, body, http.StatusRequestEntityTooLarge, "at most 2 MB")
	if strings.Contains(body, "Internal error") {
		t.Fatal(body)
	}
}
