package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/publish"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/web"
)

var watchCmd = &command{
	name: "watch", args: "NAME",
	summary: "Keep a working folder and a stack in step until interrupted: write the stack's\n" +
		"template.yaml and switchboard.json into --dir whenever the stack changes (in the\n" +
		"designer or another command), and load edits of those files (an IDE, a git pull)\n" +
		"as a revision of the stack. Edits that cannot be loaded are reported and never\n" +
		"overwritten. At the start, files already in the folder that differ from the stack\n" +
		"are loaded (the folder's edits are the newer work; Undo takes them back).",
	bind: withOptions(runWatch),
}

type watchOptions struct{ dir string }

func (o *watchOptions) bind(fs *flag.FlagSet) {
	fs.StringVar(&o.dir, "dir", "", "the working `folder` (created if missing); required")
}

// stackPoll is how often watch looks for a new revision of the stack, which
// another process (serve) may have saved: one indexed read.
const stackPoll = 250 * time.Millisecond

func runWatch(ctx context.Context, c *CLI, fs *flag.FlagSet, db *string, args []string, o *watchOptions) error {
	if err := exactArgs(fs, args, "NAME"); err != nil {
		return err
	}
	if o.dir == "" {
		return &usageError{msg: "watch: --dir is required"}
	}
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	stack, err := st.StackByName(ctx, args[0])
	if err != nil {
		return err
	}
	w := &folderWatch{c: c, st: st, dir: o.dir, id: stack.ID}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	changed := make(chan struct{}, 1)
	watchErr := make(chan error, 1)
	go func() {
		watchErr <- publish.WatchFolder(ctx, o.dir, func() {
			select {
			case changed <- struct{}{}:
			default:
			}
		})
	}()
	w.folderChanged(ctx)
	w.stackChanged(ctx)
	fmt.Fprintf(c.Stdout, "Watching %s for stack %s; Ctrl+C stops.\n", o.dir, stack.Name)
	tick := time.NewTicker(stackPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-watchErr:
			return err
		case <-changed:
			w.folderChanged(ctx)
		case <-tick.C:
			w.stackChanged(ctx)
		}
	}
}

// folderWatch is one watch's state: what it last wrote or loaded, so its
// own writes are not read back as edits, and whether the folder holds
// edits that could not be loaded, which are never overwritten.
type folderWatch struct {
	c   *CLI
	st  *store.Store
	dir string
	id  int64
	// revision is the stack's revision the folder was last brought to.
	revision int64
	// synced are the files as last written or loaded.
	synced publish.FolderFiles
	// unloaded marks edits in the folder that could not be loaded.
	unloaded bool
}

// folderChanged loads the folder's edits, if any, as a revision.
func (w *folderWatch) folderChanged(ctx context.Context) {
	files, err := publish.ReadFolder(w.dir)
	if err != nil {
		w.report(err)
		return
	}
	if bytes.Equal(files.Template, w.synced.Template) && bytes.Equal(files.Stack, w.synced.Stack) {
		return // what this watch wrote, or nothing new
	}
	if files.Template == nil && files.Stack == nil {
		return // a fresh folder: the stack is written into it
	}
	head, err := w.st.Stack(ctx, w.id)
	if err != nil {
		w.report(err)
		return
	}
	next, changed, err := importer.LoadFolder(ctx, head, files.Template, files.Stack, web.Geometry)
	if err != nil {
		w.unloaded = true
		w.report(fmt.Errorf("not loaded, and not overwritten until it loads: %w", err))
		return
	}
	w.unloaded = false
	w.synced = files
	if !changed {
		return
	}
	saved, _, err := w.st.Edit(ctx, w.id, head.Revision, func(s *model.Stack) error {
		*s = *next
		return nil
	}, store.Describe("load the working folder"))
	if err != nil {
		w.unloaded = true
		w.report(fmt.Errorf("not loaded: %w", err))
		return
	}
	fmt.Fprintf(w.c.Stdout, "Loaded the folder's edits as revision %d.\n", saved.Revision)
	// The folder is then written as the stack exports, so switchboard.json
	// carries the IDs and positions that go with the template.
	w.write(saved)
}

// stackChanged writes the stack into the folder when it has a new
// revision, unless the folder holds edits that could not be loaded.
func (w *folderWatch) stackChanged(ctx context.Context) {
	head, err := w.st.Stack(ctx, w.id)
	if err != nil {
		w.report(err)
		return
	}
	if head.Revision == w.revision {
		return
	}
	if w.unloaded {
		w.revision = head.Revision
		fmt.Fprintf(w.c.Stderr, "Revision %d of the stack is not written: the folder has edits that could not be loaded; fix or remove them.\n", head.Revision)
		return
	}
	w.write(head)
}

func (w *folderWatch) write(st *model.Stack) {
	w.revision = st.Revision
	wrote, err := publish.WriteFolder(w.dir, st)
	var invalid *model.ValidationError
	if errors.As(err, &invalid) {
		fmt.Fprintf(w.c.Stderr, "Revision %d is not written: the stack has problems (%s).\n", st.Revision, model.ErrorMessage(err))
		return
	}
	if err != nil {
		w.report(err)
		return
	}
	if files, err := publish.ReadFolder(w.dir); err == nil {
		w.synced = files
	}
	if wrote {
		fmt.Fprintf(w.c.Stdout, "Wrote revision %d to %s.\n", st.Revision, w.dir)
	}
}

func (w *folderWatch) report(err error) {
	fmt.Fprintf(w.c.Stderr, "watch: %s\n", userMessage(err))
}
