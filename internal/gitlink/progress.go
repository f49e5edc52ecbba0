package gitlink

import (
	"context"
	"fmt"
	"io"
	"strings"
)

type progressKey struct{}

// WithProgress returns a context under which gitlink reports what it is
// doing to w: one line per step ("Fetching …", "Pushing …") and the
// remote's own progress messages (git's "Counting objects: 50% …", lines
// ended by "\r" while they count). w must be safe for the calls of one
// operation at a time; secrets never reach it.
func WithProgress(ctx context.Context, w io.Writer) context.Context {
	return context.WithValue(ctx, progressKey{}, w)
}

// progressOf is the context's progress writer, or nil (go-git's options
// take nil as "no progress").
func progressOf(ctx context.Context) io.Writer {
	w, _ := ctx.Value(progressKey{}).(io.Writer)
	return w
}

// report writes one step line to the context's progress writer.
func report(ctx context.Context, format string, args ...any) {
	if w := progressOf(ctx); w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}

// redactingWriter passes the remote's progress messages on with secrets
// replaced, since a server may echo what it was sent.
func redactingWriter(w io.Writer, secrets []string) io.Writer {
	if w == nil {
		return nil
	}
	return writerFunc(func(p []byte) (int, error) {
		s := string(p)
		for _, v := range secrets {
			s = strings.ReplaceAll(s, v, redacted)
		}
		if _, err := io.WriteString(w, s); err != nil {
			return 0, err
		}
		return len(p), nil
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
