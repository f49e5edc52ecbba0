package export

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/switchboard-dev/switchboard/internal/model"
)

//go:embed scaffolds/*.tmpl
var scaffoldFS embed.FS

var scaffoldTemplates = template.Must(template.New("").Funcs(template.FuncMap{
	// js quotes a string as a JavaScript string literal.
	"js": func(s string) (string, error) {
		b, err := json.Marshal(s)
		return string(b), err
	},
}).ParseFS(scaffoldFS, "scaffolds/*.tmpl"))

// scaffoldData is what the scaffold templates read.
type scaffoldData struct {
	Function        string
	Runtime         string
	Handler         string
	Export          string
	Routes          []string
	Env             []string
	API             string
	APIEnv          string
	IdentitySources []string
	Table           string
	TableEnv        string
	KeyAttr         string
	KeyAttrs        []string
	CanDelete       bool
	// Calls are the function's wires to the services it calls, as a
	// comment naming each variable.
	Calls []scaffoldCall
}

// scaffoldCall is one service a function is wired to call.
type scaffoldCall struct{ Env, Text string }

// serviceValue says what a grant's variable holds: what the SDK call takes.
var serviceValue = map[model.Kind]string{
	model.KindQueue: "URL", model.KindTopic: "ARN", model.KindBus: "name",
	model.KindStateMachine: "ARN", model.KindBucket: "name", model.KindStream: "name",
}

var jsIdentifier = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// Scaffolds returns starter code for each function of the stack, keyed by
// slash-separated path under the repository root, such as
// functions/send-handler/index.mjs. Node.js functions get an index.mjs (or
// whatever file their Handler names) chosen from their wires:
//
//   - an authorizer that denies until edited, for an API's authorizer;
//   - a connection handler, for $connect/$disconnect with a read-write table
//     keyed by a string: it stores and deletes connection ids;
//   - an echo, for a two-way route: it returns the message body;
//   - a sender, for a send wire: with a table it posts the message's data to
//     every connection in it, otherwise it replies to the caller;
//   - otherwise a handler that logs and accepts.
//
// Other runtimes get a README.md saying what to put there. Functions whose
// code path is unsafe (absolute, or outside the repository) or shared with an
// earlier function get nothing. The content depends only on the stack.
func Scaffolds(s *model.Stack) map[string][]byte {
	files := map[string][]byte{}
	for _, sf := range scaffoldFiles(s) {
		files[sf.path] = sf.content
	}
	return files
}

// scaffoldFile is one function's starter file.
type scaffoldFile struct {
	folder, path string // slash-separated, under the repository root
	content      []byte
}

// scaffoldFiles returns the starter files in function order.
func scaffoldFiles(s *model.Stack) []scaffoldFile {
	if s == nil || s.CheckShape() != nil {
		return nil
	}
	var files []scaffoldFile
	folders := map[string]bool{}
	for _, f := range s.Functions {
		if !filepath.IsLocal(f.CodePath) || path.Clean(f.CodePath) != f.CodePath || folders[f.CodePath] {
			continue
		}
		folders[f.CodePath] = true
		name, content := scaffold(s, f)
		files = append(files, scaffoldFile{folder: f.CodePath, path: path.Join(f.CodePath, name), content: content})
	}
	return files
}

// Scaffold returns the file name (slash-separated, relative to the
// function's code folder) and content of one function's starter code.
func Scaffold(s *model.Stack, f *model.Function) (name string, content []byte) {
	return scaffold(s, f)
}

