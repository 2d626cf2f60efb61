package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gossip-glomers/internal/cli"
	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/report"
)

// These runs have nodes that stop reading their stdin, flood, exit early or
// get interrupted (issue 11): each run must end on its own, within a bound
// that only a hang reaches, leave no process behind, and say what happened
// in its output and in store/latest/results.json.

// hangBound is far beyond how long any run below takes; only a hang hits it.
const hangBound = time.Minute

// teardownBound is how soon an interrupted run must end: teardown takes
// milliseconds; this leaves room for a loaded machine.
const teardownBound = 10 * time.Second

func stuckNode(t *testing.T) string {
	return e2e.Build(t, "internal/runner/testdata/stucknode")
}

// outcome is what one glomers command printed and returned.
type outcome struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
}

func (o outcome) output() string { return o.stdout + o.stderr }

// glomers runs the glomers command line in this process until it ends or
// ctx is done, and fails t if it is still running after hangBound.
func glomers(ctx context.Context, t *testing.T, args ...string) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeoutCause(ctx, hangBound, errors.New("the run hung"))
	defer cancel()
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := cli.Execute(ctx, args, &stdout, &stderr)
	o := outcome{code: code, stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	if o.elapsed >= hangBound {
		t.Fatalf("glomers %s still running after %v:\n%s", strings.Join(args, " "), hangBound, o.output())
	}
	t.Logf("glomers %s: exit %d after %v\n%s", strings.Join(args, " "), o.code, o.elapsed.Round(time.Millisecond), o.output())
	return o
}

// markers is the folder where each stucknode writes pid-<pid>, child-<pid>
// (a sleep it started), init-<pid> (once it answered init) and stuck-<pid>
// (once it has filled its peers' stdin and stopped).
type markers string

func newMarkers(t *testing.T) markers { return markers(t.TempDir()) }

