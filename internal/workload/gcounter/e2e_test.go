package gcounter_test

import (
	"slices"
	"testing"

	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/workload/gcounter"
)

// TestReadThenWriteIsCaught: a counter that adds by reading seq-kv and
// writing the sum back, without cas, loses adds under challenge 4's
// parameters, and the checker says so.
func TestReadThenWriteIsCaught(t *testing.T) {
	t.Parallel()
	bin := e2e.Build(t, "internal/workload/gcounter/testdata/read-then-write")
	res := e2e.RunChallenge(t, "4", bin)
	if res.Valid {
		t.Fatalf("read-then-write counter passed: %v", res.Checker)
	}
	if !slices.Contains(res.Anomalies, gcounter.Anomaly) {
		t.Fatalf("anomalies %v, want %s", res.Anomalies, gcounter.Anomaly)
	}
	t.Logf("final reads %v, acceptable %v", res.Checker["final-reads"], res.Checker["acceptable"])
}
