package cli_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gossip-glomers/internal/cli"
	"gossip-glomers/internal/e2e"
)

// misbehave builds the test node and gives this test a copy of its own, so
// that the leftover-process check sees only this test's nodes.
func misbehave(t *testing.T) string {
	t.Helper()
	return e2e.PrivateCopy(t, e2e.Build(t, "internal/cli/testdata/misbehave"))
}

// checkEnded fails t if the run hit the bound or left a node process behind.
func checkEnded(t *testing.T, bin string, elapsed time.Duration) {
	t.Helper()
	if elapsed >= e2e.Bound {
		t.Errorf("the run took %v", elapsed)
	}
	if left := e2e.NodesLeft(t, bin); len(left) > 0 {
		t.Errorf("node processes left behind: %v", left)
	}
}

// wantLines fails t unless each pattern matches some line of out.
func wantLines(t *testing.T, what, out string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(`(?m)` + p).MatchString(out) {
			t.Errorf("%s has no line matching %q:\n%s", what, p, out)
		}
	}
}

// TestEveryEchoNotSupported: a node that answers every echo with
// not-supported gives an invalid run whose terminal output says why: the
// failure table and the verdict name not-supported and its code, on
// stdout; stderr has no summary.
func TestEveryEchoNotSupported(t *testing.T) {
	t.Parallel()
	bin := misbehave(t)
	out := e2e.Glomers(t, "test", "-w", "echo", "--bin", bin, "--node-count", "1", "--time-limit", "1", "--rate", "20",
		"--store", t.TempDir(), "--", "not-supported")
	checkEnded(t, bin, out.Elapsed)
	if out.Code != cli.ExitInvalid {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", out.Code, cli.ExitInvalid, out.Stdout, out.Stderr)
	}
	wantLines(t, "stdout", out.Stdout,
		`^  not ok     echo  fail  \d+  not-supported \(code 10\): not supported: echo \(first: op \d+`,
		`^Verdict: INVALID: .*no-ok-echo \(no echo was ok: \d+ fail not-supported \(code 10\)\)`)
	if strings.Contains(out.Stderr, "Verdict") {
		t.Errorf("the summary went to stderr:\n%s", out.Stderr)
	}
}

// TestSchemaBreaksWarnOnValidRun: a node whose every third echo_ok carries a
// forbidden key still passes (Maelstrom records those replies as info), and
// the summary warns, naming the broken rule once.
func TestSchemaBreaksWarnOnValidRun(t *testing.T) {
	t.Parallel()
	bin := misbehave(t)
	out := e2e.Glomers(t, "test", "-w", "echo", "--bin", bin, "--node-count", "1", "--time-limit", "1", "--rate", "30",
		"--store", t.TempDir(), "--", "sloppy-echo")
	checkEnded(t, bin, out.Elapsed)
	if out.Code != cli.ExitValid {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", out.Code, cli.ExitValid, out.Stdout, out.Stderr)
	}
	wantLines(t, "stdout", out.Stdout,
		`^  not ok     echo  info  \d+  bad-reply: echo_ok: disallowed key\(s\) extra \(first: op \d+`,
		`^  warning    \d+ replies broke Maelstrom's reply schema and were recorded as info.*e\.g\. echo: echo_ok: disallowed key\(s\) extra`,
		`^Verdict: VALID`)
}

// TestHistoryNamesClientAndMsgID: every client operation in history.jsonl
// names its client and the msg_id of its request, and that request is in
// messages.jsonl.
func TestHistoryNamesClientAndMsgID(t *testing.T) {
	t.Parallel()
	bin := misbehave(t)
	store := t.TempDir()
	out := e2e.Glomers(t, "test", "-w", "echo", "--bin", bin, "--node-count", "2", "--time-limit", "1", "--rate", "20", "--store", store)
	checkEnded(t, bin, out.Elapsed)
	if out.Code != cli.ExitValid {
		t.Fatalf("exit %d\n%s\n%s", out.Code, out.Stdout, out.Stderr)
	}
	dir, err := filepath.EvalSymlinks(filepath.Join(store, "latest"))
	if err != nil {
		t.Fatal(err)
	}
	type request struct {
		client, node string
		msgID        int64
	}
	sent := map[request]bool{}
	eachLine(t, filepath.Join(dir, "messages.jsonl"), func(line []byte) {
		var e struct { // a journal event: {"type": "send", "message": {...}}
			Message struct {
				Src  string `json:"src"`
				Dest string `json:"dest"`
				Body struct {
					MsgID int64 `json:"msg_id"`
				} `json:"body"`
			} `json:"message"`
		}
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatalf("journal line %s: %v", line, err)
		}
		sent[request{e.Message.Src, e.Message.Dest, e.Message.Body.MsgID}] = true
	})
	ops := 0
	eachLine(t, filepath.Join(dir, "history.jsonl"), func(line []byte) {
		var op struct {
			Process any    `json:"process"`
			Node    string `json:"node"`
			Client  string `json:"client"`
			MsgID   int64  `json:"msg_id"`
		}
		if err := json.Unmarshal(line, &op); err != nil {
			t.Fatalf("history line %s: %v", line, err)
		}
		if op.Process == "nemesis" {
			return
		}
		ops++
		if op.Client == "" || op.MsgID == 0 {
			t.Fatalf("history entry without client or msg_id: %s", line)
		}
		if !sent[request{op.Client, op.Node, op.MsgID}] {
			t.Fatalf("no message from %s to %s with msg_id %d in messages.jsonl for %s", op.Client, op.Node, op.MsgID, line)
		}
	})
	if ops == 0 {
		t.Fatal("no client operation in the history")
	}
}

