// Command sharedtools runs a command with one headless Chromium and one
// moto_server that every test package shares, named in
// SWITCHBOARD_CHROMIUM_URL and SWITCHBOARD_MOTO_URL, and stops them
// afterwards. `make test` runs `go test` through it, so the packages do not
// each start their own (see testtool.Browser and testtool.StartMoto, which
// give each test a browser context and an AWS account of its own in them).
// A tool that is missing is left out: the tests that need it skip or fail
// as they would.
package main

import (
	"context"
	"errors"
	"fmt"
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
		fmt.Fprintln(os.Stderr, "usage: sharedtools command [args...]")
		os.Exit(2)
	}
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	dir, err := os.MkdirTemp("", "switchboard-shared-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "sharedtools:", err)
		return 1
	}
	defer os.RemoveAll(dir)

	if path := testtool.ChromiumPath(); path != "" && os.Getenv(testtool.ChromiumURLEnv) == "" {
		cancel, err := startChromium(ctx, path, dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sharedtools:", err)
			return 1
		}
		defer cancel()
	}
	if _, err := exec.LookPath("moto_server"); err == nil && os.Getenv(testtool.MotoURLEnv) == "" {
		url, stopMoto, err := testtool.StartMotoServer(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sharedtools:", err)
			return 1
		}
		defer stopMoto()
		os.Setenv(testtool.MotoURLEnv, url)
		fmt.Fprintf(os.Stderr, "sharedtools: moto_server shared at %s\n", url)
	}

	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "sharedtools:", err)
		return 1
	}
	return 0
}

// startChromium starts headless Chromium with its DevTools on a loopback
// port and names it in SWITCHBOARD_CHROMIUM_URL.
func startChromium(ctx context.Context, path, dir string) (cancel func(), err error) {
	port, err := testtool.LoopbackPort()
	if err != nil {
		return nil, err
	}
	opts := append(testtool.ChromiumFlags(path, dir), chromedp.Flag("remote-debugging-port", strconv.Itoa(port)))
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(alloc)
	cancel = func() {
		cancelBrowser()
		cancelAlloc()
	}
	var product string
	if err := chromedp.Run(browserCtx, chromedp.ActionFunc(func(ctx context.Context) error {
		_, p, _, _, _, err := browser.GetVersion().Do(ctx)
		product = p
		return err
	})); err != nil {
		cancel()
		return nil, fmt.Errorf("start chromium: %w", err)
	}
	// NewRemoteAllocator finds the browser's WebSocket from this address.
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	os.Setenv(testtool.ChromiumURLEnv, url)
	fmt.Fprintf(os.Stderr, "sharedtools: %s shared at %s\n", product, url)
	return cancel, nil
}
