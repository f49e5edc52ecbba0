package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// importCommand creates a stack from an existing template.
var importCommand = &command{
	name: "import", args: "FILE",
	summary: "Create a stack from a CloudFormation, SAM or CDK template or a serverless.yml\n(FILE, or - for stdin), laid out on the canvas. What Switchboard does not\nmodel is kept as written and exported back unchanged.\n\nWith --replace NAME, FILE (an edited export of the stack, say) becomes the\nstack's next revision instead, as the Template tab's Apply makes it: what\nstill exists keeps its place, wires and history, and Undo takes it back.\nA file that cannot be applied is refused with its problems, each at its\nfile:line:column, and the stack is left as it was.",
	bind:    withOptions(runImport),
}

type importOptions struct {
	name    string
	replace string
	dryRun  bool
}

func (o *importOptions) bind(fs *flag.FlagSet) {
	fs.StringVar(&o.name, "name", "", "`name` of the new stack (default: the service's or the file's name)")
	fs.StringVar(&o.replace, "replace", "", "apply FILE to the existing stack `name` as its next revision, rather than create one")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print what would be created (or replaced), and change nothing")
}

func runImport(ctx context.Context, c *CLI, fs *flag.FlagSet, db *string, args []string, o *importOptions) error {
	if err := exactArgs(fs, args, "FILE"); err != nil {
		return err
	}
	file := args[0]
	data, err := readImportFile(c, file)
	if err != nil {
		return err
	}
	label := file
	if file == "-" {
		label = "stdin"
	}
	if given(fs, &o.replace) {
		if given(fs, &o.name) {
			return &usageError{msg: "import: --replace keeps the stack's name; give --name or --replace, not both"}
		}
		return replaceStack(ctx, c, *db, o, label, data)
	}
	// Files the template names beside it (a state machine's definition)
	// are read from its folder, and only from there.
	var beside iofs.FS
	if file != "-" {
		if root, err := os.OpenRoot(filepath.Dir(file)); err == nil {
			defer root.Close()
			beside = root.FS()
		}
	}
	res, err := importer.ImportFrom(ctx, label, data, beside)
	if err != nil {
		return err
	}
	name := o.name
	if name == "" {
		name = importer.SuggestName(res, label)
	}
	res.Stack.Name = name
	if file != "-" {
		// The functions' code paths are relative to the imported file's
		// folder, which a local run of the stack uses.
		if dir, err := filepath.Abs(filepath.Dir(file)); err == nil {
			res.Stack.ImportedFrom = dir
		}
	}
	if o.dryRun {
		printImport(c.Stdout, "Would create", label, res)
		return nil
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	created, err := st.CreateStack(ctx, res.Stack)
	if err != nil {
		return err
	}
	res.Stack = created
	printImport(c.Stdout, "Created", label, res)
	return nil
}

// replaceStack makes data, the file called label, the next revision of the
// stack o.replace names, through the Template tab's path
// (importer.TemplateEdit in store.Edit), or says why not and changes
// nothing.
func replaceStack(ctx context.Context, c *CLI, db string, o *importOptions, label string, data []byte) error {
	st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	head, err := st.StackByName(ctx, o.replace)
	if err != nil {
		return err
	}
	edit := &importer.TemplateEdit{Name: label, Text: data, Geometry: web.Geometry}
	if o.dryRun {
		next := head.Clone()
		if err := edit.Apply(ctx, next); err != nil {
			return placeProblems(label, err, edit.Lines)
		}
		if err := next.ValidateDraft(); err != nil {
			return placeProblems(label, err, edit.Lines)
		}
		printImport(c.Stdout, "Would replace", label, edit.Result)
		return nil
	}
	saved, _, err := st.Edit(ctx, head.ID, head.Revision, func(s *model.Stack) error {
		return edit.Apply(ctx, s)
	}, store.Describe("replace with "+filepath.Base(label)))
	if err != nil {
		return placeProblems(label, err, edit.Lines)
	}
	if saved.Revision == head.Revision {
		fmt.Fprintf(terminalSafe(c.Stdout), "Stack %s is already as %s says: nothing changed.\n", saved.Name, label)
		return nil
	}
	edit.Result.Stack = saved
	printImport(c.Stdout, "Replaced", label, edit.Result)
	fmt.Fprintf(c.Stdout, "Saved as revision %d (undo takes it back).\n", saved.Revision)
	return nil
}

// placeProblems names where in the file each of a refused stack's problems
// is written. The importer places its own (file:line:column), in the
// message beside the problems (which model.ErrorMessage would show); the
// store's validation names objects, which lines places.
func placeProblems(file string, err error, lines map[string]int) error {
	var stack *importer.StackError
	var placed *model.Error
	if errors.As(err, &stack) && errors.As(stack, &placed) {
		return placed
	}
	var invalid *model.ValidationError
	if !errors.As(err, &invalid) {
		return err
	}
	var at []string
	for _, p := range invalid.Problems {
		if p.Severity != model.SeverityError {
			continue
		}
		if line := lines[p.Resource]; line > 0 {
			at = append(at, fmt.Sprintf("%s:%d: %s", file, line, p.Message))
		} else {
			at = append(at, fmt.Sprintf("%s: %s", file, p.Message))
		}
	}
	if len(at) == 1 {
		return model.Errorf(model.EINVALID, "%s", at[0])
	}
	return model.Errorf(model.EINVALID, "%s: the template is not valid:\n  %s", file, strings.Join(at, "\n  "))
}

// readImportFile reads the file, or stdin for "-", refusing more than the
// importer reads before holding it all in memory.
func readImportFile(c *CLI, file string) ([]byte, error) {
	var r io.Reader
	if file == "-" {
		if c.Stdin == nil {
			return nil, &usageError{msg: "import: no standard input to read"}
		}
		r = c.Stdin
	} else {
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, importer.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("import: read %s: %w", file, err)
	}
	return data, nil
}

// printImport writes a short summary: what the stack has, what it keeps as
// written, and the notes.
func printImport(out io.Writer, verb, file string, res *importer.Result) {
	// Names, notes and parameter descriptions come from the file.
	w := terminalSafe(out)
	s, sum := res.Stack, res.Summary
	fmt.Fprintf(w, "%s stack %s from %s (%s):\n", verb, s.Name, file, res.Format)
	for _, a := range sum.APIs {
		fmt.Fprintf(w, "  WebSocket API %s: routes %s\n", a.Name, strings.Join(a.Routes, ", "))
	}
	if len(sum.Functions) > 0 {
		fmt.Fprintf(w, "  %s: %s\n", plural(len(sum.Functions), "function"), strings.Join(sum.Functions, ", "))
	}
	if len(sum.Tables) > 0 {
		fmt.Fprintf(w, "  %s: %s\n", plural(len(sum.Tables), "table"), strings.Join(sum.Tables, ", "))
	}
	if len(sum.Services) > 0 {
		fmt.Fprintf(w, "  %s\n", strings.Join(sum.Services, ", "))
	}
	if len(sum.Parameters) > 0 {
		fmt.Fprintf(w, "  %s: %s\n", plural(len(sum.Parameters), "parameter"), strings.Join(sum.Parameters, ", "))
	}
	if len(sum.Wires) > 0 {
		fmt.Fprintf(w, "  %s:\n", plural(len(sum.Wires), "wire"))
		for _, wire := range sum.Wires {
			fmt.Fprintf(w, "    %s\n", wire)
		}
	}
	if len(sum.Others)+len(sum.Sections)+len(sum.Kept) > 0 {
		fmt.Fprintln(w, "Kept as written, and exported back unchanged:")
		if len(sum.Others) > 0 {
			fmt.Fprintf(w, "  %s: %s\n", plural(len(sum.Others), "other resource"), strings.Join(sum.Others, ", "))
		}
		if len(sum.Sections) > 0 {
			fmt.Fprintf(w, "  template sections: %s\n", strings.Join(sum.Sections, ", "))
		}
		for _, k := range sum.Kept {
			fmt.Fprintf(w, "  %s\n", k)
		}
	}
	if s.ImportedFrom != "" {
		fmt.Fprintf(w, "Code paths are relative to %s\n", s.ImportedFrom)
	}
	for _, n := range sum.Notes {
		fmt.Fprintf(w, "Note: %s\n", n)
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
