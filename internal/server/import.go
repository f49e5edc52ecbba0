package server

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// MaxImportBody bounds the body of the two import requests, the routes
// exempt from MaxBodyBytes: an upload or paste of a template as large as the
// importer takes (importer.MaxSize, the one limit on a template), or the
// preview's form sending it back gzipped and base64-encoded, which an
// incompressible file makes a third larger; 64 KB for the other fields.
const MaxImportBody = importer.MaxSize*4/3 + 64<<10

// MaxTemplateEditBody bounds an edit of the template: a template as large
// as the importer takes, form-encoded (every byte at worst three), and
// room for the other fields.
const MaxTemplateEditBody = importer.MaxSize*3 + 64<<10

// importPaths are the routes whose bodies may reach MaxImportBody.
var importPaths = map[string]bool{"/stacks/import": true, "/stacks/import/create": true}

// isTemplateEdit reports whether r applies an edited template
// (handleTemplateEdit), whose text may be as large as an import's.
func isTemplateEdit(r *http.Request) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, "/stacks/")
	id, tail, _ := strings.Cut(rest, "/")
	return ok && r.Method == http.MethodPost && tail == "template" && id != ""
}

// limitBodies bounds every request body: MaxImportBody for an import,
// MaxBodyBytes for the rest. A body over its limit fails to read as an
// *http.MaxBytesError, which failureOf answers with 413.
func limitBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := int64(MaxBodyBytes)
		switch {
		case importPaths[r.URL.Path]:
			limit = MaxImportBody
		case isTemplateEdit(r):
			limit = MaxTemplateEditBody
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// errTemplateTooLarge refuses a template over importer.MaxSize.
var errTemplateTooLarge = &requestError{status: http.StatusRequestEntityTooLarge,
	message: "The file is too large; a template is at most " + sizeText(importer.MaxSize) + "."}

// importForm is the import form: a file, or a template pasted as Source.
type importForm struct {
	web.ImportForm
	// File names the template in messages; Data is its text.
	File string
	Data []byte
}

func (f *importForm) read(r *http.Request) error {
	f.Name, f.Source = strings.TrimSpace(r.FormValue("name")), normalizeNewlines(r.FormValue("source"))
	f.File, f.Data = "pasted template", []byte(f.Source)
	if file, hdr, err := r.FormFile("file"); err == nil {
		defer file.Close()
		data, err := io.ReadAll(io.LimitReader(file, importer.MaxSize+1))
		if err != nil {
			return fmt.Errorf("server: read the uploaded file: %w", err)
		}
		if len(data) > 0 {
			f.File, f.Data = hdr.Filename, data
			f.Source = "" // a file is not pasted back into the form
		}
	}
	if len(f.Data) > importer.MaxSize {
		return errTemplateTooLarge
	}
	return nil
}

// handleImportPreview imports an uploaded or pasted file and shows what it
// becomes, creating nothing. A malformed file comes back on the stacks page
// with its line and column next to the form.
func (s *Server) handleImportPreview(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(MaxImportBody); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		if failureOf(err).status == http.StatusRequestEntityTooLarge {
			err = errTemplateTooLarge
		} else {
			err = badRequest("The upload could not be read.")
		}
		s.error(w, r, err)
		return
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	var f importForm
	if err := f.read(r); err != nil {
		s.error(w, r, err)
		return
	}
	if strings.TrimSpace(string(f.Data)) == "" {
		s.importFailed(w, r, f.ImportForm, model.Errorf(model.EINVALID, "Choose a file or paste a template to import."))
		return
	}
	res, err := importer.Import(r.Context(), f.File, f.Data)
	if err != nil {
		s.importFailed(w, r, f.ImportForm, err)
		return
	}
	name := f.Name
	if name == "" {
		name = importer.SuggestName(res, f.File)
	}
	s.render(w, r, http.StatusOK, web.ImportPreviewPage(importPreview(f.File, string(f.Data), name, res)))
}

// importFailed shows an import's error next to the import form, when it is
// the user's to fix; others go to s.error.
func (s *Server) importFailed(w http.ResponseWriter, r *http.Request, form web.ImportForm, err error) {
	f := failureOf(err)
	if f.status != http.StatusUnprocessableEntity && f.status != http.StatusConflict {
		s.error(w, r, err)
		return
	}
	form.Error = f.message
	s.renderStacks(w, r, http.StatusUnprocessableEntity, web.StacksView{Form: "import", Error: form.Error, Import: form})
}

// importCreateForm is the preview's form: the file it previewed, packed
// (encodeSource), and the name to create it under.
type importCreateForm struct {
	File, Name string
	Data       []byte
}

func (f *importCreateForm) read(r *http.Request) error {
	f.File, f.Name = r.FormValue("file"), strings.TrimSpace(r.FormValue("name"))
	data, err := decodeSource(r.FormValue("encoded"))
	if errors.Is(err, errTemplateTooLarge) {
		return err
	}
	if err != nil || len(data) == 0 {
		return badRequest("The import form lost its file; start the import again.")
	}
	f.Data = data
	return nil
}

// handleImportCreate imports the file the preview sent back and creates
// the stack, then opens its canvas.
func (s *Server) handleImportCreate(w http.ResponseWriter, r *http.Request) {
	var f importCreateForm
	if !s.readForm(w, r, &f) {
		return
	}
	res, err := importer.Import(r.Context(), f.File, f.Data)
	if err != nil {
		s.importFailed(w, r, web.ImportForm{}, err)
		return
	}
	res.Stack.Name = f.Name
	created, err := s.store.CreateStack(r.Context(), res.Stack)
	if err != nil {
		if code := model.ErrorCode(err); code != model.EINVALID && code != model.ECONFLICT {
			s.error(w, r, err)
			return
		}
		p := importPreview(f.File, string(f.Data), f.Name, res)
		p.Error = problemText(err)
		s.render(w, r, http.StatusUnprocessableEntity, web.ImportPreviewPage(p))
		return
	}
	s.log.InfoContext(r.Context(), "imported stack", slog.String("stack", created.Name),
		slog.String("format", string(res.Format)), slog.Int("nodes", len(created.Nodes())), slog.Int("others", len(created.Others)))
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", web.StackURL(created.ID))
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, web.StackURL(created.ID), http.StatusSeeOther)
}

