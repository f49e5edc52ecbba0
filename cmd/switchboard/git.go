package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/publish"
	"github.com/switchboard-dev/switchboard/internal/store"
)

type linkOptions struct {
	repo, branch, folder, author, sshKey string
	createBranch, clearToken, unlink     bool
	tokenOptions
}

func (o *linkOptions) bind(fs *flag.FlagSet) {
	fs.StringVar(&o.repo, "repo", "", "a local `folder` (initialised when empty) or a URL: https://, ssh://, git@host:path, file://")
	fs.StringVar(&o.branch, "branch", "", "`branch` to commit to (default: the one the repository's HEAD names; main for an empty repository)")
	fs.StringVar(&o.folder, "folder", "", "the stack's `folder` in the repository (default stacks/NAME; \".\" for the root)")
	fs.StringVar(&o.author, "author", "", "commit author, as \"`Name <email>`\"")
	fs.StringVar(&o.sshKey, "ssh-key", "", "private key `file` for ssh remotes")
	fs.BoolVar(&o.createBranch, "create-branch", false, "create the branch on a remote that lacks it")
	fs.BoolVar(&o.clearToken, "clear-token", false, "forget the saved token")
	fs.BoolVar(&o.unlink, "unlink", false, "remove the stack's link and its token")
	o.tokenOptions.bind(fs)
}

// tokenOptions never take the token itself: a command line is visible to
// every user of the machine (ps) and lands in shell history.
type tokenOptions struct {
	tokenEnv, username string
	tokenStdin         bool
}

func (o *tokenOptions) bind(fs *flag.FlagSet) {
	fs.StringVar(&o.tokenEnv, "token-env", "", "read the HTTPS token from the environment `variable` named here")
	fs.BoolVar(&o.tokenStdin, "token-stdin", false, "read the HTTPS token from stdin")
	fs.StringVar(&o.username, "username", "", "HTTPS user `name` to send with the token (default: any)")
}

type commitOptions struct {
	message           string
	dryRun, overwrite bool
}

func (o *commitOptions) bind(fs *flag.FlagSet) {
	fs.StringVar(&o.message, "m", "", "commit `message` (default \"Update <folder>\")")
	fs.BoolVar(&o.dryRun, "dry-run", false, "show what would change, as a diff, without committing")
	fs.BoolVar(&o.overwrite, "overwrite", false, "replace files that changed upstream since Switchboard last committed them")
}

type openOptions struct {
	folder, branch, name, author string
	tokenOptions
}

func (o *openOptions) bind(fs *flag.FlagSet) {
	fs.StringVar(&o.folder, "folder", ".", "the stack's `folder` in the repository")
	fs.StringVar(&o.branch, "branch", "", "`branch` to read (default: the one the repository's HEAD names)")
	fs.StringVar(&o.name, "name", "", "`name` for the new stack (default: the name in the file)")
	fs.StringVar(&o.author, "author", "", "commit author for later commits, as \"`Name <email>`\"")
	o.tokenOptions.bind(fs)
}

// errCredentialsInURL is the command line's word for a URL holding a token:
// the token belongs in an environment variable or stdin, where ps and the
// shell history cannot see it.
var errCredentialsInURL = errors.New("the repository URL must not contain a user name, password or token: remove the part before \"@\" and pass the token with --token-env VARIABLE (or --token-stdin)")

// readToken returns the token the flags point at, and whether there is one.
func (c *CLI) readToken(o tokenOptions) (string, bool, error) {
	env, stdin := o.tokenEnv, o.tokenStdin
	switch {
	case env != "" && stdin:
		return "", false, &usageError{msg: "use --token-env or --token-stdin, not both"}
	case env != "":
		var v string
		if c.Getenv != nil {
			v = c.Getenv(env)
		}
		if strings.TrimSpace(v) == "" {
			return "", false, &usageError{msg: fmt.Sprintf("environment variable %s is empty or not set", env)}
		}
		return strings.TrimSpace(v), true, nil
	case stdin:
		if c.Stdin == nil {
			return "", false, &usageError{msg: "--token-stdin: no standard input"}
		}
		data, err := io.ReadAll(io.LimitReader(c.Stdin, 64<<10))
		if err != nil {
			return "", false, fmt.Errorf("read token from stdin: %w", err)
		}
		t := strings.TrimSpace(string(data))
		if t == "" {
			return "", false, &usageError{msg: "--token-stdin: stdin is empty"}
		}
		return t, true, nil
	}
	return "", false, nil
}

