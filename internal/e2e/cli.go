package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gossip-glomers/internal/cli"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/runner"
)

// Bound is how long a CLI run of a test may take before the helpers below
// give up on it: far beyond any run they are used for, so only a hang hits it.
const Bound = 2 * time.Minute

// Outcome is what a run printed, as the CLI splits it: the summary
// (stdout) and everything else (stderr).
type Outcome struct {
	Code           int // exit code (Glomers only)
	Results        *report.Results
	Err            error // the run's error (RunQuick only)
	Stdout, Stderr string
	Elapsed        time.Duration
}

// Glomers runs the glomers command line in this process, as `glomers
// args...` would, and returns its exit code and output. A run still going
// after Bound is cancelled and fails t.
func Glomers(t testing.TB, args ...string) Outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Bound)
	defer cancel()
	var stdout, stderr lockedBuffer
	start := time.Now()
	code := cli.Execute(ctx, args, &stdout, &stderr)
	out := Outcome{Code: code, Stdout: stdout.String(), Stderr: stderr.String(), Elapsed: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("glomers %s still running after %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), Bound, out.Stdout, out.Stderr)
	}
	return out
}

// RunQuick runs `glomers test --bin bin args...` (in a temporary store) with
// the quiet wait before the final phase cut from Maelstrom's 10 s to
// recovery, so that tests of broadcast's and the counters' final reads stay
// short. Output is split as the CLI splits it.
func RunQuick(t testing.TB, bin string, recovery time.Duration, args ...string) Outcome {
	t.Helper()
	cfg, err := cli.ParseTest(append([]string{"--bin", bin, "--store", t.TempDir()}, args...))
	if err != nil {
		t.Fatalf("glomers test %s: %v", strings.Join(args, " "), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), Bound)
	defer cancel()
	var stdout, stderr lockedBuffer
	cfg.Log, cfg.Recovery = runner.SummaryTo(&stderr, &stdout), recovery
	start := time.Now()
	res, err := runner.Run(ctx, cfg)
	out := Outcome{Results: res, Err: err, Stdout: stdout.String(), Stderr: stderr.String(), Elapsed: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("glomers test %s still running after %v", strings.Join(args, " "), Bound)
	}
	return out
}

// PrivateCopy copies a built binary into the test's own folder, so that
// NodesLeft on the copy sees only this test's nodes while other tests run
// the same binary in parallel.
func PrivateCopy(t testing.TB, bin string) string {
	t.Helper()
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), filepath.Base(bin))
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return dst
}

// NodesLeft are the ids of running processes of the binary bin, after
// waiting up to a few seconds for them to go: a run must leave none.
func NodesLeft(t testing.TB, bin string) []int {
	t.Helper()
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skip("no /proc here: cannot look for leftover node processes")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		left := processesOf(bin)
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// processesOf scans /proc for live processes whose command is bin.
func processesOf(bin string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid := 0
		for _, r := range e.Name() {
			if r < '0' || r > '9' {
				pid = -1
				break
			}
			pid = pid*10 + int(r-'0')
		}
		if pid <= 0 {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		argv0, _, _ := bytes.Cut(cmdline, []byte{0})
		if string(argv0) != bin {
			continue
		}
		// A zombie has exited; its parent just has not reaped it yet.
		if stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil {
			if _, rest, ok := bytes.Cut(stat, []byte(") ")); ok && len(rest) > 0 && rest[0] == 'Z' {
				continue
			}
		}
		pids = append(pids, pid)
	}
	return pids
}
