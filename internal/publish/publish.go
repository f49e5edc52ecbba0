// Package publish ties stacks to Git repositories for "Commit to repo": it
// keeps each stack's link (the settings in the store, the token in a secrets
// file), builds the files a stack commits and runs gitlink's preview,
// commit, history and read on them. The server and the command line both
// use it, so the two cannot drift.
//
// Where things live, next to the database file:
//
//   - switchboard-secrets/ (0700): one 0600 file per HTTPS token. The
//     database row only names the file; tokens are never in the SQLite file,
//     never shown back and never logged. The store removes a file with the
//     row that names it (store.DeleteStack, DeleteGitLink, SaveGitLink), so
//     deleting a stack by any path leaves no token behind.
//   - switchboard-git-cache/ (0700): gitlink's bare clones of remotes.
//
// What a stack commits into its folder of the repository:
//
//   - template.yaml: export.YAML;
//   - switchboard.json: model.MarshalStackFile, which Open reads back;
//   - a starter handler per function (export.Scaffolds), only while the
//     function's code folder does not exist (gitlink.File.CreateOnly).
//
// Code paths are relative to the stack folder, where template.yaml is, so
// `aws cloudformation package --template-file template.yaml` run in that
// folder finds each function's code.
package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/gitlink"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// File names in the stack folder.
const (
	TemplateFile = "template.yaml"
	StackFile    = "switchboard.json"
)

// Folders next to the database.
const (
	SecretsFolder  = store.SecretsFolder
	GitCacheFolder = "switchboard-git-cache"
)

// HistoryLimit is how many commits History shows.
const HistoryLimit = 20

// Service commits stacks to their repositories.
type Service struct {
	store   *store.Store
	git     *gitlink.Client
	secrets secrets
}

// New returns a Service keeping its files next to the store's database.
// now stamps commits; time.Now when nil.
func New(st *store.Store, now func() time.Time) *Service {
	dir := filepath.Dir(st.Path())
	return &Service{
		store:   st,
		git:     &gitlink.Client{CacheDir: filepath.Join(dir, GitCacheFolder), Now: now},
		secrets: secrets{dir: st.SecretsDir()},
	}
}

// TokenAction says what SaveLink does with the stored token.
type TokenAction int

// Token actions.
const (
	// KeepToken keeps the stored token, as long as the repository stays the
	// same: a token is never sent to a repository it was not given for.
	KeepToken TokenAction = iota
	// SetToken replaces the stored token with LinkInput.Token.
	SetToken
	// ClearToken forgets the stored token.
	ClearToken
)

// LinkInput is what SaveLink saves. An empty Folder is
// stacks/<stack name>; "." is the repository's root.
type LinkInput struct {
	model.GitLink
	Token       string
	TokenAction TokenAction
}

// LinkInfo is a stack's link as it may be shown: never the token itself.
type LinkInfo struct {
	Linked bool
	model.GitLink
	HasToken bool
	// Remote is true for URLs, false for local folders.
	Remote bool
}

// DefaultFolder is the folder a stack goes into unless its link says
// otherwise.
func DefaultFolder(stackName string) string { return "stacks/" + stackName }

// Link returns the stack's link; Linked is false when it has none.
func (s *Service) Link(ctx context.Context, stackID int64) (LinkInfo, error) {
	l, err := s.store.GitLink(ctx, stackID)
	if model.ErrorCode(err) == model.ENOTFOUND {
		return LinkInfo{}, nil
	}
	if err != nil {
		return LinkInfo{}, err
	}
	return LinkInfo{Linked: true, GitLink: l.GitLink, HasToken: l.TokenRef != "", Remote: IsRemote(l.Repo)}, nil
}

// SaveLink checks the link by really opening or cloning the repository
// (gitlink Client.Check) and saves it only if that works. A repository
// without the branch gives an error matching gitlink.ErrBranchMissing: ask
// the user, then save again with CreateBranch.
func (s *Service) SaveLink(ctx context.Context, st *model.Stack, in LinkInput) error {
	old, err := s.store.GitLink(ctx, st.ID)
	if err != nil && model.ErrorCode(err) != model.ENOTFOUND {
		return err
	}
	in.GitLink = normalize(in.GitLink, st.Name)
	l, err := gitLink(in.GitLink, "")
	if err != nil {
		return err
	}
	switch in.TokenAction {
	case SetToken:
		if strings.TrimSpace(in.Token) == "" {
			return model.Errorf(model.EINVALID, "The token is empty.")
		}
		l.Auth.Token = strings.TrimSpace(in.Token)
	case KeepToken:
		if old != nil && old.TokenRef != "" && old.Repo == in.Repo {
			if l.Auth.Token, err = s.secrets.get(old.TokenRef); err != nil {
				return err
			}
		}
	}
	if err := s.defaultBranch(ctx, &in.GitLink, &l); err != nil {
		return err
	}
	if err := s.git.Check(ctx, l); err != nil {
		if !(errors.Is(err, gitlink.ErrBranchMissing) && in.CreateBranch) {
			return gitError(err)
		}
	}
	row := &store.GitLink{StackID: st.ID, GitLink: in.GitLink}
	if old != nil && old.TokenRef != "" && in.TokenAction == KeepToken && l.Auth.Token != "" {
		row.TokenRef = old.TokenRef
	} else if l.Auth.Token != "" {
		if row.TokenRef, err = s.secrets.put(l.Auth.Token); err != nil {
			return err
		}
	}
	if err := s.store.SaveGitLink(ctx, row); err != nil {
		if row.TokenRef != "" && (old == nil || row.TokenRef != old.TokenRef) {
			s.secrets.remove(row.TokenRef)
		}
		return err
	}
	// The store removed the replaced link's token file, if it named another.
	return nil
}

// Unlink forgets the stack's link; the store removes its token file.
func (s *Service) Unlink(ctx context.Context, stackID int64) error {
	return s.store.DeleteGitLink(ctx, stackID)
}

// Files returns what the stack commits, keyed by path in its folder. It
// refuses a stack with problems, with the *model.ValidationError.
func Files(st *model.Stack) (map[string]gitlink.File, error) {
	if err := st.Validate(); err != nil {
		return nil, err
	}
	tmpl, err := export.YAML(st)
	if err != nil {
		return nil, err
	}
	doc, err := model.MarshalStackFile(st)
	if err != nil {
		return nil, err
	}
	files := map[string]gitlink.File{TemplateFile: {Data: tmpl}, StackFile: {Data: doc}}
	for p, data := range export.Definitions(st) {
		if _, taken := files[p]; !taken {
			files[p] = gitlink.File{Data: data}
		}
	}
	for p, data := range export.Scaffolds(st) {
		if _, taken := files[p]; !taken {
			files[p] = gitlink.File{Data: data, CreateOnly: true}
		}
	}
	return files, nil
}

// Preview reports what committing the stack would change.
func (s *Service) Preview(ctx context.Context, st *model.Stack, overwrite bool) ([]gitlink.Change, error) {
	if err := st.Validate(); err != nil {
		return nil, err
	}
	l, err := s.link(ctx, st.ID)
	if err != nil {
		return nil, err
	}
	files, _, err := s.filesWithMoves(ctx, st, l)
	if err != nil {
		return nil, err
	}
	l.Overwrite = overwrite
	changes, err := s.git.Preview(ctx, l, files)
	if err != nil {
		return nil, gitError(err)
	}
	return changes, nil
}

// Commit commits the stack to its repository, and pushes to remotes. It
// returns an error matching gitlink.ErrNothingToCommit when everything is
// up to date and gitlink.ErrConflict (with *gitlink.ConflictError in the
// chain) when files changed upstream; overwrite replaces those.
func (s *Service) Commit(ctx context.Context, st *model.Stack, message string, overwrite bool) (gitlink.Result, error) {
	if err := st.Validate(); err != nil {
		return gitlink.Result{}, err
	}
	l, err := s.link(ctx, st.ID)
	if err != nil {
		return gitlink.Result{}, err
	}
	files, moved, err := s.filesWithMoves(ctx, st, l)
	if err != nil {
		return gitlink.Result{}, err
	}
	l.Overwrite = overwrite
	res, err := s.git.Commit(ctx, l, files, strings.TrimSpace(message))
	if errors.Is(err, gitlink.ErrNothingToCommit) {
		// Moves with nothing left to move are done all the same.
		_ = s.store.DoneCodeMoves(ctx, st.ID, moved)
	}
	if err != nil {
		return gitlink.Result{}, gitError(err)
	}
	if err := s.store.DoneCodeMoves(ctx, st.ID, moved); err != nil {
		return res, err
	}
	return res, nil
}

// History lists the newest commits touching the stack's folder.
func (s *Service) History(ctx context.Context, stackID int64) ([]gitlink.CommitInfo, error) {
	l, err := s.link(ctx, stackID)
	if err != nil {
		return nil, err
	}
	h, err := s.git.History(ctx, l, HistoryLimit)
	if err != nil {
		return nil, gitError(err)
	}
	return h, nil
}

// OpenInput says where to open a stack from.
type OpenInput struct {
	model.GitLink
	Token string
	// Name renames the stack; the file's name when empty.
	Name string
}

// Open creates a stack from the switchboard.json in a repository folder and
// links the new stack to that folder.
func (s *Service) Open(ctx context.Context, in OpenInput) (*model.Stack, error) {
	if strings.TrimSpace(in.Folder) == "" {
		in.Folder = "."
	}
	in.GitLink = normalize(in.GitLink, "")
	l, err := gitLink(in.GitLink, strings.TrimSpace(in.Token))
	if err != nil {
		return nil, err
	}
	if err := s.defaultBranch(ctx, &in.GitLink, &l); err != nil {
		return nil, err
	}
	data, err := s.git.ReadFile(ctx, l, StackFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &linkError{model.Errorf(model.ENOTFOUND, "There is no %s in folder %q on branch %q of %s.", StackFile, in.Folder, in.Branch, in.Repo), err}
	}
	if err != nil {
		return nil, gitError(err)
	}
	st, err := model.ParseStackFile(data)
	if err != nil {
		return nil, err
	}
	if in.Name != "" {
		st.Name = in.Name
	}
	created, err := s.store.CreateStack(ctx, st)
	if err != nil {
		return nil, err
	}
	link := LinkInput{GitLink: in.GitLink}
	if l.Auth.Token != "" {
		link.Token, link.TokenAction = l.Auth.Token, SetToken
	}
	if err := s.SaveLink(ctx, created, link); err != nil {
		return created, fmt.Errorf("stack %s was created but not linked: %w", created.Name, err)
	}
	return created, nil
}

// link builds the gitlink.Link of a stored link, token included.
func (s *Service) link(ctx context.Context, stackID int64) (gitlink.Link, error) {
	row, err := s.store.GitLink(ctx, stackID)
	if model.ErrorCode(err) == model.ENOTFOUND {
		return gitlink.Link{}, model.Errorf(model.EINVALID, "This stack is not linked to a Git repository yet: save a link first.")
	}
	if err != nil {
		return gitlink.Link{}, err
	}
	token, err := s.secrets.get(row.TokenRef)
	if err != nil {
		return gitlink.Link{}, err
	}
	return gitLink(row.GitLink, token)
}

// isStackFile recognises a folder Switchboard wrote by its switchboard.json:
// files next to any other content are somebody else's until the user says
// to overwrite them.
func isStackFile(data []byte) bool {
	var head struct {
		Format string `json:"format"`
	}
	return json.Unmarshal(data, &head) == nil && head.Format == model.StackFileFormat
}

// defaultBranch fills in the branch the user left empty with the one the
// repository's HEAD names (gitlink.DefaultBranch for an empty repository).
func (s *Service) defaultBranch(ctx context.Context, in *model.GitLink, l *gitlink.Link) error {
	if in.Branch != "" {
		return nil
	}
	b, err := s.git.DefaultBranch(ctx, *l)
	if err != nil {
		return gitError(err)
	}
	in.Branch, l.Branch = b, b
	return nil
}

// LocalCodeDir returns the folder of the stack in its linked repository
// when the link is a local repository and that folder exists, so a local
// run uses the code the user works on (and starter handlers only for
// functions whose folder is missing there). It returns false for a remote
// or missing link, or a missing folder.
func (s *Service) LocalCodeDir(ctx context.Context, st *model.Stack) (string, bool) {
	row, err := s.store.GitLink(ctx, st.ID)
	if err != nil {
		return "", false
	}
	if IsRemote(row.Repo) {
		return "", false
	}
	dir := filepath.Join(row.Repo, filepath.FromSlash(row.Folder))
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", false
	}
	return dir, true
}

// IsRemote reports whether a link's Repo is a URL rather than a local
// folder.
func IsRemote(repo string) bool { return gitlink.Link{Repo: repo}.IsRemote() }

// normalize trims the link and fills in the default folder.
func normalize(in model.GitLink, stackName string) model.GitLink {
	in.Repo = strings.TrimSpace(in.Repo)
	in.Branch = strings.TrimSpace(in.Branch)
	in.Folder = strings.Trim(strings.TrimSpace(in.Folder), "/")
	in.AuthorName = strings.TrimSpace(in.AuthorName)
	in.AuthorEmail = strings.TrimSpace(in.AuthorEmail)
	in.Username = strings.TrimSpace(in.Username)
	in.SSHKeyFile = strings.TrimSpace(in.SSHKeyFile)
	if in.Folder == "" && stackName != "" {
		in.Folder = DefaultFolder(stackName)
	}
	if in.Folder == "." {
		in.Folder = ""
	}
	return in
}

// gitLink is the one translation of a link (and its token) into the
// gitlink.Link the Git operations take. It checks the link.
func gitLink(l model.GitLink, token string) (gitlink.Link, error) {
	g := gitlink.Link{Repo: l.Repo, Branch: l.Branch, Folder: l.Folder, AuthorName: l.AuthorName, AuthorEmail: l.AuthorEmail,
		CreateBranch: l.CreateBranch, Auth: gitlink.Auth{Username: l.Username, Token: token, SSHKeyFile: l.SSHKeyFile},
		OwnerFile: StackFile, IsOwner: isStackFile}
	if err := g.Validate(); err != nil {
		return gitlink.Link{}, gitError(err)
	}
	return g, nil
}
