package lambdaemu

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Lambda's runtimes come with the AWS SDK: every nodejs* runtime with the
// AWS SDK for JavaScript v3, every python* runtime with boto3. A handler
// imports them without bundling them, so a local run must provide them
// too. The SDK set is pinned here (sdk/node: a package.json and its lock,
// sdk/python: requirements.txt) and installed on first need into a cache
// per user, one folder per pinned set, so a new pin gets a new folder and
// every run after the first reuses it.
//
//go:embed sdk/node/package.json sdk/node/package-lock.json sdk/python/requirements.txt
var sdkFS embed.FS

// SDKCacheEnv names the environment variable that moves the SDK cache
// (tests point it at a temporary folder).
const SDKCacheEnv = "SWITCHBOARD_SDK_CACHE"

// SDKInstallCommand is the command that installs the SDK set ahead of a
// run, named in every message about a missing SDK.
const SDKInstallCommand = "switchboard sdk install"

// ErrSDKMissing is wrapped by the error of an SDK install that failed,
// such as on a machine without network access.
var ErrSDKMissing = errors.New("the AWS SDK Lambda's runtime provides is not installed")

// SDKOptions says where the SDK cache is and how to install into it.
type SDKOptions struct {
	// CacheDir holds one folder per pinned SDK set; "" means
	// $SWITCHBOARD_SDK_CACHE, else os.UserCacheDir()/switchboard/sdk.
	CacheDir string
	// NPM is the npm executable; "" looks up npm on PATH.
	NPM string
	// Python is the interpreter boto3 is installed for; "" means python3.
	Python string
	// Env is added to npm's and pip's environment, after this process's
	// own (npm_config_registry, npm_config_cache, PIP_INDEX_URL...).
	Env []string
	// Progress, when set, receives a line for each step of an install.
	Progress func(string)
}

// SDKCacheDir returns the folder the SDK sets are cached in.
func SDKCacheDir() (string, error) {
	if dir := os.Getenv(SDKCacheEnv); dir != "" {
		return filepath.Abs(dir)
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("lambdaemu: no cache folder for the SDK (set %s): %w", SDKCacheEnv, err)
	}
	return filepath.Join(base, "switchboard", "sdk"), nil
}

func (o SDKOptions) cacheDir() (string, error) {
	if o.CacheDir != "" {
		return filepath.Abs(o.CacheDir)
	}
	return SDKCacheDir()
}

func (o SDKOptions) progress(format string, args ...any) {
	if o.Progress != nil {
		o.Progress(fmt.Sprintf(format, args...))
	}
}

// NodeSDKPackages lists the pinned packages of the AWS SDK for JavaScript
// v3 as name@version.
func NodeSDKPackages() []string {
	b, _ := sdkFS.ReadFile("sdk/node/package.json")
	return packageList(b)
}

// packageList reads a package.json's dependencies as name@version, sorted.
func packageList(pkgJSON []byte) []string {
	var out []string
	// The file is ours and flat: one "name": "version" per line under
	// dependencies.
	in := false
	for line := range strings.Lines(string(pkgJSON)) {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, `"dependencies"`):
			in = true
		case in && strings.HasPrefix(line, "}"):
			in = false
		case in:
			name, version, ok := strings.Cut(line, ":")
			if ok {
				out = append(out, strings.Trim(name, `" `)+"@"+strings.Trim(version, `", `))
			}
		}
	}
	slices.Sort(out)
	return out
}

// PythonSDKPackages lists the pinned boto3 set as name==version.
func PythonSDKPackages() []string {
	b, _ := sdkFS.ReadFile("sdk/python/requirements.txt")
	return strings.Fields(string(b))
}

// sdkKey names the cache folder of a pinned set: its kind and a hash of
// the files that pin it, so a new pin installs beside the old.
func sdkKey(kind string, files ...string) string {
	h := sha256.New()
	for _, f := range files {
		b, _ := sdkFS.ReadFile(f)
		h.Write(b)
	}
	return kind + "-" + hex.EncodeToString(h.Sum(nil))[:16]
}

// sdkLocks serializes installs of one set within this process; installs
// by other processes are made safe by the rename.
var sdkLocks sync.Map // folder → *sync.Mutex

// NodeSDK returns the node_modules folder holding the pinned AWS SDK for
// JavaScript v3, installing it with npm on first need. The install goes to
// a temporary folder beside the final one and is renamed into place, so a
// run never sees half an install, and two installs racing both end with
// the one folder. npm prefers its own cache, so a machine that installed
// these versions before needs no network. The error of a failed install
// wraps ErrSDKMissing and names what is missing and the fix.
func NodeSDK(ctx context.Context, o SDKOptions) (string, error) {
	root, err := o.cacheDir()
	if err != nil {
		return "", err
	}
	final := filepath.Join(root, sdkKey("node", "sdk/node/package.json", "sdk/node/package-lock.json"))
	modules := filepath.Join(final, "node_modules")
	err = installOnce(final, func() error {
		npm := o.NPM
		if npm == "" {
			npm = "npm"
		}
		npmPath, err := exec.LookPath(npm)
		if err != nil {
			return nodeSDKError(fmt.Sprintf("npm, which comes with Node.js, is not on PATH (%v)", err))
		}
		pkgs := NodeSDKPackages()
		o.progress("installing the AWS SDK for JavaScript v3 that Lambda's Node.js runtimes provide (%s) into %s", strings.Join(pkgs, ", "), final)
		start := time.Now()
		err = installInto(final, func(tmp string) error {
			for _, f := range []string{"package.json", "package-lock.json"} {
				b, _ := sdkFS.ReadFile("sdk/node/" + f)
				if err := os.WriteFile(filepath.Join(tmp, f), b, 0o644); err != nil {
					return err
				}
			}
			cmd := exec.CommandContext(ctx, npmPath, "ci", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund",
				"--loglevel=error", "--fetch-retries=0", "--fetch-timeout=30000")
			cmd.Dir = tmp
			cmd.Env = append(os.Environ(), o.Env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				return nodeSDKError(fmt.Sprintf("npm ci failed (%v): %s", err, lastLines(out, 3)))
			}
			return nil
		})
		if err == nil {
			o.progress("installed the AWS SDK for JavaScript v3 in %s", time.Since(start).Round(100*time.Millisecond))
		}
		return err
	})
	if err != nil {
		return "", err
	}
	return modules, nil
}

