package main

import (
	"testing"

	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/report"
)

func checkRun(t *testing.T, res *report.Results) {
	t.Helper()
	if !res.Valid {
		t.Fatalf("invalid: %v (checker %v)", res.Anomalies, res.Checker["failures"])
	}
	results, _ := res.Checker["results"].(map[string]any)
	t.Logf("%d keys linearizable; ops %d ok / %d invoked; servers msgs-per-op %.2f; latency median %.1f ms, p99 %.1f ms",
		len(results), res.Ops.OK, res.Ops.Invoke, res.Net.Servers.PerOp(), res.LatencyMS.Median, res.LatencyMS.P99)
}

// TestTutorial runs the Raft chapter's final command line: 3 nodes, 4n
// threads, partitions every ~10 s (a shorter time limit under -short).
func TestTutorial(t *testing.T) {
	t.Parallel()
	checkRun(t, e2e.RunChallenge(t, "lin-kv", e2e.Build(t, "maelstrom-lin-kv")))
}

// TestSlowNetwork adds 100 ms of latency, which lin-kv's clients wait out
// (their timeout is 10 x the latency, at least 1 s) and partitions.
func TestSlowNetwork(t *testing.T) {
	t.Parallel()
	args := []string{"--latency", "100"}
	if !testing.Short() {
		args = append(args, "--time-limit", "30")
	}
	checkRun(t, e2e.RunChallenge(t, "lin-kv", e2e.Build(t, "maelstrom-lin-kv"), args...))
}
