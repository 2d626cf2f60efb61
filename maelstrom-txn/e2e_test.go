package main

import (
	"testing"

	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/report"
)

func checkTxnRun(t *testing.T, res *report.Results) {
	t.Helper()
	if !res.Valid {
		t.Fatalf("invalid: %v (checker %v)", res.Anomalies, res.Checker)
	}
	if res.Ops.OK == 0 || res.Ops.Info+res.Ops.Fail > 0 {
		t.Fatalf("ops %+v: every txn must succeed (total availability)", res.Ops)
	}
	t.Logf("%d txns, servers msgs-per-op %.3f, latency median %.2f ms, max %.2f ms, checker graph %v",
		res.Ops.OK, res.Net.Servers.PerOp(), res.LatencyMS.Median, res.LatencyMS.Max, res.Checker["graph"])
}

func TestChallenge6a(t *testing.T) {
	t.Parallel()
	checkTxnRun(t, e2e.RunChallenge(t, "6a", e2e.Build(t, "maelstrom-txn")))
}

func TestChallenge6b(t *testing.T) {
	t.Parallel()
	checkTxnRun(t, e2e.RunChallenge(t, "6b", e2e.Build(t, "maelstrom-txn")))
}

func TestChallenge6c(t *testing.T) {
	t.Parallel()
	checkTxnRun(t, e2e.RunChallenge(t, "6c", e2e.Build(t, "maelstrom-txn")))
}

// TestChallenge6cSlowNetwork: replication batches arrive late and out of
// order (exponential latency); transactions still never wait.
func TestChallenge6cSlowNetwork(t *testing.T) {
	t.Parallel()
	checkTxnRun(t, e2e.RunChallenge(t, "6c", e2e.Build(t, "maelstrom-txn"),
		"--latency", "100", "--latency-dist", "exponential"))
}