// scaffold returns the file name and content of one function's starter code.
func scaffold(s *model.Stack, f *model.Function) (string, []byte) {
	d := scaffoldData{Function: f.Name, Runtime: f.Runtime, Handler: f.Handler}
	var twoWay, connection bool
	for _, a := range s.APIs {
		for _, r := range a.Routes {
			if h := s.RouteHandler(r.ID); h != f {
				continue
			}
			d.Routes = append(d.Routes, r.Key)
			twoWay = twoWay || r.TwoWay
			connection = connection || r.Key == model.RouteConnect || r.Key == model.RouteDisconnect
		}
	}
	var readWrite, read *model.Table
	var send *model.API
	for _, w := range s.Wires {
		if w.From != f.ID {
			continue
		}
		g, ok := s.Grant(w)
		if !ok {
			continue
		}
		d.Env = append(d.Env, g.EnvName)
		if kind, node := g.Target(); serviceValue[kind] != "" {
			spec, _ := model.SpecOf(kind)
			d.Calls = append(d.Calls, scaffoldCall{g.EnvName, fmt.Sprintf("the %s of %s %s, which it may call with %s",
				serviceValue[kind], spec.Noun, node.Name, strings.Join(g.Actions, ", "))})
		}
		switch {
		case g.API != nil && send == nil:
			send = g.API
		case g.Table != nil && g.Write && readWrite == nil:
			readWrite = g.Table
		case g.Table != nil && !g.Write && read == nil:
			read = g.Table
		}
	}
	d.Env = append(d.Env, model.Sorted(f.Environment)...)

	module, export, ok := nodeHandler(f)
	if !ok {
		return "README.md", render("README.md.tmpl", d)
	}
	d.Export = export
	file := module + ".mjs"
	useTable := func(t *model.Table) {
		d.Table, d.TableEnv, d.KeyAttr = t.Name, t.TableEnvVar(), t.PartitionKey.Name
		d.KeyAttrs = []string{t.PartitionKey.Name}
		if t.SortKey != nil {
			d.KeyAttrs = append(d.KeyAttrs, t.SortKey.Name)
		}
	}
	stringKey := func(t *model.Table) bool { return t != nil && t.PartitionKey.Type == model.AttributeString }

	if a := authorizedAPI(s, f); a != nil {
		d.API, d.IdentitySources = a.Name, a.Authorizer.IdentitySources
		return file, render("authorizer.mjs.tmpl", d)
	}
	if connection && stringKey(readWrite) && readWrite.SortKey == nil {
		useTable(readWrite)
		return file, render("connection.mjs.tmpl", d)
	}
	if twoWay {
		return file, render("echo.mjs.tmpl", d)
	}
	if send != nil {
		d.API, d.APIEnv = send.Name, send.ConnectionsEnvVar()
		switch {
		case stringKey(readWrite):
			useTable(readWrite)
			d.CanDelete = true
			return file, render("broadcast.mjs.tmpl", d)
		case stringKey(read):
			useTable(read)
			return file, render("broadcast.mjs.tmpl", d)
		}
		return file, render("reply.mjs.tmpl", d)
	}
	return file, render("minimal.mjs.tmpl", d)
}

// authorizedAPI returns the API the function authorizes, or nil.
func authorizedAPI(s *model.Stack, f *model.Function) *model.API {
	for _, w := range s.WiresFrom(f.ID, model.WireAuthorizer) {
		if a := s.API(w.To); a != nil && a.Authorizer != nil {
			return a
		}
	}
	return nil
}

// nodeHandler splits a Node.js function's handler, such as index.handler or
// src/app.main, into its module and export, if the function runs on Node.js
// and the handler names a file inside its folder.
func nodeHandler(f *model.Function) (module, export string, ok bool) {
	if !strings.HasPrefix(f.Runtime, "nodejs") {
		return "", "", false
	}
	i := strings.LastIndexByte(f.Handler, '.')
	if i <= 0 {
		return "", "", false
	}
	module, export = f.Handler[:i], f.Handler[i+1:]
	if !jsIdentifier.MatchString(export) || !filepath.IsLocal(module) || path.Clean(module) != module {
		return "", "", false
	}
	return module, export, true
}

func render(name string, d scaffoldData) []byte {
	var b bytes.Buffer
	if err := scaffoldTemplates.ExecuteTemplate(&b, name, d); err != nil {
		// The templates are fixed and the data plain strings; failing here
		// is a bug.
		panic(fmt.Sprintf("export: scaffold %s: %v", name, err))
	}
	return b.Bytes()
}

// WriteScaffolds writes Scaffolds(s) under dir, the repository root, for
// every function whose code folder does not exist yet. It never overwrites a
// file and never touches a folder that exists, so running it again after the
// user edited the code is safe. It returns the slash-separated paths it
// wrote, in function order.
func WriteScaffolds(dir string, s *model.Stack) (written []string, err error) {
	files := scaffoldFiles(s)
	// A layer's starter lies deep in its folder (nodejs/node_modules/…),
	// so it is written here, where the folder itself is checked, and not
	// committed by Scaffolds' callers, which check only the file's own
	// folder and could add a module to a layer that exists.
	taken := map[string]bool{}
	for _, sf := range files {
		taken[sf.folder] = true
	}
	files = append(files, layerScaffoldFiles(s, taken)...)
	for _, sf := range files {
		p := sf.path
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(sf.folder))); err == nil {
			continue
		} else if !errors.Is(err, fs.ErrNotExist) {
			return written, fmt.Errorf("export: scaffold %s: %w", p, err)
		}
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return written, fmt.Errorf("export: scaffold %s: %w", p, err)
		}
		// O_EXCL: even if the folder appeared meanwhile, an existing file
		// is never replaced.
		file, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return written, fmt.Errorf("export: scaffold %s: %w", p, err)
		}
		_, werr := file.Write(sf.content)
		if cerr := file.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return written, fmt.Errorf("export: scaffold %s: %w", p, werr)
		}
		written = append(written, p)
	}
	return written, nil
}
