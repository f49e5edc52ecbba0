package server_test

import (
	"context"
	"html"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// mustCreateEnv makes a stack whose function fn3 has the environment env.
func mustCreateEnv(tb testing.TB, st *store.Store, env map[string]string) *model.Stack {
	tb.Helper()
	s, _ := model.Example("echo", "envs")
	s.Function("fn3").Environment = env
	created, err := st.CreateStack(context.Background(), s)
	if err != nil {
		tb.Fatal(err)
	}
	return created
}

// functionForm is the function form of the echo example with the given
// environment rows, as the panel sends it.
func functionForm(memory string, rows ...[3]string) url.Values {
	form := url.Values{"name": {"EchoFunction"}, "runtime": {"nodejs24.x"}, "handler": {"index.handler"}, "codePath": {"functions/echo-function"},
		"memorySize": {memory}, "timeout": {"10"}, "logRetentionDays": {"30"}, "logDeletionPolicy": {"Retain"}, "envForm": {"1"}}
	for _, r := range rows {
		form.Add("env.was", r[0])
		form.Add("env.name", r[1])
		form.Add("env.value", r[2])
	}
	return form
}

var (
	envTemplateRe = regexp.MustCompile(`(?s)<template data-env-template>.*?</template>`)
	envRowRe      = regexp.MustCompile(`(?s)<div class="env-row[^"]*" data-env-row[^>]*>(.*?)</div>`)
	envWasRe      = regexp.MustCompile(`name="env.was" value="([^"]*)"`)
	envNameRe     = regexp.MustCompile(`name="env.name" value="([^"]*)"`)
	envValueRe    = regexp.MustCompile(`(?s)<textarea[^>]*name="env.value"[^>]*>(.*?)</textarea>`)
)

// panelEnvRows reads the environment rows of a rendered panel and returns
// them as a browser submits them: the HTML parser drops the line break
// right after <textarea>, turns CR and CRLF into LF and NUL into U+FFFD,
// and the form encoding sends every line break as CRLF (HTML, "textarea"
// and "converting an entry list").
func panelEnvRows(tb testing.TB, body string) [][3]string {
	tb.Helper()
	var rows [][3]string
	for _, m := range envRowRe.FindAllStringSubmatch(envTemplateRe.ReplaceAllString(body, ""), -1) {
		was, name, value := envWasRe.FindStringSubmatch(m[1]), envNameRe.FindStringSubmatch(m[1]), envValueRe.FindStringSubmatch(m[1])
		if was == nil || name == nil || value == nil {
			tb.Fatalf("an environment row lacks a field:\n%s", m[1])
		}
		text := html.UnescapeString(value[1])
		text = strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n"), "\x00", "\uFFFD")
		text = strings.TrimPrefix(text, "\n")
		rows = append(rows, [3]string{html.UnescapeString(was[1]), html.UnescapeString(name[1]), strings.ReplaceAll(text, "\n", "\r\n")})
	}
	if len(rows) == 0 {
		tb.Fatalf("the panel has no environment rows:\n%s", body)
	}
	return rows
}

// TestEnvironmentRowsSaveExactly posts environment rows with values a
// NAME=value textarea mangled and checks the stored stack byte for byte;
// names the model refuses come back next to their row, nothing saved.
func TestEnvironmentRowsSaveExactly(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	s := mustCreateEnv(t, st, nil)
	base := "/stacks/" + strconv.FormatInt(s.ID, 10)
	rev := s.Revision

	form := functionForm("128",
		[3]string{"", "MULTI", "line1\nline2=x"},
		[3]string{"", "SPACES", "  padded  "},
		[3]string{"", "EQUALS", "a=b=c"},
		[3]string{"", "HASH", "# not a comment"},
		[3]string{"", "UNICODE", "héllo ✓ 日本語"},
		[3]string{"", " TRIMMED_NAME\t", " value "},
		[3]string{"", "TYPED", "typed\r\nin a textarea\r\n"},
		[3]string{"", "LEADNL", "\nafter a line break"},
		[3]string{"", "", ""}, // a row added and left blank
		[3]string{"", "EMPTY", ""},
	)
	resp, body := send(t, ts, "POST", base+"/nodes/fn3", form, htmxAt(rev))
	expect(t, resp, body, http.StatusOK, `data-testid="saved"`)
	rev++
	want := map[string]string{
		"MULTI":        "line1\nline2=x",
		"SPACES":       "  padded  ",
		"EQUALS":       "a=b=c",
		"HASH":         "# not a comment",
		"UNICODE":      "héllo ✓ 日本語",
		"TRIMMED_NAME": " value ",
		"TYPED":        "typed\nin a textarea\n", // typed line breaks are LF
		"LEADNL":       "\nafter a line break",
		"EMPTY":        "",
	}
	if got := head(t, st, s.ID).Function("fn3").Environment; !maps.Equal(got, want) {
		t.Fatalf("stored environment:\n got %q\nwant %q", got, want)
	}
	// The saved panel keeps the rows in the order sent, the blank one too.
	var names []string
	for _, r := range panelEnvRows(t, body) {
		names = append(names, r[1])
	}
	if wantNames := []string{"MULTI", "SPACES", "EQUALS", "HASH", "UNICODE", "TRIMMED_NAME", "TYPED", "LEADNL", "", "EMPTY"}; !slices.Equal(names, wantNames) {
		t.Fatalf("rows shown after the save: %q, want %q", names, wantNames)
	}

	t.Run("RefusedNamesSaveNothing", func(t *testing.T) {
		cases := []struct {
			name  string
			rows  [][3]string
			index string
			says  string
		}{
			{"InvalidName", [][3]string{{"", "OK", "1"}, {"", "1BAD-NAME", "x"}}, "1", "must start with a letter"},
			{"Reserved", [][3]string{{"", "AWS_REGION", "x"}}, "0", "reserved"},
			{"Twice", [][3]string{{"", "SAME", "1"}, {"", "SAME", "2"}}, "1", "set twice"},
			{"ValueWithoutName", [][3]string{{"", "OK", "1"}, {"", " ", "orphan"}}, "1", "Give this variable a name"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				resp, body := send(t, ts, "POST", base+"/nodes/fn3", functionForm("256", c.rows...), htmxAt(rev))
				expect(t, resp, body, http.StatusUnprocessableEntity, `data-testid="error-env-`+c.index+`"`, c.says)
				after := head(t, st, s.ID)
				if after.Revision != rev || after.Function("fn3").MemorySize != 128 || !maps.Equal(after.Function("fn3").Environment, want) {
					t.Fatalf("a refused form saved something: revision %d, memory %d, env %q", after.Revision, after.Function("fn3").MemorySize, after.Function("fn3").Environment)
				}
				// The rows come back as typed, in order.
				shown := panelEnvRows(t, body)
				if len(shown) != len(c.rows) || shown[len(shown)-1][1] != strings.TrimSpace(c.rows[len(c.rows)-1][1]) {
					t.Fatalf("rows shown again: %q, sent %q", shown, c.rows)
				}
			})
		}
	})

	t.Run("FormWithoutRowsKeepsThem", func(t *testing.T) {
		form := functionForm("256")
		form.Del("envForm")
		resp, body := send(t, ts, "POST", base+"/nodes/fn3", form, htmxAt(rev))
		expect(t, resp, body, http.StatusOK)
		rev++
		if got := head(t, st, s.ID).Function("fn3"); got.MemorySize != 256 || !maps.Equal(got.Environment, want) {
			t.Fatalf("memory %d, environment %q", got.MemorySize, got.Environment)
		}
	})

	t.Run("RemovingEveryRowClearsThem", func(t *testing.T) {
		resp, body := send(t, ts, "POST", base+"/nodes/fn3", functionForm("256"), htmxAt(rev))
		expect(t, resp, body, http.StatusOK)
		if got := head(t, st, s.ID).Function("fn3").Environment; got != nil {
			t.Fatalf("environment %q after removing every row", got)
		}
	})
}

