package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/publish"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// gitView loads what every state of the Git page shows: the link, the
// stack's problems and the history.
func (s *Server) gitView(r *http.Request, st *model.Stack, history bool) (web.GitView, error) {
	info, err := s.publish.Link(r.Context(), st.ID)
	if err != nil {
		return web.GitView{}, err
	}
	v := web.GitView{StackID: st.ID, StackName: st.Name, Link: linkForm(info)}
	if err := st.Validate(); err != nil {
		v.Problems = problemsOf(err)
	}
	if info.Linked && history {
		v.History, v.HistoryError = s.history(r, st.ID)
	}
	return v, nil
}

// linkForm is the link as the form shows it: the author as one line, and
// never credentials typed into the URL.
func linkForm(info publish.LinkInfo) web.LinkForm {
	return web.LinkForm{Linked: info.Linked, Repo: publish.DisplayURL(info.Repo), Branch: info.Branch, Folder: info.Folder, Author: info.Author(),
		Username: info.Username, SSHKeyFile: info.SSHKeyFile, HasToken: info.HasToken, Remote: info.Remote, CreateBranch: info.CreateBranch}
}

// history reads the history, turning a failure into a message for the page.
func (s *Server) history(r *http.Request, stackID int64) ([]web.HistoryRow, string) {
	h, err := s.publish.History(r.Context(), stackID)
	if err != nil {
		return nil, s.failed(r, err).message
	}
	rows := make([]web.HistoryRow, len(h))
	for i, c := range h {
		subject, _, _ := strings.Cut(c.Message, "\n")
		rows[i] = web.HistoryRow{Hash: c.Hash, Subject: subject, Author: c.Author, When: c.When}
	}
	return rows, ""
}

// handleGitPage shows the stack's link, a commit button and the history.
func (s *Server) handleGitPage(w http.ResponseWriter, r *http.Request) {
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	v, err := s.gitView(r, st, true)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, web.GitPage(v))
}

// handleGitLinkSave starts a job that checks the link by opening or
// listing the repository and saves it. Its page shows the saved link, or
// the form again with the message (422), offering to create a missing
// branch.
func (s *Server) handleGitLinkSave(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	in := publish.LinkInput{GitLink: model.GitLink{
		Repo: r.FormValue("repo"), Branch: r.FormValue("branch"), Folder: r.FormValue("folder"),
		Username: r.FormValue("username"), SSHKeyFile: r.FormValue("ssh_key"),
		CreateBranch: r.FormValue("create_branch") == "1",
	}}
	author := r.FormValue("author")
	token := strings.TrimSpace(r.FormValue("token"))
	switch action := r.FormValue("token_action"); {
	case action == "clear":
		in.TokenAction = publish.ClearToken
	case token != "":
		in.Token, in.TokenAction = token, publish.SetToken
	case action == "replace":
		in.TokenAction = publish.SetToken // empty: SaveLink says so
	}
	// What the form shows again if the check fails: the author as typed,
	// never the token.
	typed := linkForm(publish.LinkInfo{GitLink: in.GitLink})
	typed.Author = author
	j := s.jobs.start(st.ID, "link", web.StackURL(st.ID)+"/git/jobs/", "Checking "+typed.Repo,
		func(j *gitJob) { j.link = typed },
		func(ctx context.Context, j *gitJob) {
			// An author that does not parse is a message on the job's
			// page, like every other problem with the link.
			err := in.SetAuthor(author)
			if err == nil {
				err = s.publish.SaveLink(ctx, st, in)
			}
			j.mu.Lock()
			j.err = err
			j.mu.Unlock()
		})
	http.Redirect(w, r, j.url, http.StatusSeeOther)
}

// linkOutcome fills the page of a finished link job.
func (s *Server) linkOutcome(r *http.Request, v *web.GitView, j *gitJob) int {
	if j.err == nil {
		v.Notice = "Checked the repository and saved the link."
		return http.StatusOK
	}
	f := s.failed(r, j.err)
	form := j.link
	form.Linked, form.HasToken = v.Link.Linked, v.Link.HasToken
	v.Link = form
	v.LinkError = f.message
	v.OfferCreateBranch = errors.Is(j.err, publish.ErrBranchMissing)
	return f.status
}

// handleGitUnlink forgets the link and its token.
func (s *Server) handleGitUnlink(w http.ResponseWriter, r *http.Request) {
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	if err := s.publish.Unlink(r.Context(), st.ID); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, web.StackURL(st.ID)+"/git", http.StatusSeeOther)
}

