package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// DefaultDB is the database file used when neither --db nor SWITCHBOARD_DB
// names one: a file in the working directory, like git's .git.
const DefaultDB = "switchboard.db"

const usageText = `Switchboard designs API Gateway WebSocket stacks and exports them as
CloudFormation templates.

Usage:
  switchboard <command> [flags] [arguments]

Commands:
  serve     serve the designer on http://127.0.0.1:8080 (the default)
  new       create a stack, blank or from an example
  import    create a stack from a CloudFormation, SAM, CDK or serverless.yml file
  stacks    list the stacks
  show      describe a stack and its problems
  export    write a stack's CloudFormation template
  delete    delete a stack
  link      link a stack to a Git repository, or show its link
  commit    commit a stack to its repository (--dry-run shows the diff)
  history   list a stack's commits
  open      create a stack from a repository's switchboard.json
  run       run a stack locally: its WebSocket APIs as on API Gateway, its functions as Lambda

Every command takes --db PATH (default $SWITCHBOARD_DB, else switchboard.db).
Run "switchboard <command> --help" for a command's flags.
`

// CLI runs one command line. Its fields are the process's surroundings, so
// tests run the real program without a subprocess (wtf cmd/wtfd Main).
type CLI struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Ready, when set, is called with the URL once serve listens.
	Ready func(url string)
}

// usageError is a mistake in the command line: exit status 2, and the
// command's usage has been printed already where it helps.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

type command struct {
	name    string
	args    string
	summary string
	// bind declares the command's flags on fs, each bound to a field of a
	// fresh options value, and returns the action that reads them: a flag
	// is read through its field, so a misspelt one is a compile error
	// rather than a nil Lookup at run time.
	bind func(fs *flag.FlagSet) action
}

// action runs a command once its flags are parsed.
type action func(ctx context.Context, c *CLI, fs *flag.FlagSet, db *string, args []string) error

// options is a command's flags as a struct: bind declares each one on fs.
type options[O any] interface {
	*O
	bind(fs *flag.FlagSet)
}

// withOptions makes a command's bind from its action taking typed options.
func withOptions[O any, P options[O]](run func(ctx context.Context, c *CLI, fs *flag.FlagSet, db *string, args []string, o P) error) func(*flag.FlagSet) action {
	return func(fs *flag.FlagSet) action {
		o := P(new(O))
		o.bind(fs)
		return func(ctx context.Context, c *CLI, fs *flag.FlagSet, db *string, args []string) error {
			return run(ctx, c, fs, db, args, o)
		}
	}
}

// noOptions is the bind of a command with only --db.
func noOptions(run action) func(*flag.FlagSet) action {
	return func(*flag.FlagSet) action { return run }
}

// given reports whether the flag bound to p was on the command line, for a
// flag whose default is decided after parsing (an environment variable).
func given[T any](fs *flag.FlagSet, p *T) bool {
	found := false
	fs.Visit(func(f *flag.Flag) {
		// Every flag.Value the flag package makes for a *Var call is the
		// bound pointer under another type.
		found = found || reflect.ValueOf(f.Value).Pointer() == reflect.ValueOf(p).Pointer()
	})
	return found
}

var commands []*command

func findCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// Run executes the command line args (without the program name).
func (c *CLI) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		// No command: serve, so `go run ./cmd/switchboard` opens the app.
		return c.runCommand(ctx, findCommand("serve"), nil)
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) > 1 {
			if cmd := findCommand(args[1]); cmd != nil {
				return c.runCommand(ctx, cmd, []string{"--help"})
			}
		}
		fmt.Fprint(c.Stdout, usageText)
		return nil
	}
	cmd := findCommand(args[0])
	if cmd == nil {
		fmt.Fprint(c.Stderr, usageText)
		return &usageError{msg: fmt.Sprintf("unknown command %q", args[0])}
	}
	return c.runCommand(ctx, cmd, args[1:])
}

func (c *CLI) runCommand(ctx context.Context, cmd *command, args []string) error {
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	db := fs.String("db", c.defaultDB(), "SQLite database `file` holding the stacks")
	run := cmd.bind(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: switchboard %s [flags] %s\n\n%s\n\nFlags:\n", cmd.name, cmd.args, cmd.summary)
		fs.PrintDefaults()
	}
	// The flag package prints the usage itself when parsing fails or meets
	// -help, to the FlagSet's output. That output is held back until it is
	// known which: an error shows it on stderr, help is printed once, on
	// stdout (it used to appear on both).
	var parseOutput bytes.Buffer
	fs.SetOutput(&parseOutput)
	// Flags may come after the arguments too (switchboard export chat -o t.yaml).
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(c.Stdout)
				fs.Usage()
				return nil
			}
			_, _ = parseOutput.WriteTo(c.Stderr)
			return &usageError{msg: err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	fs.SetOutput(c.Stderr)
	if cmd.name == "run" {
		// run prints its functions' output, which whoever can send the
		// stack a message can shape: no control sequence in it reaches the
		// terminal as one.
		safe := *c
		safe.Stderr = terminalSafe(c.Stderr)
		c = &safe
	}
	return run(ctx, c, fs, db, positional)
}

func (c *CLI) defaultDB() string {
	if c.Getenv != nil {
		if p := c.Getenv("SWITCHBOARD_DB"); p != "" {
			return p
		}
	}
	return DefaultDB
}

func (c *CLI) logger() *slog.Logger {
	level := slog.LevelInfo
	if c.Getenv != nil && strings.EqualFold(c.Getenv("SWITCHBOARD_LOG_LEVEL"), "debug") {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(c.Stderr, &slog.HandlerOptions{Level: level}))
}

// exactArgs checks the number of positional arguments.
func exactArgs(fs *flag.FlagSet, args []string, names ...string) error {
	if len(args) == len(names) {
		return nil
	}
	fs.Usage()
	if len(args) < len(names) {
		return &usageError{msg: fmt.Sprintf("%s: missing %s", fs.Name(), strings.Join(names[len(args):], " "))}
	}
	return &usageError{msg: fmt.Sprintf("%s: unexpected argument %q", fs.Name(), args[len(names)])}
}

func openStore(ctx context.Context, path string) (*store.Store, error) {
	st, err := store.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return st, nil
}

// withStack opens the store, finds the stack named name and calls fn with
// both; the store is closed when fn returns.
func withStack(ctx context.Context, db, name string, fn func(*store.Store, *model.Stack) error) error {
	st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	stack, err := st.StackByName(ctx, name)
	if err != nil {
		return err
	}
	return fn(st, stack)
}

// userMessage is what the terminal shows for err: the message of a user
// error as it is, and the whole chain for anything else, since the person at
// the terminal is the one who can fix a path or a permission.
func userMessage(err error) string {
	if errors.Is(err, store.ErrStorage) {
		// A full disk or a read-only database: the message says which.
		return model.ErrorMessage(err)
	}
	if model.ErrorCode(err) == model.EINTERNAL {
		return err.Error()
	}
	return model.ErrorMessage(err)
}