// withPublish opens the store and the stack named NAME.
func withPublish(ctx context.Context, db string, name string, fn func(*store.Store, *publish.Service, *model.Stack) error) error {
	return withStack(ctx, db, name, func(st *store.Store, stack *model.Stack) error {
		return fn(st, publish.New(st, nil), stack)
	})
}

func runLink(ctx context.Context, c *CLI, fs *flag.FlagSet, db *string, args []string, o *linkOptions) error {
	if err := exactArgs(fs, args, "NAME"); err != nil {
		return err
	}
	token, hasToken, err := c.readToken(o.tokenOptions)
	if err != nil {
		return err
	}
	return withPublish(ctx, *db, args[0], func(_ *store.Store, p *publish.Service, stack *model.Stack) error {
		if o.unlink {
			if err := p.Unlink(ctx, stack.ID); err != nil {
				return err
			}
			fmt.Fprintf(c.Stdout, "Stack %s is no longer linked to a repository.\n", stack.Name)
			return nil
		}
		cur, err := p.Link(ctx, stack.ID)
		if err != nil {
			return err
		}
		if o.repo == "" && !hasToken && !o.clearToken && !o.createBranch &&
			o.branch+o.folder+o.author+o.sshKey+o.username == "" {
			printLink(c.Stdout, stack.Name, cur)
			return nil
		}
		// Flags left out keep their saved value.
		in := publish.LinkInput{GitLink: cur.GitLink}
		set := func(v string, dst *string) {
			if v != "" {
				*dst = v
			}
		}
		set(o.repo, &in.Repo)
		set(o.branch, &in.Branch)
		set(o.folder, &in.Folder)
		set(o.sshKey, &in.SSHKeyFile)
		set(o.username, &in.Username)
		if cur.Linked && in.Folder == "" {
			in.Folder = "." // linked to the repository root; keep it there
		}
		if o.author != "" {
			if err := in.SetAuthor(o.author); err != nil {
				return err
			}
		}
		if o.createBranch {
			in.CreateBranch = true
		}
		switch {
		case hasToken:
			in.Token, in.TokenAction = token, publish.SetToken
		case o.clearToken:
			in.TokenAction = publish.ClearToken
		}
		if err := p.SaveLink(ctx, stack, in); err != nil {
			if errors.Is(err, publish.ErrCredentialsInURL) {
				return errCredentialsInURL
			}
			if errors.Is(err, publish.ErrBranchMissing) {
				return fmt.Errorf("%s\nRun again with --create-branch to create it", model.ErrorMessage(err))
			}
			return err
		}
		saved, err := p.Link(ctx, stack.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "Checked the repository and saved the link.\n")
		printLink(c.Stdout, stack.Name, saved)
		return nil
	})
}