// TestEnvironmentUntouchedByOtherSaves saves the memory from the panel as a
// browser would send it and checks that no environment value moved by a
// byte, whatever its line breaks; renaming a variable keeps its value too.
// Before the rows, MULTI became MULTI=line1 plus an invented line2=x.
func TestEnvironmentUntouchedByOtherSaves(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	env := map[string]string{
		"MULTI":    "line1\nline2=x",
		"SPACES":   "  padded  ",
		"EQUALS":   "a=b=c",
		"HASH":     "# not a comment",
		"CRLF":     "one\r\ntwo\r\n",
		"CR":       "old\rmac",
		"LEADNL":   "\n\nafter two line breaks",
		"TRAILNL":  "before a line break\n",
		"UNICODE":  "héllo ✓ 日本語 <b>&amp;</b>",
		"QUOTES":   `"double" 'single'`,
		"TAB":      "\tindented",
		"EMPTY":    "",
		"WHITESPC": " ",
		"NUL":      "a\x00b",
	}
	s := mustCreateEnv(t, st, env)
	base := "/stacks/" + strconv.FormatInt(s.ID, 10)

	resp, body := do(t, ts, "GET", base+"/nodes/fn3", nil)
	expect(t, resp, body, http.StatusOK)
	rows := panelEnvRows(t, body)
	resp, body = send(t, ts, "POST", base+"/nodes/fn3", functionForm("512", rows...), htmxAt(s.Revision))
	expect(t, resp, body, http.StatusOK, `data-testid="saved"`)
	got := head(t, st, s.ID).Function("fn3")
	if got.MemorySize != 512 {
		t.Fatalf("memory %d, want 512", got.MemorySize)
	}
	if !maps.Equal(got.Environment, env) {
		t.Fatalf("saving the memory changed the environment:\n got %q\nwant %q", got.Environment, env)
	}

	// The panel after the save, sent again with CRLF renamed: its value
	// was not touched, so it keeps its CRLF.
	rows = panelEnvRows(t, body)
	for i := range rows {
		if rows[i][1] == "CRLF" {
			rows[i][1] = "CRLF_RENAMED"
		}
	}
	resp, body = send(t, ts, "POST", base+"/nodes/fn3", functionForm("512", rows...), htmxAt(s.Revision+1))
	expect(t, resp, body, http.StatusOK, `data-testid="saved"`)
	env["CRLF_RENAMED"] = env["CRLF"]
	delete(env, "CRLF")
	if got := head(t, st, s.ID).Function("fn3").Environment; !maps.Equal(got, env) {
		t.Fatalf("after renaming CRLF:\n got %q\nwant %q", got, env)
	}
}
