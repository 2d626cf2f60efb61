package runner_test

import (
	"errors"
	"strings"
	"testing"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/runner"
)

// These runs read node stdout the way Maelstrom does (issue 10, items 1-5):
// each would have had another outcome before.

func stdoutNode(t *testing.T) string {
	return e2e.Build(t, "internal/runner/testdata/stdoutnode")
}

func warningWith(res *report.Results, parts ...string) (string, bool) {
next:
	for _, w := range res.Warnings {
		for _, p := range parts {
			if !strings.Contains(w, p) {
				continue next
			}
		}
		return w, true
	}
	return "", false
}

// An empty line is never skipped: Maelstrom stops reading the node there, we
// stop the test with the reason. A line ending "\r\r\n" is a message and an
// empty line to Java's readLine, so it is one here too.
func TestEmptyStdoutLineAbortsTheRun(t *testing.T) {
	bin := stdoutNode(t)
	for _, mode := range []string{"empty-line", "cr-line"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			_, err := e2e.Try(t, bin, "-w", "echo", "--node-count", "1", "--time-limit", "1", "--", mode)
			if !errors.Is(err, runner.ErrAborted) {
				t.Fatalf("got %v, want the run aborted", err)
			}
			for _, want := range []string{"node n0 wrote an empty line", "never reads n0's stdout again"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

// Text after the message and raw control characters inside strings are
// accepted as cheshire accepts them, warned about once per node, and what
// reaches a peer or a client is strict JSON (the peer exits on anything else,
// and echoes wrongly if the ping never came).
func TestSloppyStdoutIsReadAsMaelstromReadsIt(t *testing.T) {
	t.Parallel()
	res := e2e.Run(t, stdoutNode(t), "-w", "echo", "--node-count", "2", "--time-limit", "2", "--rate", "20", "--", "sloppy")
	if res.Verdict != checker.Valid || res.Ops.OK == 0 {
		t.Fatalf("verdict %v with %d ok ops, want valid with ok ops; anomalies %v", res.Verdict, res.Ops.OK, res.Anomalies)
	}
	w, ok := warningWith(res, "text after the JSON message")
	if !ok {
		t.Fatalf("no warning about text after a message in %q", res.Warnings)
	}
	if !strings.Contains(w, ": 2 time(s)") {
		t.Errorf("warning %q: want one per node (2)", w)
	}
}

// A message to a closed client kills the node's output for the rest of the
// test, as in Maelstrom: here the node's first echo reply comes after such a
// message, so no echo ever completes and the stats checker fails the test.
// With --lenient-late-replies only the stray message is dropped.
func TestLateReplyToClosedClient(t *testing.T) {
	bin := stdoutNode(t)
	args := []string{"-w", "echo", "--node-count", "1", "--time-limit", "1"}
	t.Run("maelstrom", func(t *testing.T) {
		t.Parallel()
		res := e2e.Run(t, bin, append(args, "--", "late-reply")...)
		if res.Verdict != checker.Invalid || res.Ops.OK != 0 {
			t.Errorf("verdict %v with %d ok ops, want invalid with none", res.Verdict, res.Ops.OK)
		}
		if _, ok := warningWith(res, "node n0 sent a message to client c0", "the client had closed at", "never reads n0's stdout again", "--lenient-late-replies"); !ok {
			t.Errorf("no warning naming n0, c0 and the flag in %q", res.Warnings)
		}
		if _, ok := warningWith(res, "lines n0 wrote after Maelstrom would have stopped reading", "echo_ok"); !ok {
			t.Errorf("the lost echo_ok is not counted in %q", res.Warnings)
		}
	})
	t.Run("lenient", func(t *testing.T) {
		t.Parallel()
		res := e2e.Run(t, bin, append(args, "--lenient-late-replies", "--", "late-reply")...)
		if res.Verdict != checker.Valid || res.Ops.OK == 0 {
			t.Errorf("verdict %v with %d ok ops, want valid with ok ops", res.Verdict, res.Ops.OK)
		}
		if _, ok := warningWith(res, "dropped, --lenient-late-replies", "client c0"); !ok {
			t.Errorf("no warning about the dropped message in %q", res.Warnings)
		}
	})
}

// Ids that are different decimal texts of one double are duplicates to
// Maelstrom, which reads them as Jackson doubles.
func TestFloatIdsThatRoundAlikeAreDuplicates(t *testing.T) {
	t.Parallel()
	res := e2e.Run(t, stdoutNode(t), "-w", "unique-ids", "--node-count", "1", "--time-limit", "1", "--rate", "20", "--", "float-ids")
	if res.Verdict != checker.Invalid {
		t.Fatalf("verdict %v, want invalid (duplicated ids)", res.Verdict)
	}
	if n, _ := res.Checker["duplicated_count"].(int); n != 1 {
		t.Errorf("duplicated_count %v, want 1 (every id is 1.0E17)", res.Checker["duplicated_count"])
	}
}
