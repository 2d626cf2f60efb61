package txnlistappend_test

import (
	"slices"
	"strings"
	"testing"

	"gossip-glomers/internal/challenge"
	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/report"
)

// runBuggy runs the tutorial's command line on one buggy node for 5 s.
func runBuggy(t *testing.T, bug string) *report.Results {
	t.Helper()
	c, ok := challenge.Lookup("txn-list-append")
	if !ok {
		t.Fatal("no txn-list-append challenge")
	}
	bin := e2e.Build(t, "internal/workload/txnlistappend/testdata/buggy")
	return e2e.Run(t, bin, c.TestArgs("--node-count", "1", "--time-limit", "5", "--", bug)...)
}

// The control: without its bug the node is strict serializable.
func TestCorrectNodeValid(t *testing.T) {
	t.Parallel()
	if res := runBuggy(t, "none"); !res.Valid {
		t.Fatalf("invalid: %v %v", res.Anomalies, res.Checker["anomalies"])
	}
}

// An acknowledged append that never shows up: it can only come after the
// last element reads show, which puts its txn after later ones (ww and rw
// edges against real time). The cycles are many, so which of them the
// search names first varies; some dependency cycle it must find.
func TestLostAppendCaught(t *testing.T) {
	t.Parallel()
	res := runBuggy(t, "lose")
	if res.Valid {
		t.Fatalf("a node losing appends passed: %v", res.Checker)
	}
	cycle := func(a string) bool {
		return strings.HasPrefix(a, "G0") || strings.HasPrefix(a, "G1c") || strings.HasPrefix(a, "G-") || strings.HasPrefix(a, "G2")
	}
	if !slices.ContainsFunc(res.Anomalies, cycle) {
		t.Fatalf("anomalies %v, want a dependency cycle", res.Anomalies)
	}
	t.Logf("anomalies %v", res.Anomalies)
}

// An element put at the front of its list: reads before and after it
// disagree on the order of the appends.
func TestReorderedAppendCaught(t *testing.T) {
	t.Parallel()
	res := runBuggy(t, "reorder")
	if res.Valid {
		t.Fatalf("a node reordering appends passed: %v", res.Checker)
	}
	if !slices.Contains(res.Anomalies, "incompatible-order") {
		t.Fatalf("anomalies %v, want incompatible-order", res.Anomalies)
	}
	t.Logf("anomalies %v", res.Anomalies)
}
