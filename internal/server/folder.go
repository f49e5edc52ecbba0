package server

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync"

	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/publish"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// The working folder as a view of the stack (issue 15 item 5): for a stack
// linked to a local repository, the canvas asks every few seconds
// (canvas/folder.js) whether template.yaml or switchboard.json in its
// folder changed on disk since the server first saw them (an IDE's save, a
// git pull); if they did and say something else than the stack, it offers
// to load them as one revision, listing what that changes. Loading goes
// through the same reimport as the Template tab (importer.LoadFolder). The
// files are untrusted: publish.ReadFolder reads only those two regular
// files, within a size limit, and the importer's limits apply.
//
// Asking is cheap: the folder's stamp (sizes and times) and the head
// revision key a cached answer, so the files are read and imported only
// when one of them changed.

// folders is what the server knows of each stack's working folder.
type folders struct {
	mu      sync.Mutex
	byStack map[int64]*folderSeen
}

type folderSeen struct {
	// baseline is the stamp of the files as first seen, loaded or ignored:
	// files with that stamp are not offered.
	baseline string
	// key is the stamp and revision the offer was made for.
	key   string
	offer web.FolderOfferView
}

func (f *folders) get(id int64) *folderSeen {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byStack == nil {
		f.byStack = map[int64]*folderSeen{}
	}
	seen := f.byStack[id]
	if seen == nil {
		seen = &folderSeen{}
		f.byStack[id] = seen
	}
	return seen
}

// setBaseline makes the files' current stamp the one not offered.
func (f *folders) setBaseline(id int64, stamp string) {
	seen := f.get(id)
	f.mu.Lock()
	defer f.mu.Unlock()
	seen.baseline, seen.key = stamp, ""
}

// handleFolderOffer answers with what loading the working folder would
// change, an empty offer when there is nothing to load, or 204 when the
// page already shows the answer (its seen parameter is the offer's key).
func (s *Server) handleFolderOffer(w http.ResponseWriter, r *http.Request) {
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	v := s.folderOffer(r, st)
	if r.URL.Query().Get("seen") == v.Key {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.render(w, r, http.StatusOK, web.FolderOffer(v))
}

// folderOffer is the offer for the stack as it is now.
func (s *Server) folderOffer(r *http.Request, st *model.Stack) web.FolderOfferView {
	v := web.FolderOfferView{Base: web.StackURL(st.ID)}
	dir, ok := s.publish.WorkingFolder(r.Context(), st)
	if !ok {
		return v
	}
	stamp := publish.FolderStamp(dir)
	seen := s.folders.get(st.ID)
	s.folders.mu.Lock()
	defer s.folders.mu.Unlock()
	if seen.baseline == "" {
		seen.baseline = stamp
	}
	if stamp == seen.baseline {
		return v
	}
	sum := sha256.Sum256([]byte(stamp + "@" + strconv.FormatInt(st.Revision, 10)))
	key := hex.EncodeToString(sum[:8])
	if key == seen.key {
		return seen.offer
	}
	v.Key, v.Dir = key, dir
	files, err := publish.ReadFolder(dir)
	var next *model.Stack
	changed := false
	if err == nil {
		next, changed, err = importer.LoadFolder(r.Context(), st, files.Template, files.Stack, web.Geometry)
	}
	switch {
	case err != nil:
		v.Problem = model.ErrorMessage(err)
	case !changed:
		v.Key = ""
	default:
		v.Changes = web.StackChanges(st, next)
	}
	seen.key, seen.offer = key, v
	return v
}

// handleFolderLoad loads the working folder's files as one revision of the
// stack the page shows (a stale page is refused, as any edit).
func (s *Server) handleFolderLoad(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r, noForm{}) {
		return
	}
	var stamp string
	st, _, err := s.edit(r, func(st *model.Stack) error {
		dir, ok := s.publish.WorkingFolder(r.Context(), st)
		if !ok {
			return model.Errorf(model.EINVALID, "This stack has no working folder: link it to a local repository first.")
		}
		stamp = publish.FolderStamp(dir)
		files, err := publish.ReadFolder(dir)
		if err != nil {
			return err
		}
		next, changed, err := importer.LoadFolder(r.Context(), st, files.Template, files.Stack, web.Geometry)
		if err != nil {
			return err
		}
		if !changed {
			return model.Errorf(model.EINVALID, "The working folder holds the stack as it is: there is nothing to load.")
		}
		*st = *next
		return nil
	}, store.Describe("load the working folder"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.folders.setBaseline(st.ID, stamp)
	s.changed(w, r, st, nil, web.FolderOfferOOB(web.FolderOfferView{Base: web.StackURL(st.ID)}))
}

// handleFolderIgnore stops offering the working folder's files until they
// change again.
func (s *Server) handleFolderIgnore(w http.ResponseWriter, r *http.Request) {
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	if dir, ok := s.publish.WorkingFolder(r.Context(), st); ok {
		s.folders.setBaseline(st.ID, publish.FolderStamp(dir))
	}
	s.render(w, r, http.StatusOK, web.FolderOffer(web.FolderOfferView{Base: web.StackURL(st.ID)}))
}
