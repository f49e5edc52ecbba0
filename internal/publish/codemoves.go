package publish

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/gitlink"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// A function's code path follows its name (model.DefaultCodePath) until its
// folder exists in the linked repository; from then on a rename asks
// whether to move the folder, and a yes is recorded here and made by the
// next commit (issue 14 item 9).

// CodeFolderExists reports whether the stack's linked repository has
// something at codePath (relative to the stack's folder), committed or, in
// a local working tree, not yet. A stack without a link has no folders.
func (s *Service) CodeFolderExists(ctx context.Context, st *model.Stack, codePath string) (bool, error) {
	if _, err := s.store.GitLink(ctx, st.ID); model.ErrorCode(err) == model.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	l, err := s.link(ctx, st.ID)
	if err != nil {
		return false, err
	}
	ok, err := s.git.Exists(ctx, l, codePath)
	if err != nil {
		return false, gitError(err)
	}
	return ok, nil
}

// MoveCodeInNextCommit records that the stack's next commit moves the code
// folder from one path to another.
func (s *Service) MoveCodeInNextCommit(ctx context.Context, stackID int64, from, to string) error {
	return s.store.AddCodeMove(ctx, stackID, store.CodeMove{From: from, To: to})
}

// CodeMoves lists the moves the stack's next commit makes.
func (s *Service) CodeMoves(ctx context.Context, stackID int64) ([]store.CodeMove, error) {
	return s.store.CodeMoves(ctx, stackID)
}

// filesWithMoves is Files plus the recorded folder moves: each moved
// folder's files are written under its new path (instead of a starter
// handler there) and deleted under the old one. It returns the moves it
// is done with: made by the commit, or no longer wanted (no function's code
// path is the move's target any more, or nothing is left to move).
func (s *Service) filesWithMoves(ctx context.Context, st *model.Stack, l gitlink.Link) (map[string]gitlink.File, []store.CodeMove, error) {
	files, err := Files(st)
	if err != nil {
		return nil, nil, err
	}
	moves, err := s.store.CodeMoves(ctx, st.ID)
	if err != nil || len(moves) == 0 {
		return files, nil, err
	}
	used := map[string]bool{}
	for _, f := range st.Functions {
		used[f.CodePath] = true
	}
	var done []store.CodeMove
	for _, m := range moves {
		done = append(done, m)
		if !used[m.To] || used[m.From] {
			continue // undone since, or the old folder is still somebody's
		}
		old, err := s.git.ReadFolder(ctx, l, m.From)
		if err != nil {
			return nil, nil, gitError(err)
		}
		if len(old) == 0 {
			continue
		}
		if taken, err := s.git.Exists(ctx, l, m.To); err != nil {
			return nil, nil, gitError(err)
		} else if taken {
			return nil, nil, model.Errorf(model.ECONFLICT, "Cannot move %s to %s: %s already exists in the repository. Move or remove it, or rename the function back.", m.From, m.To, m.To)
		}
		for p, f := range files {
			if f.CreateOnly && strings.HasPrefix(p, m.To+"/") {
				delete(files, p) // the moved code, not a starter, goes there
			}
		}
		for p, data := range old {
			rel := strings.TrimPrefix(p, m.From+"/")
			if _, clash := files[m.To+"/"+rel]; clash {
				return nil, nil, fmt.Errorf("publish: move %s: %s is written twice", m.From, rel)
			}
			files[m.To+"/"+rel] = gitlink.File{Data: data}
			files[p] = gitlink.File{Delete: true}
		}
	}
	return files, done, nil
}