func eachLine(t *testing.T, path string, fn func([]byte)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in := bufio.NewScanner(f)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	for in.Scan() {
		fn(in.Bytes())
	}
	if err := in.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestFinalReadMissesAreNamed: with nodes that never share what they
// receive, the summary says which node's final read lacks what, for
// broadcast (values) and g-counter (how far short of the sum).
func TestFinalReadMissesAreNamed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		workload, mode, line string
	}{
		{"broadcast", "local-broadcast", `^  final read n[01]'s final read lacks \d+ of \d+ values: \d+`},
		{"g-counter", "local-counter", `^  final read n[01]'s final read is \d+: it lacks at least \d+ \(acceptable: `},
	} {
		t.Run(tc.workload, func(t *testing.T) {
			t.Parallel()
			bin := misbehave(t)
			out := e2e.RunQuick(t, bin, 200*time.Millisecond, "-w", tc.workload, "--node-count", "2",
				"--time-limit", "2", "--rate", "40", "--", tc.mode)
			checkEnded(t, bin, out.Elapsed)
			if out.Err != nil {
				t.Fatalf("run aborted: %v\n%s", out.Err, out.Stderr)
			}
			wantLines(t, "stdout", out.Stdout, tc.line)
			// The counters' nodes each count only their own adds, so no final
			// read is the sum; broadcast's verdict depends on the order of
			// the final reads, so only the lines are certain there.
			if tc.workload == "g-counter" && out.Results.Valid {
				t.Errorf("a counter that shares nothing passed:\n%s", out.Stdout)
			}
		})
	}
}

// TestRateZeroWarns: Maelstrom accepts --rate 0 (no operations) and so do
// we, with the same verdict, but both the command line and the summary warn.
func TestRateZeroWarns(t *testing.T) {
	t.Parallel()
	bin := misbehave(t)
	out := e2e.Glomers(t, "test", "-w", "echo", "--bin", bin, "--node-count", "1", "--time-limit", "1", "--rate", "0",
		"--store", t.TempDir())
	checkEnded(t, bin, out.Elapsed)
	if out.Code != cli.ExitValid {
		t.Fatalf("exit %d, want %d (Maelstrom's verdict)\n%s\n%s", out.Code, cli.ExitValid, out.Stdout, out.Stderr)
	}
	wantLines(t, "stderr", out.Stderr, `^glomers: warning: --rate 0: the main phase invokes no client operation`)
	wantLines(t, "stdout", out.Stdout, `^  warning    no client operation was invoked`)
}

// TestStrayArgumentWarns: an argument before -- reaches the node, as in
// Maelstrom, and glomers says so.
func TestStrayArgumentWarns(t *testing.T) {
	t.Parallel()
	bin := misbehave(t)
	store := t.TempDir()
	out := e2e.Glomers(t, "test", "-w", "echo", "--bin", bin, "--node-count", "1", "--time-limit", "1", "--rate", "10",
		"--store", store, "stray", "--", "after")
	checkEnded(t, bin, out.Elapsed)
	if out.Code != cli.ExitValid {
		t.Fatalf("exit %d\n%s\n%s", out.Code, out.Stdout, out.Stderr)
	}
	wantLines(t, "stderr", out.Stderr, `^glomers: warning: stray before -- is passed to the node`)
	log, err := os.ReadFile(filepath.Join(store, "latest", "node-logs", "n0.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "args: stray after") {
		t.Fatalf("the node did not get its arguments; its log:\n%s", log)
	}
}

// TestChallengePrintsWhatItRuns: `glomers challenge` prints the official
// line and the line it actually runs, overrides in place and additions
// after, then runs exactly that.
func TestChallengePrintsWhatItRuns(t *testing.T) {
	t.Parallel()
	bin := misbehave(t)
	store := t.TempDir()
	out := e2e.Glomers(t, "challenge", "1", "--bin", bin, "--time-limit", "1", "--rate", "20", "--store", store)
	checkEnded(t, bin, out.Elapsed)
	if out.Code != cli.ExitValid {
		t.Fatalf("exit %d\n%s\n%s", out.Code, out.Stdout, out.Stderr)
	}
	wantLines(t, "stdout", out.Stdout,
		`^  official: maelstrom test -w echo --bin ~/go/bin/maelstrom-echo --node-count 1 --time-limit 10$`,
		`^  running:  glomers test -w echo --bin `+regexp.QuoteMeta(bin)+` --node-count 1 --time-limit 1 --rate 20 --store `+regexp.QuoteMeta(store)+`$`,
		`^echo on 1 node\(s\): 1s, rate 20/s`)
}

// TestChallengeHelpListsChallenges: --help names every challenge with its
// official flags.
func TestChallengeHelpListsChallenges(t *testing.T) {
	t.Parallel()
	out := e2e.Glomers(t, "challenge", "--help")
	if out.Code != cli.ExitValid {
		t.Fatalf("exit %d\n%s", out.Code, out.Stderr)
	}
	wantLines(t, "help", out.Stdout,
		`^  1 +-w echo +--node-count 1 --time-limit 10$`,
		`^  3d +-w broadcast +--node-count 25 --time-limit 20 --rate 100 --latency 100 \(targets: msgs-per-op < 30, median < 400 ms, max < 600 ms\)$`,
		`^  6c +-w txn-rw-register +--node-count 2 --concurrency 2n --time-limit 20 --rate 1000 --consistency-models read-committed --availability total --nemesis partition$`)
}