func printLink(w io.Writer, name string, l publish.LinkInfo) {
	if !l.Linked {
		fmt.Fprintf(w, "Stack %s is not linked to a repository. Link it with: switchboard link %s --repo PATH-OR-URL\n", name, name)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Stack %s commits to:\n", name)
	fmt.Fprintf(tw, "  repository\t%s\n", l.Repo)
	fmt.Fprintf(tw, "  branch\t%s\n", l.Branch)
	folder := l.Folder
	if folder == "" {
		folder = ". (the repository root)"
	}
	fmt.Fprintf(tw, "  folder\t%s\n", folder)
	if l.Author() != "" {
		fmt.Fprintf(tw, "  author\t%s\n", l.Author())
	}
	creds := "none"
	switch {
	case l.HasToken:
		creds = "token saved"
	case l.SSHKeyFile != "":
		creds = "SSH key " + l.SSHKeyFile
	}
	fmt.Fprintf(tw, "  credentials\t%s\n", creds)
	if l.CreateBranch {
		fmt.Fprintf(tw, "  \tthe branch is created if the remote lacks it\n")
	}
	tw.Flush()
}

func runCommit(ctx context.Context, c *CLI, fs *flag.FlagSet, db *string, args []string, o *commitOptions) error {
	if err := exactArgs(fs, args, "NAME"); err != nil {
		return err
	}
	overwrite := o.overwrite
	return withPublish(ctx, *db, args[0], func(_ *store.Store, p *publish.Service, stack *model.Stack) error {
		if o.dryRun {
			changes, err := p.Preview(ctx, stack, overwrite)
			if err != nil {
				return err
			}
			if len(changes) == 0 || allKept(changes) {
				fmt.Fprintln(c.Stdout, "Nothing to commit: the repository is up to date.")
				return nil
			}
			for _, ch := range changes {
				mark := ""
				switch {
				case ch.Foreign:
					mark = " (already there, not written by Switchboard: commit refuses it without --overwrite)"
				case ch.Conflict:
					mark = " (changed upstream: commit refuses it without --overwrite)"
				}
				fmt.Fprintf(c.Stdout, "%s %s%s\n", ch.Status, ch.Path, mark)
			}
			for _, ch := range changes {
				if ch.Diff != "" {
					fmt.Fprint(c.Stdout, "\n"+ch.Diff)
				}
			}
			return nil
		}
		l, err := p.Link(ctx, stack.ID)
		if err != nil {
			return err
		}
		res, err := p.Commit(ctx, stack, o.message, overwrite)
		if errors.Is(err, publish.ErrNothingToCommit) {
			fmt.Fprintln(c.Stdout, "Nothing to commit: the repository is up to date.")
			return nil
		}
		if err != nil {
			var ce *publish.ConflictError
			if errors.As(err, &ce) && !overwrite && (l.Remote || ce.Foreign) {
				return fmt.Errorf("%s\nRun again with --overwrite to replace them", model.ErrorMessage(err))
			}
			return err
		}
		fmt.Fprintf(c.Stdout, "Committed %s", res.Hash)
		if res.Pushed {
			fmt.Fprint(c.Stdout, " and pushed it")
		}
		fmt.Fprintln(c.Stdout, ".")
		for _, ch := range res.Changes {
			fmt.Fprintf(c.Stdout, "  %s %s\n", ch.Status, ch.Path)
		}
		return nil
	})
}

func allKept(cs []publish.Change) bool {
	for _, c := range cs {
		if c.Status != publish.StatusKept {
			return false
		}
	}
	return true
}

func runHistory(ctx context.Context, c *CLI, fs *flag.FlagSet, db *string, args []string) error {
	if err := exactArgs(fs, args, "NAME"); err != nil {
		return err
	}
	return withPublish(ctx, *db, args[0], func(_ *store.Store, p *publish.Service, stack *model.Stack) error {
		h, err := p.History(ctx, stack.ID)
		if err != nil {
			return err
		}
		if len(h) == 0 {
			fmt.Fprintf(c.Stdout, "No commits of stack %s yet.\n", stack.Name)
			return nil
		}
		tw := tabwriter.NewWriter(c.Stdout, 0, 4, 2, ' ', 0)
		for _, ci := range h {
			subject, _, _ := strings.Cut(ci.Message, "\n")
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ci.Hash[:12], ci.When.UTC().Format(time.DateTime), ci.Author, subject)
		}
		return tw.Flush()
	})
}

func runOpen(ctx context.Context, c *CLI, fs *flag.FlagSet, db *string, args []string, o *openOptions) error {
	if err := exactArgs(fs, args, "REPO"); err != nil {
		return err
	}
	token, _, err := c.readToken(o.tokenOptions)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	in := publish.OpenInput{GitLink: model.GitLink{Repo: args[0], Branch: o.branch, Folder: o.folder, Username: o.username},
		Token: token, Name: o.name}
	if err := in.SetAuthor(o.author); err != nil {
		return err
	}
	created, err := publish.New(st, nil).Open(ctx, in)
	if err != nil {
		if created != nil {
			fmt.Fprintf(c.Stdout, "Created stack %s.\n", created.Name)
		}
		if errors.Is(err, publish.ErrCredentialsInURL) {
			return errCredentialsInURL
		}
		return err
	}
	fmt.Fprintf(c.Stdout, "Created stack %s with %d resources from %s, linked to it.\n", created.Name, len(created.Nodes()), args[0])
	return nil
}
