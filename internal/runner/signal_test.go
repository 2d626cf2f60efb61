package runner_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"gossip-glomers/internal/cli"
)

// glomersProcessEnv makes TestGlomersProcess run glomers (cli.Main) with
// the arguments after "--": the signal tests need glomers as a process of
// its own, and this test binary can be it without building cmd/glomers.
const glomersProcessEnv = "GLOMERS_TEST_PROCESS"

func TestGlomersProcess(t *testing.T) {
	if os.Getenv(glomersProcessEnv) != "1" {
		t.Skip("only runs as the glomers process of the signal tests")
	}
	dash := slices.Index(os.Args, "--")
	os.Args = append([]string{"glomers"}, os.Args[dash+1:]...)
	cli.Main() // exits
}

// startGlomers starts `glomers args...` as a process of its own.
func startGlomers(t *testing.T, args ...string) (*exec.Cmd, *strings.Builder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangBound)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, os.Args[0], append([]string{"-test.run=^TestGlomersProcess$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), glomersProcessEnv+"=1")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// SIGINT and SIGTERM end a run whose nodes stopped reading within seconds,
// with exit 255, every node and child of one killed, and the run's files
// written. Before, glomers ignored them and hung.
func TestSignalsEndTheRun(t *testing.T) {
	bin := stuckNode(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			pids, store := newMarkers(t), t.TempDir()
			cmd, out := startGlomers(t, "test", "-w", "echo", "--bin", bin, "--node-count", "3", "--time-limit", "50",
				"--store", store, "--", "stop-reading", string(pids), "child")
			if !pids.await("stuck", 3) {
				t.Fatalf("the nodes never got stuck:\n%s", out)
			}
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			teardown := time.Since(sent)
			t.Logf("exit after %v: %v\n%s", teardown.Round(time.Millisecond), err, out)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != cli.ExitAborted {
				t.Errorf("glomers ended with %v, want exit status %d", err, cli.ExitAborted)
			}
			if teardown > teardownBound {
				t.Errorf("glomers took %v to end after %v, want within %v", teardown, sig, teardownBound)
			}
			pids.checkNoneLeft(t)
			checkAbortedResults(t, store, "interrupted ("+sig.String()+" signal received)")
		})
	}
}

// A glomers killed outright (SIGKILL: no teardown) takes its nodes with it
// (the kernel's parent-death signal). Children the nodes started themselves
// are beyond its reach; see process.sysProcAttr.
func TestNodesDieWithAKilledGlomers(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the parent-death signal is Linux's")
	}
	t.Parallel()
	pids := newMarkers(t)
	cmd, out := startGlomers(t, "test", "-w", "echo", "--bin", stuckNode(t), "--node-count", "3", "--time-limit", "50",
		"--store", t.TempDir(), "--", "stop-reading", string(pids))
	// Once stuck they write nothing more, so no broken pipe can kill them.
	if !pids.await("stuck", 3) {
		t.Fatalf("the nodes never got stuck:\n%s", out)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	pids.checkNoneLeft(t)
}