// handleGitPreview starts a job that fetches (for a remote, the first time
// it clones) and works out what a commit would change; its page shows the
// diffs, with the message to edit and the Commit button.
func (s *Server) handleGitPreview(w http.ResponseWriter, r *http.Request) {
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	v, err := s.gitView(r, st, true)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !v.Link.Linked || len(v.Problems) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, web.GitPage(v))
		return
	}
	overwrite := r.URL.Query().Get("overwrite") == "1"
	j := s.jobs.start(st.ID, "preview", web.StackURL(st.ID)+"/git/jobs/", "Preview of the commit to "+publish.DisplayURL(v.Link.Repo),
		func(j *gitJob) { j.overwrite = overwrite },
		func(ctx context.Context, j *gitJob) {
			changes, err := s.publish.Preview(ctx, st, overwrite)
			j.mu.Lock()
			j.changes, j.err = changes, err
			j.mu.Unlock()
		})
	http.Redirect(w, r, j.url, http.StatusSeeOther)
}

// previewOutcome fills the page of a finished preview job.
func (s *Server) previewOutcome(r *http.Request, v *web.GitView, st *model.Stack, j *gitJob) int {
	if j.err != nil {
		f := s.failed(r, j.err)
		v.CommitError = f.message
		return f.status
	}
	p := &web.CommitPreview{Message: "Update " + st.Name, Overwrite: j.overwrite}
	for _, c := range j.changes {
		p.Changes = append(p.Changes, web.ChangeView{Path: c.Path, Status: c.Status, Diff: c.Diff, Conflict: c.Conflict})
		if c.Conflict {
			v.Conflicts = append(v.Conflicts, c.Path)
		}
		v.ForeignConflicts = v.ForeignConflicts || c.Foreign
	}
	if len(v.Conflicts) > 0 {
		if v.ForeignConflicts {
			v.CommitError = "These files are already in the repository's folder and Switchboard did not write them, so a commit would be refused. Replace them with the stack's version, or choose another folder."
		} else if v.Link.Remote {
			v.CommitError = "These files changed in the repository since Switchboard last committed them, so a commit would be refused. Overwrite them with the stack's version, or open the stack from the repository to bring those changes in."
		} else {
			// Link.Overwrite never applies to uncommitted local edits:
			// they exist nowhere else.
			v.CommitError = "These files have uncommitted changes in the repository's working tree; commit or discard them there first."
			v.Conflicts = nil
		}
	}
	v.Preview = p
	return http.StatusOK
}

// handleGitCommit starts a job that commits (and pushes) the stack; its
// page shows the progress, then the commit id and the history.
func (s *Server) handleGitCommit(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	v, err := s.gitView(r, st, false)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !v.Link.Linked || len(v.Problems) > 0 {
		if v.Link.Linked {
			v.History, v.HistoryError = s.history(r, st.ID)
		}
		s.render(w, r, http.StatusUnprocessableEntity, web.GitPage(v))
		return
	}
	message, overwrite := r.FormValue("message"), r.FormValue("overwrite") == "1"
	j := s.jobs.start(st.ID, "commit", web.StackURL(st.ID)+"/git/jobs/", "Commit to "+publish.DisplayURL(v.Link.Repo), nil,
		func(ctx context.Context, j *gitJob) {
			res, err := s.publish.Commit(ctx, st, message, overwrite)
			j.mu.Lock()
			j.result, j.err = res, err
			j.mu.Unlock()
		})
	http.Redirect(w, r, j.url, http.StatusSeeOther)
}

// commitOutcome fills the page of a finished commit job.
func (s *Server) commitOutcome(r *http.Request, v *web.GitView, j *gitJob) int {
	err := j.err
	switch {
	case errors.Is(err, publish.ErrNothingToCommit):
		v.Notice = "Nothing to commit: the repository is up to date."
		return http.StatusOK
	case err != nil:
		var ce *publish.ConflictError
		if errors.As(err, &ce) && (v.Link.Remote || ce.Foreign) {
			v.Conflicts, v.ForeignConflicts = ce.Files, ce.Foreign
		}
		f := s.failed(r, err)
		v.CommitError = f.message
		if len(v.Problems) > 0 {
			v.CommitError = ""
		}
		return f.status
	}
	done := &web.CommitDone{Hash: j.result.Hash, Pushed: j.result.Pushed}
	for _, c := range j.result.Changes {
		done.Changes = append(done.Changes, web.ChangeView{Path: c.Path, Status: c.Status})
	}
	v.Committed = done
	return http.StatusOK
}

