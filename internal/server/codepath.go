package server

import (
	"log/slog"
	"net/http"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// A function's code path follows its name (model.DefaultCodePath, kebab
// case) while nothing is at that path in the linked repository: renaming
// Function2 to Broadcaster moves functions/function2 to
// functions/broadcaster. Once the folder exists, a rename keeps the path
// and the panel asks whether the next commit should move the folder
// (issue 14 item 9). A path the user set by hand is never touched.

// codeFolderTaken reports whether the function a save renames has a code
// path that follows its old name and is a folder in the linked repository
// already. It is asked before the edit, since it may read a repository;
// stacks without a link, and saves that rename nothing, read nothing.
func (s *Server) codeFolderTaken(r *http.Request, stackID int64, nodeID string, props *propertiesForm) folderState {
	if props.Name == nil {
		return folderFree
	}
	if _, err := s.store.GitLink(r.Context(), stackID); err != nil {
		return folderFree // no link: no folder exists
	}
	cur, err := s.store.Stack(r.Context(), stackID)
	if err != nil {
		return folderFree // the edit reports it
	}
	fn := cur.Function(nodeID)
	if fn == nil || *props.Name == fn.Name || fn.CodePath != model.DefaultCodePath(fn.Name) {
		return folderFree
	}
	taken, err := s.publish.CodeFolderExists(r.Context(), cur, fn.CodePath)
	if err != nil {
		// Unknown is asked about rather than moved: a folder left behind
		// would take the function's code with it.
		s.log.WarnContext(r.Context(), "code folder check", slog.Int64("stack", stackID), slog.Any("error", err))
		return folderUnknown
	}
	if taken {
		return folderTaken
	}
	return folderFree
}

// folderState is what is known of a code folder in the linked repository.
type folderState int

const (
	folderFree    folderState = iota // nothing there, or no repository
	folderTaken                      // the folder exists
	folderUnknown                    // the repository could not be read
)

// followName moves a renamed function's code path along with its name
// when the old path followed the old name; when its folder exists in the
// repository, or may, it leaves the path and returns the move to propose.
func followName(st *model.Stack, id, wasName, wasPath string, folder folderState) *web.CodeMove {
	fn := st.Function(id)
	if fn == nil || fn.Name == wasName || fn.CodePath != wasPath || wasPath != model.DefaultCodePath(wasName) {
		return nil
	}
	to := model.DefaultCodePath(fn.Name)
	if to == wasPath {
		return nil
	}
	if folder != folderFree {
		return &web.CodeMove{From: wasPath, To: to, Unsure: folder == folderUnknown}
	}
	fn.CodePath = to
	return nil
}

// handleCodeMove answers the panel's question after a rename: yes, move
// the function's code folder in the next commit. The function's code path
// changes now, as one revision; the folder moves when the stack is next
// committed.
func (s *Server) handleCodeMove(w http.ResponseWriter, r *http.Request) {
	var f codeMoveForm
	if !s.readForm(w, r, &f) {
		return
	}
	id := r.PathValue("nodeID")
	var name string
	st, problems, err := s.edit(r, func(st *model.Stack) error {
		fn := st.Function(id)
		if fn == nil {
			return model.Errorf(model.ENOTFOUND, "No such function.")
		}
		// Only the move the panel offered: from the path as it is to the
		// one the name gives.
		if fn.CodePath != f.From || f.To != model.DefaultCodePath(fn.Name) {
			return model.Errorf(model.EINVALID, "The code of %s is at %s and its name gives %s; reload the panel.", fn.Name, fn.CodePath, model.DefaultCodePath(fn.Name))
		}
		name = fn.Name
		fn.CodePath = f.To
		return nil
	}, store.DescribeAfter(func() string { return "move the code of " + name + " to " + f.To }))
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.publish.MoveCodeInNextCommit(r.Context(), st.ID, f.From, f.To); err != nil {
		s.error(w, r, err)
		return
	}
	p := newPanel(st, problems, id)
	p.MovePending = &web.CodeMove{From: f.From, To: f.To}
	s.changed(w, r, st, nil, web.NodePanel(p))
}
