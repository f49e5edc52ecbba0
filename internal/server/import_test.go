package server_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// upload posts the import form with a file, as a browser would.
func upload(tb testing.TB, ts *httptest.Server, file string, data []byte, fields map[string]string) (*http.Response, string) {
	tb.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			tb.Fatal(err)
		}
	}
	if file != "" {
		fw, err := mw.CreateFormFile("file", file)
		if err != nil {
			tb.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, ts.URL+"/stacks/import", &body)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

func TestImportPreviewAndCreate(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	data, err := os.ReadFile("../importer/testdata/cdk/chat.template.json")
	if err != nil {
		t.Fatal(err)
	}
	resp, body := upload(t, ts, "chat.template.json", data, nil)
	expect(t, resp, body, http.StatusOK,
		`data-testid="import-preview"`, "A CDK stack", "WebSocket API <strong>ChatApi</strong>",
		"4 functions", "SendHandler → Connections (read-write)", "CDKMetadata (AWS::CDK::Metadata)",
		`value="chat-template"`)
	if stacks, _ := st.Stacks(context.Background()); len(stacks) != 0 {
		t.Fatalf("a preview created %d stacks", len(stacks))
	}

	m := regexp.MustCompile(`name="encoded" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the preview must carry the file for Create")
	}
	form := url.Values{"file": {"chat.template.json"}, "encoded": {m[1]}, "name": {"cdk-chat"}}
	resp, body = send(t, ts, http.MethodPost, "/stacks/import/create", form, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", resp.StatusCode, body)
	}
	s, err := st.StackByName(context.Background(), "cdk-chat")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Functions) != 4 || len(s.Others) != 5 || s.Section("Rules") == nil {
		t.Fatalf("created stack: %d functions, %d others, sections %v", len(s.Functions), len(s.Others), s.Sections)
	}

	// The same name again: the preview comes back with the error.
	resp, body = send(t, ts, http.MethodPost, "/stacks/import/create", form, nil)
	expect(t, resp, body, http.StatusUnprocessableEntity, `data-testid="import-create-error"`, "cdk-chat")

	// The canvas shows the other nodes; their panel edits them as YAML.
	base := "/stacks/" + strconv.FormatInt(s.ID, 10)
	resp, body = send(t, ts, http.MethodGet, base, nil, nil)
	expect(t, resp, body, http.StatusOK, `node-other`, `data-name="CDKMetadata"`)
	other := s.Others[len(s.Others)-1]
	resp, body = send(t, ts, http.MethodGet, base+"/nodes/"+other.ID, nil, nil)
	expect(t, resp, body, http.StatusOK, `data-testid="other-panel"`, `data-testid="other-resource"`, "AWS::CDK::Metadata", "Condition: CDKMetadataAvailable")
	resp, body = send(t, ts, http.MethodGet, base+"/nodes/"+s.Functions[0].ID, nil, nil)
	expect(t, resp, body, http.StatusOK, `data-testid="kept"`, "as ConnectHandler2FFD52D8")
}

func TestImportPasteAndErrors(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	tests := []struct {
		name   string
		file   string
		data   string
		fields map[string]string
		want   []string
	}{
		{"malformed file", "bad.yaml", "Resources:\n  Api:\n    Type: AWS::SQS::Queue\n   Properties: {}\n", nil,
			[]string{`data-testid="import-error"`, "bad.yaml:4:4:"}},
		{"malformed paste", "", "", map[string]string{"source": "{\r\n  \"Resources\": {\r\n    \"Q\": {\"Type\": 1}\r\n  }\r\n}\r\n"},
			[]string{`data-testid="import-error"`, "pasted template:3:", "has no Type", "Resources"}},
		{"nothing", "", "", nil, []string{"Choose a file or paste a template"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := upload(t, ts, tt.file, []byte(tt.data), tt.fields)
			expect(t, resp, body, http.StatusUnprocessableEntity, tt.want...)
		})
	}
	if stacks, _ := st.Stacks(context.Background()); len(stacks) != 0 {
		t.Fatalf("failed imports created %d stacks", len(stacks))
	}

	// A paste that parses previews under the name typed.
	yaml, _ := os.ReadFile("../importer/testdata/cfn/chat.yaml")
	resp, body := upload(t, ts, "", nil, map[string]string{"source": strings.ReplaceAll(string(yaml), "\n", "\r\n"), "name": "pasted"})
	expect(t, resp, body, http.StatusOK, `value="pasted"`, "queue AuditQueue")

	// A cross-origin post is refused before anything is read.
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/stacks/import/create", strings.NewReader("name=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site import: %d, want 403", r.StatusCode)
	}

	// A form whose file was tampered with is refused.
	resp, body = send(t, ts, http.MethodPost, "/stacks/import/create", url.Values{"encoded": {"bm90IGd6aXA="}, "name": {"x"}}, nil)
	expect(t, resp, body, http.StatusBadRequest, "start the import again")
	_ = model.KindOther
}
