package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/server"
	"github.com/switchboard-dev/switchboard/internal/store"
)

func init() {
	commands = []*command{
		{name: "serve", summary: "Serve the stack designer until interrupted.", bind: withOptions(runServe)},
		{name: "new", args: "NAME", summary: "Create a stack, blank or from an example (chat, echo).", bind: withOptions(runNew)},
		{name: "stacks", summary: "List the stacks.", bind: noOptions(runStacks)},
		{name: "show", args: "NAME", summary: "Describe a stack: its resources, wires and problems.", bind: withOptions(runShow)},
		{name: "export", args: "NAME", summary: "Write a stack's CloudFormation template to stdout, a file, or a folder\nwith handler scaffolds for functions whose code folder does not exist yet.", bind: withOptions(runExport)},
		importCommand,
		{name: "delete", args: "NAME", summary: "Delete a stack and its history.", bind: noOptions(runDelete)},
		{name: "link", args: "NAME", summary: "Link a stack to a folder of a Git repository, checking that the repository\nopens; without --repo, show the current link. A token is read from the\nenvironment variable --token-env names, or from stdin with --token-stdin;\nit is kept in a 0600 file next to the database and never printed.", bind: withOptions(runLink)},
		{name: "commit", args: "NAME", summary: "Commit a stack to its linked repository (template.yaml, switchboard.json and\nhandler scaffolds for new functions) and push remotes.", bind: withOptions(runCommit)},
		runCmd,
		watchCmd,
		sdkCmd,
		{name: "history", args: "NAME", summary: "List the commits of a stack's folder in its linked repository.", bind: noOptions(runHistory)},
		{name: "open", args: "REPO", summary: "Create a stack from the switchboard.json in a folder of a Git repository\n(a local folder or a URL) and link the new stack to it.", bind: withOptions(runOpen)},
	}
}

type serveOptions struct {
	addr           string
	listenAnywhere bool
	allowHosts     stringList
	runData        string
}

func (o *serveOptions) bind(fs *flag.FlagSet) {
	fs.StringVar(&o.runData, "run-data", "", "`folder` keeping the tables of Run locally between runs, a subfolder per stack (default: in memory, gone when a run stops)")
	fs.StringVar(&o.addr, "addr", server.DefaultAddr, "`address` to listen on (default $SWITCHBOARD_ADDR, else 127.0.0.1:8080); keep it on loopback")
	fs.BoolVar(&o.listenAnywhere, "listen-anywhere", false, "allow an --addr beyond loopback; every request then needs the token in the URL printed at start-up")
	fs.Var(&o.allowHosts, "allow-host", "also answer requests naming this host `name` (repeatable; default $SWITCHBOARD_ALLOW_HOSTS, comma-separated)")
}

type newOptions struct{ example, description string }

func (o *newOptions) bind(fs *flag.FlagSet) {
	fs.StringVar(&o.example, "example", "", "start from an `example`: chat or echo")
	fs.StringVar(&o.description, "description", "", "stack `description`")
}

type showOptions struct{ json bool }

func (o *showOptions) bind(fs *flag.FlagSet) {
	fs.BoolVar(&o.json, "json", false, "print the stack document as JSON")
}

type exportOptions struct{ format, out, dir string }

func (o *exportOptions) bind(fs *flag.FlagSet) {
	fs.StringVar(&o.format, "format", "yaml", "template `format`: yaml or json")
	fs.StringVar(&o.out, "o", "", "write the template to `file`")
	fs.StringVar(&o.dir, "dir", "", "write template.yaml (or .json) and handler scaffolds into `folder`")
}

// stringList is a flag that may be given more than once.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

func runServe(ctx context.Context, c *CLI, fs *flag.FlagSet, db *string, args []string, o *serveOptions) error {
	if err := exactArgs(fs, args); err != nil {
		return err
	}
	log := c.logger()
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	addr := o.addr
	if env := c.Getenv("SWITCHBOARD_ADDR"); env != "" && !given(fs, &o.addr) {
		addr = env
	}
	hosts := []string(o.allowHosts)
	if env := c.Getenv("SWITCHBOARD_ALLOW_HOSTS"); env != "" && !given(fs, &o.allowHosts) {
		for _, h := range strings.Split(env, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hosts = append(hosts, h)
			}
		}
	}
	anywhere := o.listenAnywhere
	// Run locally reads the same variables as switchboard run.
	runOpts := server.RunOptions{DynamoDBEndpoint: c.Getenv("AWS_ENDPOINT_URL_DYNAMODB"), NodePath: c.Getenv("SWITCHBOARD_NODE_MODULES")}
	if o.runData != "" {
		if runOpts.DataDir, err = filepath.Abs(o.runData); err != nil {
			return fmt.Errorf("serve: --run-data: %w", err)
		}
	}
	srv := server.New(server.Options{Addr: addr, Store: st, Logger: log, Run: runOpts, AllowHosts: hosts, ListenAnywhere: anywhere})
	if err := srv.Open(); err != nil {
		if errors.Is(err, server.ErrNotLoopback) {
			return &usageError{msg: fmt.Sprintf("serve --addr %s: %v", addr, server.ErrNotLoopback)}
		}
		return err
	}
	log.Info("serving", slog.String("url", srv.URL()), slog.String("db", *db))
	if srv.TokenRequired() {
		// The URLs hold the token: on stdout for the user, never in the log.
		fmt.Fprintln(c.Stdout, "Switchboard needs its token here. Open it at:")
		for _, u := range srv.OpenURLs() {
			fmt.Fprintln(c.Stdout, "    "+u)
		}
		fmt.Fprintln(c.Stdout, "A request naming any other host gets 421; add a name with --allow-host.")
	}
	if c.Ready != nil {
		c.Ready(srv.URL())
	}
	<-ctx.Done()
	log.Info("shutting down")
	return srv.Close(ctx)
}