func nodeSDKError(cause string) error {
	return fmt.Errorf("%w: the AWS SDK for JavaScript v3 (%s) could not be installed: %s; run `%s` once with network access, or pass --node-modules with a node_modules folder that holds it",
		ErrSDKMissing, strings.Join(NodeSDKPackages(), " "), cause, SDKInstallCommand)
}

// PythonSDK returns a folder holding the pinned boto3 set, for PYTHONPATH,
// installing it with `python -m pip install --target` on first need, the
// way NodeSDK installs the JavaScript SDK. The folder is per Python
// version. When pip cannot install it but the interpreter imports boto3
// already, that boto3 is used: the folder is "" and the error nil, and
// Progress says which version stands in for the pin.
func PythonSDK(ctx context.Context, o SDKOptions) (string, error) {
	root, err := o.cacheDir()
	if err != nil {
		return "", err
	}
	python := o.Python
	if python == "" {
		python = "python3"
	}
	pyPath, err := exec.LookPath(python)
	if err != nil {
		return "", pythonSDKError(fmt.Sprintf("%s is not on PATH (%v)", python, err))
	}
	version, err := interpreterVersion(ctx, pyPath, "import sys; print('%d.%d' % sys.version_info[:2])")
	if err != nil {
		return "", pythonSDKError(fmt.Sprintf("%s does not run: %v", python, err))
	}
	final := filepath.Join(root, sdkKey("python"+version, "sdk/python/requirements.txt"))
	if have, ok := pythonStandIns.Load(final); ok {
		// pip failed before in this process; the next run need not wait
		// for it to fail again (switchboard sdk install tries anew).
		err, _ := have.(error)
		return "", err
	}
	err = installOnce(final, func() error {
		pkgs := PythonSDKPackages()
		o.progress("installing boto3, which Lambda's Python runtimes provide (%s), for Python %s into %s", strings.Join(pkgs, ", "), version, final)
		start := time.Now()
		err := installInto(final, func(tmp string) error {
			args := append([]string{"-m", "pip", "install", "--target", tmp, "--no-input", "--disable-pip-version-check",
				"--no-warn-script-location", "--retries", "0", "--timeout", "30", "--only-binary", ":all:"}, pkgs...)
			cmd := exec.CommandContext(ctx, pyPath, args...)
			cmd.Env = append(os.Environ(), o.Env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				return pythonSDKError(fmt.Sprintf("pip install failed (%v): %s", err, lastLines(out, 3)))
			}
			return nil
		})
		if err == nil {
			o.progress("installed boto3 in %s", time.Since(start).Round(100*time.Millisecond))
		}
		return err
	})
	if err == nil {
		return final, nil
	}
	// boto3 the interpreter has (a system package, a virtualenv) is better
	// than none: handlers run, on another version than Lambda's.
	if have, verr := interpreterVersion(ctx, pyPath, "import boto3; print(boto3.__version__)"); verr == nil {
		o.progress("boto3 could not be installed (%v); using the boto3 %s that %s has, not Lambda's %s", err, have, python, PythonSDKPackages()[0])
		pythonStandIns.Store(final, nil)
		return "", nil
	}
	return "", err
}

// pythonStandIns remembers the sets pip could not install but the
// interpreter's own boto3 stands in for: folder → nil.
var pythonStandIns sync.Map

func pythonSDKError(cause string) error {
	return fmt.Errorf("%w: boto3 (%s) could not be installed: %s; run `%s` once with network access",
		ErrSDKMissing, strings.Join(PythonSDKPackages(), " "), cause, SDKInstallCommand)
}

// interpreterVersion runs a one-line Python program and returns what it
// printed.
func interpreterVersion(ctx context.Context, python, program string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, python, "-c", program).Output()
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// installOnce runs install unless final exists, one install per folder at
// a time in this process.
func installOnce(final string, install func() error) error {
	mu, _ := sdkLocks.LoadOrStore(final, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	if fi, err := os.Stat(final); err == nil && fi.IsDir() {
		return nil
	}
	return install()
}

// installInto fills a new temporary folder beside final with fill, then
// renames it to final. When another process renamed its own install there
// first, that one is kept and this one removed.
func installInto(final string, fill func(tmp string) error) error {
	parent := filepath.Dir(final)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("lambdaemu: SDK cache: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(final)+".tmp-")
	if err != nil {
		return fmt.Errorf("lambdaemu: SDK cache: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	if err := fill(tmp); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("lambdaemu: SDK cache: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		if fi, serr := os.Stat(final); serr == nil && fi.IsDir() {
			return nil // another process won the race with the same set
		}
		return fmt.Errorf("lambdaemu: SDK cache: %w", err)
	}
	return nil
}

// lastLines returns the last n non-empty lines of out, joined by " | ".
func lastLines(out []byte, n int) string {
	var lines []string
	for l := range bytes.Lines(out) {
		if s := strings.TrimSpace(string(l)); s != "" {
			lines = append(lines, s)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 0 {
		return "no output"
	}
	return strings.Join(lines, " | ")
}
