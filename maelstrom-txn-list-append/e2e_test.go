package main

import (
	"testing"

	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/report"
)

// checkRun wants a strict-serializable history in which every transaction
// committed: lin-kv, where the log lives, is never partitioned, so no node
// ever has to refuse one.
func checkRun(t *testing.T, res *report.Results) {
	t.Helper()
	if !res.Valid {
		t.Fatalf("invalid: %v (checker %v)", res.Anomalies, res.Checker["anomalies"])
	}
	if res.Ops.OK == 0 || res.Ops.Info+res.Ops.Fail > 0 {
		t.Fatalf("ops %+v: every txn must commit", res.Ops)
	}
	t.Logf("%d txns, servers msgs-per-op %.2f, latency median %.1f ms, p99 %.1f ms, max %.1f ms",
		res.Ops.OK, res.Net.Servers.PerOp(), res.LatencyMS.Median, res.LatencyMS.P99, res.LatencyMS.Max)
}

// The tutorial's command line (doc/05-datomic): two nodes, rate 100,
// strict-serializable.
func TestTutorial(t *testing.T) {
	t.Parallel()
	checkRun(t, e2e.RunChallenge(t, "txn-list-append", e2e.Build(t, "maelstrom-txn-list-append")))
}

// Partitions between the nodes change nothing: they never talk to each
// other.
func TestPartitions(t *testing.T) {
	t.Parallel()
	checkRun(t, e2e.RunChallenge(t, "txn-list-append", e2e.Build(t, "maelstrom-txn-list-append"),
		"--nemesis", "partition", "--nemesis-interval", "2"))
}

// With 100 ms of exponential latency every lin-kv request takes about
// 200 ms, and three nodes contend for each slot: a node may lose several in
// a row, so a transaction can outlast the client's timeout (info). The
// history must stay strict serializable.
func TestSlowNetwork(t *testing.T) {
	t.Parallel()
	res := e2e.RunChallenge(t, "txn-list-append", e2e.Build(t, "maelstrom-txn-list-append"),
		"--node-count", "3", "--concurrency", "4n", "--latency", "100", "--latency-dist", "exponential")
	if !res.Valid || res.Ops.OK == 0 {
		t.Fatalf("valid %v, ops %+v: %v (checker %v)", res.Valid, res.Ops, res.Anomalies, res.Checker["anomalies"])
	}
	t.Logf("ops %+v, servers msgs-per-op %.2f, latency median %.1f ms, max %.1f ms",
		res.Ops, res.Net.Servers.PerOp(), res.LatencyMS.Median, res.LatencyMS.Max)
}
