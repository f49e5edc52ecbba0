package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/switchboard-dev/switchboard/importer"
	"github.com/switchboard-dev/switchboard/model"
	"github.com/switchboard-dev/switchboard/web"
)

// maxImportMemory is how much of a multipart import form is held in
// memory; MaxBodyBytes bounds the whole body anyway.
const maxImportMemory = MaxBodyBytes

// handleImportPreview imports an uploaded or pasted file and shows what it
// becomes, creating nothing. A malformed file comes back on the stacks page
// with its line and column next to the form.
func (s *Server) handleImportPreview(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(maxImportMemory); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.errorPage(w, r, http.StatusRequestEntityTooLarge, "The file is too large; a template is at most 1 MB.")
			return
		}
		s.errorPage(w, r, http.StatusBadRequest, "The upload could not be read.")
		return
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	form := web.ImportForm{Name: strings.TrimSpace(r.FormValue("name")), Source: normalizeNewlines(r.FormValue("source"))}
	file, source := "pasted template", []byte(form.Source)
	if f, hdr, err := r.FormFile("file"); err == nil {
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, web.MaxImportBytes+1))
		if err != nil {
			s.error(w, r, err)
			return
		}
		if len(data) > 0 {
			file, source = hdr.Filename, data
			form.Source = "" // a file is not pasted back into the form
		}
	}
	if strings.TrimSpace(string(source)) == "" {
		form.Error = "Choose a file or paste a template to import."
		s.renderStacks(w, r, http.StatusUnprocessableEntity, web.StacksView{Form: "import", Error: form.Error, Import: form})
		return
	}
	res, err := importer.Import(r.Context(), file, source)
	if err != nil {
		s.importFailed(w, r, form, err)
		return
	}
	name := form.Name
	if name == "" {
		name = importer.SuggestName(res, file)
	}
	s.render(w, r, http.StatusOK, web.ImportPreviewPage(importPreview(file, string(source), name, res)))
}

// importFailed shows an import's error next to the import form.
func (s *Server) importFailed(w http.ResponseWriter, r *http.Request, form web.ImportForm, err error) {
	// The request has gone or run out of time, so the import stopped; the
	// page templates cannot render under its context either.
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		s.log.InfoContext(r.Context(), "import cancelled", slog.Any("error", err))
		http.Error(w, "The import was cancelled before it finished.", http.StatusServiceUnavailable)
		return
	}
	if code := model.ErrorCode(err); code != model.EINVALID && code != model.ECONFLICT {
		s.error(w, r, err)
		return
	}
	form.Error = problemText(err)
	s.renderStacks(w, r, http.StatusUnprocessableEntity, web.StacksView{Form: "import", Error: form.Error, Import: form})
}

// handleImportCreate imports the file the preview sent back and creates
// the stack, then opens its canvas.
func (s *Server) handleImportCreate(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	file := r.FormValue("file")
	source, err := decodeSource(r.FormValue("encoded"))
	if err != nil || len(source) == 0 {
		s.errorPage(w, r, http.StatusBadRequest, "The import form lost its file; start the import again.")
		return
	}
	res, err := importer.Import(r.Context(), file, source)
	if err != nil {
		s.importFailed(w, r, web.ImportForm{}, err)
		return
	}
	name := strings.TrimSpace(r.FormValue("name"))
	res.Stack.Name = name
	created, err := s.store.CreateStack(r.Context(), res.Stack)
	if err != nil {
		if code := model.ErrorCode(err); code != model.EINVALID && code != model.ECONFLICT {
			s.error(w, r, err)
			return
		}
		p := importPreview(file, string(source), name, res)
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
		Functions: sum.Functions, Tables: sum.Tables, Wires: sum.Wires,
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
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

// decodeSource unpacks what encodeSource packed, reading no more than an
// import may hold.
func decodeSource(s string) ([]byte, error) {
	packed, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, err
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
		return nil, errors.New("the packed file is too large")
	}
	return data, nil
}

// normalizeNewlines undoes the CRLF line ends a browser gives a textarea.
func normalizeNewlines(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }
