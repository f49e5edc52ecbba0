// Package gitlink is the Git side of "Commit to repo": it writes a stack's
// generated files into a folder of a Git repository, commits them and, for
// remote repositories, pushes the commit.
//
// gitlink knows nothing about stacks. Callers pass files as paths relative to
// the stack folder (see [File]) together with a [Link] that says where they go.
// All Git work is done in process by go-git. The git command is only run
// by go-git for file:// URLs when it is installed; without it gitlink serves
// file:// repositories in process.
//
// # Local repositories
//
// A local Link.Repo is the root of a repository (a folder containing .git, or a
// bare repository). A missing or empty folder is initialised with Link.Branch
// as its HEAD. When that branch is checked out, Commit updates the working
// tree and the index for its own paths only: other staged or unstaged changes
// of the user are neither committed nor touched, and a file of ours with
// uncommitted edits is an [ErrConflict] rather than overwritten (Link.Overwrite
// does not apply: those edits exist nowhere else). When another branch is
// checked out (or the repository is bare), Commit builds the commit from
// objects and moves Link.Branch without touching the working tree, the index
// or HEAD, the way `git commit-tree` + `git update-ref` would.
//
// # Remote repositories
//
// A remote is mirrored in a bare clone under Client.CacheDir, one per URL.
// Every operation fetches Link.Branch first and builds on the remote tip, so
// a cache left behind by a crash re-syncs by itself. Commits are pushed without
// force; if the remote moved in between, Commit fetches and retries (at most
// three times). Upstream changes are measured per file from the last commit
// this cache made (or found up to date) for the folder: a file Commit would
// write that somebody else changed since is an [ErrConflict] naming it,
// unless Link.Overwrite; everything else upstream, including user code in
// the folder, is kept and the commit goes on top. A branch the remote lacks
// is [ErrBranchMissing] unless Link.CreateBranch.
//
// # Consistency
//
// Objects are always written before the branch reference is moved, and the
// reference is moved with a compare-and-swap, so an interrupted Commit leaves
// at most unreachable objects behind. A local commit into a working tree
// first records what it is about to write (the lock files it takes and the
// contents of its files) in a journal in the git folder. The next Commit,
// finding the journal of a process that is gone, removes the locks that
// process left (unless some process has them open) and its temporary
// files, takes the recorded contents in the working tree as its own even
// when the stack has changed since, and re-stages the index; the journal
// goes when a commit completes. Killed at any point, a commit never wedges
// the next one.
//
// # Limits
//
// No file over MaxFileSize is read: sizes come from object headers and
// Lstat first, and such a file in the stack's folder is an [ErrConflict]
// naming it. Fetched packs are checked object by object as they stream in,
// and an object over Client.MaxObjectSize fails the fetch with [ErrTooBig]
// before go-git loads it.
//
// # Secrets
//
// Tokens and SSH passphrases are handed to go-git's transport only. [Auth]
// redacts itself when printed or logged, and error messages have every secret
// replaced by "***".
package gitlink