func (m markers) pids(kind string) []int {
	entries, _ := os.ReadDir(string(m))
	var pids []int
	for _, e := range entries {
		if rest, ok := strings.CutPrefix(e.Name(), kind+"-"); ok {
			if pid, err := strconv.Atoi(rest); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// await waits until n nodes have written a marker of kind; false if they
// have not after hangBound.
func (m markers) await(kind string, n int) bool {
	deadline := time.Now().Add(hangBound)
	for len(m.pids(kind)) < n {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// left returns the processes of these kinds still running, after giving
// them a few seconds (SIGKILL is asynchronous).
func (m markers) left(kinds ...string) []int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		var alive []int
		for _, kind := range kinds {
			for _, pid := range m.pids(kind) {
				if running(pid) {
					alive = append(alive, pid)
				}
			}
		}
		if len(alive) == 0 || time.Now().After(deadline) {
			return alive
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkNoneLeft fails t if a node or a child of one is still running, and
// kills what is (the processes this test started).
func (m markers) checkNoneLeft(t *testing.T) {
	t.Helper()
	if len(m.pids("pid")) == 0 {
		t.Fatal("no node wrote its pid: the check would prove nothing")
	}
	if alive := m.left("pid", "child"); len(alive) > 0 {
		for _, pid := range alive {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		t.Errorf("processes left behind: %v", alive)
	}
}

// running reports whether a process exists and is not a zombie (one that
// has exited but was not reaped: in a container, init may never reap).
func running(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return !os.IsNotExist(err) || !procMounted()
	}
	_, rest, ok := bytes.Cut(stat, []byte(") "))
	return !ok || len(rest) == 0 || rest[0] != 'Z'
}

func procMounted() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
}

// latest reads store/latest/results.json, failing t if it does not name the
// run of this store.
func latest(t *testing.T, store string) (*report.Results, map[string]any) {
	t.Helper()
	path := filepath.Join(store, "latest", "results.json")
	res, err := report.Load(path)
	if err != nil {
		t.Fatalf("store/latest: %v", err)
	}
	raw, _ := os.ReadFile(path)
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	return res, fields
}

// checkAbortedResults fails t unless store/latest/results.json is an
// aborted run's, with a reason containing want.
func checkAbortedResults(t *testing.T, store, want string) {
	t.Helper()
	res, fields := latest(t, store)
	if fields["verdict"] != "aborted" || fields["valid"] != false {
		t.Errorf("results.json has verdict %v and valid %v, want aborted and false", fields["verdict"], fields["valid"])
	}
	if !res.Aborted() || !strings.Contains(res.AbortReason, want) {
		t.Errorf("results.json abort_reason %q does not mention %q", res.AbortReason, want)
	}
	if _, err := os.Stat(filepath.Join(store, "latest", "history.jsonl")); err != nil {
		t.Errorf("no history written: %v", err)
	}
}

// Three nodes answer init, fill each other's stdin pipes and never read
// again (a single-threaded node blocked on something). The run must end on
// its own as Maelstrom's does: every echo times out, the test ends at the
// time limit plus the RPC timeout, the nodes are killed, and the verdict is
// INVALID. Before, teardown waited forever for the blocked writer's lock.
func TestNodesThatStopReadingEndAtTheTimeLimit(t *testing.T) {
	t.Parallel()
	bin, pids, store := stuckNode(t), newMarkers(t), t.TempDir()
	o := glomers(context.Background(), t, "test", "-w", "echo", "--bin", bin, "--node-count", "3", "--time-limit", "1",
		"--store", store, "--", "stop-reading", string(pids), "child")
	pids.checkNoneLeft(t)
	if o.code != cli.ExitInvalid || !strings.Contains(o.output(), "Verdict: INVALID") {
		t.Errorf("exit %d, want %d with an INVALID verdict", o.code, cli.ExitInvalid)
	}
	if res, _ := latest(t, store); res.Ops.Info == 0 || res.Ops.OK != 0 {
		t.Errorf("ops %+v, want only timeouts (info)", res.Ops)
	}
}

// A node that floods itself and never reads would fill memory (and the
// journal) without bound. Its queue passes the backlog limit and the run
// aborts, naming the node and the backlog.
func TestFloodedNodeThatStopsReadingAbortsTheRun(t *testing.T) {
	t.Parallel()
	bin, pids, store := stuckNode(t), newMarkers(t), t.TempDir()
	o := glomers(context.Background(), t, "test", "-w", "echo", "--bin", bin, "--node-count", "1", "--time-limit", "30",
		"--store", store, "--", "flood", string(pids), "child")
	pids.checkNoneLeft(t)
	if o.code != cli.ExitAborted {
		t.Errorf("exit %d, want %d", o.code, cli.ExitAborted)
	}
	for _, want := range []string{"Test aborted: node n0 stopped reading its stdin", "messages (", "bytes) waiting", "from n0"} {
		if !strings.Contains(o.output(), want) {
			t.Errorf("output does not mention %q", want)
		}
	}
	checkAbortedResults(t, store, "node n0 stopped reading its stdin")
}

// A node that exits with status 0 is not called a crash, and the report
// says whether it had answered init; an aborted run writes results.json and
// moves store/latest off the previous (valid) run; "test aborted" is said
// once.
func TestAbortedRunsAreVisible(t *testing.T) {
	bin := stuckNode(t)
	for _, tc := range []struct{ mode, want string }{
		{"exit0", "node n0 exited early (status 0) before answering init"},
		{"exit0-after", "node n0 exited early (status 0) after init_ok"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			t.Parallel()
			pids, store := newMarkers(t), t.TempDir()
			previous := filepath.Join(store, "echo", "previous")
			if err := os.MkdirAll(previous, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(previous, "results.json"), []byte(`{"valid": true, "verdict": true}`), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join("echo", "previous"), filepath.Join(store, "latest")); err != nil {
				t.Fatal(err)
			}
			o := glomers(context.Background(), t, "test", "-w", "echo", "--bin", bin, "--node-count", "1", "--time-limit", "5",
				"--store", store, "--", tc.mode, string(pids), "child")
			pids.checkNoneLeft(t)
			if o.code != cli.ExitAborted {
				t.Errorf("exit %d, want %d", o.code, cli.ExitAborted)
			}
			if !strings.Contains(o.output(), "Test aborted: "+tc.want) {
				t.Errorf("output does not say %q", "Test aborted: "+tc.want)
			}
			if n := strings.Count(strings.ToLower(o.output()), "test aborted"); n != 1 {
				t.Errorf(`output says "test aborted" %d times, want once`, n)
			}
			checkAbortedResults(t, store, tc.want)
		})
	}
}

// Interrupting a run whose nodes stopped reading (what SIGINT or SIGTERM
// do through Main's context) ends it at once: nodes killed, history and
// results.json written, exit 255. Before, it waited forever.
func TestInterruptedRunTearsDown(t *testing.T) {
	t.Parallel()
	bin, pids, store := stuckNode(t), newMarkers(t), t.TempDir()
	ctx, interrupt := context.WithCancelCause(context.Background())
	interrupted := make(chan time.Time, 1)
	go func() {
		pids.await("stuck", 3) // if they never get stuck, the test fails below
		interrupted <- time.Now()
		interrupt(errors.New("test signal received"))
	}()
	o := glomers(ctx, t, "test", "-w", "echo", "--bin", bin, "--node-count", "3", "--time-limit", "50",
		"--store", store, "--", "stop-reading", string(pids), "child")
	teardown := time.Since(<-interrupted)
	t.Logf("ended %v after the interrupt", teardown.Round(time.Millisecond))
	if teardown > teardownBound {
		t.Errorf("the run ended %v after the interrupt, want within %v", teardown, teardownBound)
	}
	pids.checkNoneLeft(t)
	if o.code != cli.ExitAborted {
		t.Errorf("exit %d, want %d", o.code, cli.ExitAborted)
	}
	if !strings.Contains(o.output(), "Test aborted: interrupted (test signal received)") {
		t.Error("output does not say the run was interrupted")
	}
	checkAbortedResults(t, store, "interrupted (test signal received)")
}
