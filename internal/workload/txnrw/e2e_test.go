package txnrw_test

import (
	"encoding/json"
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

// TestDirtyNodeUnderReadUncommitted: with few keys and long transactions the
// same node interleaves its writes with other transactions' (a dirty write).
// Maelstrom's own inference sees at most a write cycle through first reads
// (PL-1-cycle-exists), never G0, and often nothing, so challenge 6a passes
// there; our extra G0 inference flags it under "beyond_maelstrom", which
// must leave the verdict alone.
func TestDirtyNodeUnderReadUncommitted(t *testing.T) {
	t.Parallel()
	res := e2e.RunChallenge(t, "6a", e2e.Build(t, "internal/workload/txnrw/testdata/dirty"),
		"--key-count", "3", "--max-txn-length", "6")
	for _, a := range res.Anomalies {
		if a != "PL-1-cycle-exists" {
			t.Fatalf("anomalies %v: only PL-1-cycle-exists is Maelstrom's here", res.Anomalies)
		}
	}
	if res.Valid != (len(res.Anomalies) == 0) {
		t.Fatalf("valid %v with anomalies %v", res.Valid, res.Anomalies)
	}
	var beyond struct {
		AnomalyTypes []string `json:"anomaly_types"`
	}
	b, err := json.Marshal(res.Checker["beyond_maelstrom"])
	if err == nil {
		err = json.Unmarshal(b, &beyond)
	}
	if err != nil || !slices.Equal(beyond.AnomalyTypes, []string{"G0"}) {
		t.Fatalf("beyond_maelstrom %s (%v), want anomaly_types [G0]", b, err)
	}
	t.Logf("valid %v, anomalies %v; beyond Maelstrom: %v", res.Valid, res.Anomalies, beyond.AnomalyTypes)
}
