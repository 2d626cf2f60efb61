package txnrw_test

import (
	"slices"
	"testing"

	"gossip-glomers/internal/e2e"
)

// TestDirtyNodeFailsReadCommitted: a node that applies micro-ops one at a
// time, visible to concurrent transactions, must fail challenge 6c.
func TestDirtyNodeFailsReadCommitted(t *testing.T) {
	t.Parallel()
	res := e2e.RunChallenge(t, "6c", e2e.Build(t, "internal/workload/txnrw/testdata/dirty"))
	if res.Valid {
		t.Fatalf("a node exposing uncommitted state passed read-committed: %v", res.Checker)
	}
	if !slices.Contains(res.Anomalies, "G1b") && !slices.Contains(res.Anomalies, "G1c") {
		t.Fatalf("anomalies %v, want G1b or G1c", res.Anomalies)
	}
	t.Logf("anomalies %v", res.Anomalies)
}

// TestDirtyNodeFailsReadUncommitted: with few keys and long transactions the
// same node interleaves its writes with other transactions' (a dirty
// write), which read-uncommitted forbids as G0. Our additional G0 inference
// finds it even in runs where Maelstrom's own inference sees nothing.
func TestDirtyNodeFailsReadUncommitted(t *testing.T) {
	t.Parallel()
	res := e2e.RunChallenge(t, "6b", e2e.Build(t, "internal/workload/txnrw/testdata/dirty"),
		"--key-count", "3", "--max-txn-length", "6")
	if res.Valid || !slices.Contains(res.Anomalies, "G0") {
		t.Fatalf("valid %v anomalies %v, want G0", res.Valid, res.Anomalies)
	}
	t.Logf("anomalies %v; Maelstrom's inference alone: %v", res.Anomalies, res.Checker["maelstrom"])
}
