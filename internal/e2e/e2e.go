// Package e2e runs node binaries through the workbench from go test: build a
// binary, run it with Maelstrom's flags or a challenge's official ones, and
// get the results to assert on.
package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"gossip-glomers/internal/challenge"
	"gossip-glomers/internal/cli"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/runner"
)

// ShortTimeLimit is the --time-limit challenges run with under go test -short.
const ShortTimeLimit = "5"

var (
	buildMu  sync.Mutex
	buildDir string
	built    = map[string]string{}
)

// Build compiles a package of this module (a path relative to the module
// root, e.g. "maelstrom-echo" or "internal/workload/echo/testdata/wrong-echo")
// and returns the binary's path. Each package is built once per test binary.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if bin, ok := built[pkg]; ok {
		return bin
	}
	root, err := cli.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if buildDir == "" {
		// Shared by every test of this test binary, removed with the OS temp dir.
		if buildDir, err = os.MkdirTemp("", "glomers-e2e-"); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(buildDir, strings.ReplaceAll(pkg, "/", "_"))
	cmd := exec.Command("go", "build", "-o", bin, "./"+pkg)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("building %s: %v\n%s", pkg, err, out.String())
	}
	built[pkg] = bin
	return bin
}

// Run runs `glomers test --bin bin args...` and returns its results; the run
// must reach a verdict (a test that aborts fails t). Its summary goes to the
// test log.
func Run(t testing.TB, bin string, args ...string) *report.Results {
	t.Helper()
	res, err := Try(t, bin, args...)
	if err != nil {
		t.Fatalf("glomers test %s: %v", strings.Join(args, " "), err)
	}
	return res
}

// Try is Run that returns the error of a test that aborted, for tests that
// expect one.
func Try(t testing.TB, bin string, args ...string) (*report.Results, error) {
	t.Helper()
	cfg, err := cli.ParseTest(append([]string{"--bin", bin, "--store", t.TempDir()}, args...))
	if err != nil {
		return nil, err
	}
	var log lockedBuffer
	cfg.Log = &log
	res, err := runner.Run(context.Background(), cfg)
	t.Log("\n" + log.String())
	return res, err
}

// RunChallenge runs a challenge's official command line against bin, plus
// extra flags (which override the official ones). Under -short the time
// limit is cut to ShortTimeLimit seconds unless extra sets one.
func RunChallenge(t testing.TB, id, bin string, extra ...string) *report.Results {
	t.Helper()
	c, ok := challenge.Lookup(id)
	if !ok {
		t.Fatalf("unknown challenge %q", id)
	}
	args := c.TestArgs(extra...)
	if testing.Short() && !slices.Contains(extra, "--time-limit") {
		args = append(args, "--time-limit", ShortTimeLimit)
	}
	return Run(t, bin, args...)
}
