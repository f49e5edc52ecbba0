// Command withbrowser runs a command with one headless Chromium that every
// test package shares, named in SWITCHBOARD_CHROMIUM_URL, and stops it
// afterwards. `make test` runs `go test` through it. Without Chromium it
// runs the command as it is, and the browser tests skip or fail as they
// would.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/internal/testtool"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: withbrowser command [args...]")
		os.Exit(2)
	}
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if path := testtool.ChromiumPath(); path != "" && os.Getenv(testtool.ChromiumURLEnv) == "" {
		profile, err := os.MkdirTemp("", "switchboard-chromium-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "withbrowser:", err)
			return 1
		}
		defer os.RemoveAll(profile)
		port, err := freePort()
		if err != nil {
			fmt.Fprintln(os.Stderr, "withbrowser:", err)
			return 1
		}
		opts := append(testtool.ChromiumFlags(path, profile), chromedp.Flag("remote-debugging-port", strconv.Itoa(port)))
		alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
		defer cancelAlloc()
		browserCtx, cancelBrowser := chromedp.NewContext(alloc)
		defer cancelBrowser()
		if err := chromedp.Run(browserCtx); err != nil {
			fmt.Fprintln(os.Stderr, "withbrowser: start chromium:", err)
			return 1
		}
		var version string
		if err := chromedp.Run(browserCtx, chromedp.ActionFunc(func(ctx context.Context) error {
			_, product, _, _, _, err := browser.GetVersion().Do(ctx)
			version = product
			return err
		})); err != nil {
			fmt.Fprintln(os.Stderr, "withbrowser:", err)
			return 1
		}
		// NewRemoteAllocator finds the browser's WebSocket from this.
		url := "http://127.0.0.1:" + strconv.Itoa(port)
		os.Setenv(testtool.ChromiumURLEnv, url)
		fmt.Fprintf(os.Stderr, "withbrowser: %s shared at %s\n", version, url)
	}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "withbrowser:", err)
		return 1
	}
	return 0
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
