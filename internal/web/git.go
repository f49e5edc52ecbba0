package web

import (
	"github.com/a-h/templ"

	"time"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// GitView is the "Commit to repo" page of a stack: its link to a Git
// repository, the preview of a commit, its result and the history.
type GitView struct {
	StackID   int64
	StackName string
	Link      LinkForm
	// LinkError is why saving the link failed; OfferCreateBranch adds the
	// button that saves it again creating the missing branch.
	LinkError         string
	OfferCreateBranch bool
	// Notice is a one-line success message, such as "Link saved.".
	Notice string
	// Problems stop a commit: the stack does not validate.
	Problems []model.Problem
	// Preview is set after "Preview commit".
	Preview *CommitPreview
	// CommitError is why the commit failed; Conflicts name the files that
	// changed upstream, and the page offers to overwrite them.
	CommitError string
	Conflicts   []string
	// ForeignConflicts: the Conflicts are files Switchboard did not write,
	// already in the folder; overwriting replaces them.
	ForeignConflicts bool
	Committed        *CommitDone
	History          []HistoryRow
	// HistoryError is why the history could not be read.
	HistoryError string
	// Job is the preview or commit running in the background (or just
	// ended), whose page this is.
	Job *GitJobView
}

// GitJobView is a Git operation running in the background: its page polls
// URL while it runs and offers Cancel (a POST to URL + "/cancel").
type GitJobView struct {
	URL   string
	Title string
	// State is running, done, failed or cancelled.
	State string
	// Lines are its progress, oldest first.
	Lines []string
	// Message says how it ended when it did not succeed.
	Message string
}

// Running reports whether the job has not ended yet.
func (j GitJobView) Running() bool { return j.State == "running" }

// pollAttrs makes a running job's box reload itself every second.
func (j GitJobView) pollAttrs() templ.Attributes {
	if !j.Running() {
		return templ.Attributes{}
	}
	return templ.Attributes{"hx-get": j.URL, "hx-trigger": "every 1s", "hx-swap": "outerHTML"}
}

// LinkForm is the link as its form shows it. The token is never in it:
// HasToken says one is saved.
type LinkForm struct {
	Linked       bool
	Repo         string
	Branch       string
	Folder       string
	Author       string
	Username     string
	SSHKeyFile   string
	HasToken     bool
	Remote       bool
	CreateBranch bool
}

// CommitPreview is what a commit would change.
type CommitPreview struct {
	Changes   []ChangeView
	Message   string
	Overwrite bool
}

// Nothing reports that the commit would change nothing.
func (p *CommitPreview) Nothing() bool {
	for _, c := range p.Changes {
		if c.Status != "kept" {
			return false
		}
	}
	return true
}

// AnyConflict reports whether a file changed upstream.
func (p *CommitPreview) AnyConflict() bool {
	for _, c := range p.Changes {
		if c.Conflict {
			return true
		}
	}
	return false
}

// ChangeView is one file of a preview or a commit.
type ChangeView struct {
	Path     string
	Status   string
	Diff     string
	Conflict bool
}

// CommitDone is a commit just made.
type CommitDone struct {
	Hash    string
	Pushed  bool
	Changes []ChangeView
}

// HistoryRow is one past commit.
type HistoryRow struct {
	Hash    string
	Subject string
	Author  string
	When    time.Time
}

// Short is the abbreviated commit id.
func (h HistoryRow) Short() string {
	if len(h.Hash) > 12 {
		return h.Hash[:12]
	}
	return h.Hash
}

func (v GitView) base() string { return StackURL(v.StackID) + "/git" }