func importPreview(file, source, name string, res *importer.Result) web.ImportPreview {
	sum := res.Summary
	p := web.ImportPreview{
		File: file, Encoded: encodeSource([]byte(source)), Format: string(res.Format), Name: name,
		Functions: sum.Functions, Tables: sum.Tables, Services: sum.Services, Parameters: sum.Parameters, Wires: sum.Wires,
		Others: sum.Others, Sections: sum.Sections, Kept: sum.Kept, Notes: sum.Notes,
	}
	for _, a := range sum.APIs {
		p.APIs = append(p.APIs, web.ImportAPI{Name: a.Name, Routes: a.Routes})
	}
	return p
}

// encodeSource packs a file for the preview form: gzip, then base64.
func encodeSource(data []byte) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data) // writes to a bytes.Buffer do not fail
	zw.Close()
	// URL-safe, so the form's encoding does not grow it further.
	return base64.RawURLEncoding.EncodeToString(b.Bytes())
}

// decodeSource unpacks what encodeSource packed, reading no more than an
// import may hold.
func decodeSource(s string) ([]byte, error) {
	packed, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		// A preview page from before the URL-safe encoding.
		if packed, err = base64.StdEncoding.DecodeString(s); err != nil {
			return nil, err
		}
	}
	zr, err := gzip.NewReader(bytes.NewReader(packed))
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(zr, importer.MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > importer.MaxSize {
		return nil, errTemplateTooLarge
	}
	return data, nil
}

// normalizeNewlines undoes the CRLF line ends a browser gives a textarea.
func normalizeNewlines(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }
