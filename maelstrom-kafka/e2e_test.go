package main

import (
	"testing"

	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/report"
)

func checkKafkaRun(t *testing.T, res *report.Results) {
	t.Helper()
	if !res.Valid {
		t.Fatalf("invalid: %v\nchecker: %v", res.Anomalies, res.Checker)
	}
	t.Logf("ops %+v, servers msgs-per-op %.2f, latency median %.1f ms, p99 %.1f ms, max %.1f ms",
		res.Ops, res.Net.Servers.PerOp(), res.LatencyMS.Median, res.LatencyMS.P99, res.LatencyMS.Max)
}

func TestChallenge5a(t *testing.T) {
	t.Parallel()
	checkKafkaRun(t, e2e.RunChallenge(t, "5a", e2e.Build(t, "maelstrom-kafka")))
}

func TestChallenge5b(t *testing.T) {
	t.Parallel()
	checkKafkaRun(t, e2e.RunChallenge(t, "5b", e2e.Build(t, "maelstrom-kafka")))
}

func TestChallenge5c(t *testing.T) {
	t.Parallel()
	checkKafkaRun(t, e2e.RunChallenge(t, "5c", e2e.Build(t, "maelstrom-kafka")))
}

// TestChallenge5bPartition adds Maelstrom's partition nemesis to 5b.
func TestChallenge5bPartition(t *testing.T) {
	t.Parallel()
	checkKafkaRun(t, e2e.RunChallenge(t, "5b", e2e.Build(t, "maelstrom-kafka"), "--nemesis", "partition"))
}
