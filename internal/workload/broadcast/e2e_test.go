package broadcast_test

import (
	"slices"
	"testing"

	"gossip-glomers/internal/e2e"
)

// TestForwardOnceIsCaught: a node that forwards each message once, with no
// retry, loses what it sends across a partition; the checker must say so.
// Frequent partitions (a mean gap of 2 s instead of 10) make a run without
// any cut-off broadcast vanishingly unlikely.
func TestForwardOnceIsCaught(t *testing.T) {
	t.Parallel()
	limit := "20"
	if testing.Short() {
		limit = "10"
	}
	res := e2e.Run(t, e2e.Build(t, "internal/workload/broadcast/testdata/forward-once"),
		"-w", "broadcast", "--node-count", "5", "--rate", "10", "--time-limit", limit,
		"--nemesis", "partition", "--nemesis-interval", "2")
	if res.Valid {
		t.Fatal("a forward-once node passed under partitions")
	}
	if !slices.Contains(res.Anomalies, "lost") {
		t.Fatalf("anomalies %v, want lost", res.Anomalies)
	}
	t.Logf("lost-count %v of %v attempts", res.Checker["lost-count"], res.Checker["attempt-count"])
}

// TestForwardOncePassesWithoutPartitions: the same node is fine on a healthy
// network, so what the test above catches is the partition loss.
func TestForwardOncePassesWithoutPartitions(t *testing.T) {
	t.Parallel()
	res := e2e.Run(t, e2e.Build(t, "internal/workload/broadcast/testdata/forward-once"),
		"-w", "broadcast", "--node-count", "5", "--rate", "10", "--time-limit", "5")
	if !res.Valid {
		t.Fatalf("forward-once invalid without faults: %v %v", res.Anomalies, res.Checker)
	}
}