func runNew(ctx context.Context, c *CLI, fs *flag.FlagSet, db *string, args []string, o *newOptions) error {
	if err := exactArgs(fs, args, "NAME"); err != nil {
		return err
	}
	stack := &model.Stack{Name: args[0]}
	if example := o.example; example != "" {
		var err error
		if stack, err = model.Example(example, args[0]); err != nil {
			return err
		}
	}
	if d := o.description; d != "" {
		stack.Description = d
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	created, err := st.CreateStack(ctx, stack)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "Created stack %s with %d resources.\n", created.Name, len(created.Nodes()))
	return nil
}

func runStacks(ctx context.Context, c *CLI, fs *flag.FlagSet, db *string, args []string) error {
	if err := exactArgs(fs, args); err != nil {
		return err
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	stacks, err := st.Stacks(ctx)
	if err != nil {
		return err
	}
	if len(stacks) == 0 {
		fmt.Fprintln(c.Stdout, "No stacks. Create one with: switchboard new NAME --example chat")
		return nil
	}
	tw := tabwriter.NewWriter(c.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tRESOURCES\tREVISION\tUPDATED")
	for _, s := range stacks {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", s.Name, s.Resources, s.Revision, s.UpdatedAt.UTC().Format(time.DateTime))
	}
	return tw.Flush()
}

func runShow(ctx context.Context, c *CLI, fs *flag.FlagSet, db *string, args []string, o *showOptions) error {
	if err := exactArgs(fs, args, "NAME"); err != nil {
		return err
	}
	return withStack(ctx, *db, args[0], func(_ *store.Store, stack *model.Stack) error {
		if o.json {
			enc := json.NewEncoder(c.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(stack)
		}
		describe(c.Stdout, stack)
		return nil
	})
}

func runExport(ctx context.Context, c *CLI, fs *flag.FlagSet, db *string, args []string, o *exportOptions) error {
	if err := exactArgs(fs, args, "NAME"); err != nil {
		return err
	}
	format, err := export.ParseFormat(o.format)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	out, dir := o.out, o.dir
	if out != "" && dir != "" {
		return &usageError{msg: "export: use -o or --dir, not both"}
	}
	var stack *model.Stack
	err = withStack(ctx, *db, args[0], func(_ *store.Store, s *model.Stack) error {
		stack = s
		return nil
	})
	if err != nil {
		return err
	}
	template, err := export.Render(stack, format)
	if err != nil {
		return err
	}
	switch {
	case dir != "":
		name := "template." + string(format)
		path := filepath.Join(dir, name)
		// Parameter files are the design, as definitions are.
		design := export.Definitions(stack)
		maps.Copy(design, export.ParameterFiles(stack))
		written, err := writeExportDir(dir, name, template, design, export.Scaffolds(stack))
		if err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "Wrote %s", path)
		if len(written) > 0 {
			fmt.Fprintf(c.Stdout, " and handler scaffolds:\n  %s\n", strings.Join(written, "\n  "))
		} else {
			fmt.Fprintln(c.Stdout, "; every function's code folder exists, so no scaffolds were written.")
		}
		if format == export.FormatYAML {
			// serve offers edits of this template.yaml as revisions
			// (the working folder); the export stands if that cannot be
			// remembered, as with a read-only database.
			if err := rememberWorkingFolder(ctx, *db, stack, dir); err != nil {
				fmt.Fprintf(c.Stderr, "The folder is not remembered as the stack's working folder: %s\n", userMessage(err))
			}
		}
	case out != "":
		return writeFileAtomic(out, template)
	default:
		_, err := c.Stdout.Write(template)
		return err
	}
	return nil
}

func runDelete(ctx context.Context, c *CLI, fs *flag.FlagSet, db *string, args []string) error {
	if err := exactArgs(fs, args, "NAME"); err != nil {
		return err
	}
	return withStack(ctx, *db, args[0], func(st *store.Store, stack *model.Stack) error {
		// The store removes a linked stack's token file with it.
		if err := st.DeleteStack(ctx, stack.ID); err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "Deleted stack %s.\n", stack.Name)
		return nil
	})
}

// writeFileAtomic writes through a temporary file in the same folder and
// renames it into place, so a full disk or a crash never leaves a truncated
// template where a good one was. A file it replaces keeps its permissions.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create folder for %s: %w", path, err)
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), mode); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// rememberWorkingFolder records dir as the folder the stack was exported to.
func rememberWorkingFolder(ctx context.Context, db string, stack *model.Stack, dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	return st.SetWorkingFolder(ctx, stack.ID, abs)
}