// handleGitJob is the page of a preview or commit job: while it runs, its
// status (which polls this URL; an htmx poll gets the box alone); once it
// has ended, the outcome. An htmx poll of an ended job reloads the page.
func (s *Server) handleGitJob(w http.ResponseWriter, r *http.Request) {
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	j, ok := s.loadJob(w, r, st.ID, "No such Git operation: it ended a while ago. Preview the commit again.")
	if !ok {
		return
	}
	jv := j.view()
	if isHTMX(r) {
		if jv.Running() {
			s.render(w, r, http.StatusOK, web.GitJobStatus(jv))
			return
		}
		w.Header().Set("HX-Refresh", "true")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	j.mu.Lock()
	linkFailed := j.kind == "link" && j.err != nil
	j.mu.Unlock()
	v, err := s.gitView(r, st, !jv.Running() && !linkFailed)
	if err != nil {
		s.error(w, r, err)
		return
	}
	v.Job = &jv
	status := http.StatusOK
	if !jv.Running() && jv.State != jobCancelled {
		j.mu.Lock()
		switch j.kind {
		case "preview":
			status = s.previewOutcome(r, &v, st, j)
		case "link":
			status = s.linkOutcome(r, &v, j)
		default:
			status = s.commitOutcome(r, &v, j)
		}
		j.mu.Unlock()
	}
	s.render(w, r, status, web.GitPage(v))
}

// handleGitJobCancel cancels a preview or commit job and shows its page.
func (s *Server) handleGitJobCancel(w http.ResponseWriter, r *http.Request) {
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	if j, ok := s.loadJob(w, r, st.ID, "No such Git operation."); ok {
		cancelAndShow(w, r, j)
	}
}

// handleGitHistory renders the history list alone.
func (s *Server) handleGitHistory(w http.ResponseWriter, r *http.Request) {
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	rows, msg := s.history(r, st.ID)
	s.render(w, r, http.StatusOK, web.HistoryList(rows, msg))
}

// handleStackOpen starts a job that creates a stack from a repository's
// switchboard.json; its page opens the new stack's canvas when it is done.
func (s *Server) handleStackOpen(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	in := publish.OpenInput{
		GitLink: model.GitLink{Repo: r.FormValue("repo"), Branch: r.FormValue("branch"), Folder: r.FormValue("folder")},
		Token:   r.FormValue("token"), Name: strings.TrimSpace(r.FormValue("name")),
	}
	author := r.FormValue("author")
	form := web.OpenForm{Repo: publish.DisplayURL(in.Repo), Branch: in.Branch, Folder: in.Folder, Name: in.Name}
	j := s.jobs.start(0, "open", "/stacks/open/jobs/", "Opening a stack from "+form.Repo,
		func(j *gitJob) { j.open = form },
		func(ctx context.Context, j *gitJob) {
			var created *model.Stack
			err := in.SetAuthor(author)
			if err == nil {
				created, err = s.publish.Open(ctx, in)
			}
			if err != nil && created != nil {
				// Created, but the link was refused: the stack is there to use.
				s.log.Warn("opened stack not linked", slog.String("stack", created.Name), slog.String("error", model.ErrorMessage(err)))
				err = nil
			}
			j.mu.Lock()
			j.opened, j.err = created, err
			j.mu.Unlock()
		})
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", j.url)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, j.url, http.StatusSeeOther)
}

// handleOpenJob is the page of an open job: its status while it runs,
// the new stack's canvas when it is done, the form with the error when
// it failed.
func (s *Server) handleOpenJob(w http.ResponseWriter, r *http.Request) {
	j, ok := s.loadJob(w, r, 0, "No such Git operation: it ended a while ago.")
	if !ok {
		return
	}
	jv := j.view()
	if jv.Running() {
		if isHTMX(r) {
			s.render(w, r, http.StatusOK, web.GitJobStatus(jv))
		} else {
			s.render(w, r, http.StatusOK, web.GitJobPage("Open a stack from a repository", jv))
		}
		return
	}
	j.mu.Lock()
	created, err, form := j.opened, j.err, j.open
	j.mu.Unlock()
	switch {
	case jv.State == jobCancelled:
		s.renderStacks(w, r, http.StatusOK, web.StacksView{Form: "open", Open: form, Error: "Cancelled: no stack was created."})
	case err != nil:
		// The user's to fix: the form again, with the message.
		// Anything else is an error page.
		if f := failureOf(err); !f.internal && !f.cancelled {
			s.renderStacks(w, r, f.status, web.StacksView{Form: "open", Open: form, Error: f.message})
			return
		}
		s.error(w, r, err)
	case isHTMX(r):
		w.Header().Set("HX-Redirect", web.StackURL(created.ID))
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Redirect(w, r, web.StackURL(created.ID), http.StatusSeeOther)
	}
}

// handleOpenJobCancel cancels an open job.
func (s *Server) handleOpenJobCancel(w http.ResponseWriter, r *http.Request) {
	if j, ok := s.loadJob(w, r, 0, "No such Git operation."); ok {
		cancelAndShow(w, r, j)
	}
}

// loadJob finds the job the URL names for the stack (0 for an open job),
// or answers 404 with gone.
func (s *Server) loadJob(w http.ResponseWriter, r *http.Request, stackID int64, gone string) (*gitJob, bool) {
	j := s.jobs.get(stackID, chi.URLParam(r, "jobID"))
	if j == nil {
		s.errorPage(w, r, http.StatusNotFound, gone)
		return nil, false
	}
	return j, true
}

// cancelAndShow cancels a job, waits a little for it to end (gitlink stops
// at its next step) and sends the browser to the job's page, which then
// says how it ended.
func cancelAndShow(w http.ResponseWriter, r *http.Request, j *gitJob) {
	j.cancelJob()
	select {
	case <-j.done:
	case <-time.After(10 * time.Second):
	case <-r.Context().Done():
	}
	http.Redirect(w, r, j.url, http.StatusSeeOther)
}
