package main

import (
	"testing"

	"gossip-glomers/internal/challenge"
	"gossip-glomers/internal/cli"
	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/report"
)

// TestChallenges runs 3a-3e with their official parameters (shorter time
// limits under -short) and requires a valid verdict. The 3d/3e efficiency
// targets are logged, not asserted: speed belongs to the benchmark
// (glomers bench-broadcast), not to a timed test on a shared machine.
func TestChallenges(t *testing.T) {
	bin := e2e.Build(t, "maelstrom-broadcast")
	for _, id := range []string{"3a", "3b", "3c", "3d", "3e"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			res := e2e.RunChallenge(t, id, bin)
			requireValid(t, res)
			c, _ := challenge.Lookup(id)
			logFigures(t, c, res)
		})
	}
}

// TestEfficientUnderPartitions: 3d/3e's parameters with partitions added
// must lose nothing.
func TestEfficientUnderPartitions(t *testing.T) {
	t.Parallel()
	res := e2e.RunChallenge(t, "3e", e2e.Build(t, "maelstrom-broadcast"), "--nemesis", "partition")
	requireValid(t, res)
	c, _ := challenge.Lookup("3e")
	logFigures(t, c, res)
}

func requireValid(t *testing.T, res *report.Results) {
	t.Helper()
	if !res.Valid {
		t.Fatalf("verdict %v, anomalies %v, checker %v", res.Verdict, res.Anomalies, res.Checker)
	}
	if res.Ops.OK == 0 {
		t.Fatalf("no ok operations: %+v", res.Ops)
	}
}

func logFigures(t *testing.T, c challenge.Challenge, res *report.Results) {
	t.Helper()
	med, max, _ := cli.StableLatency(res)
	t.Logf("%s: servers msgs-per-op %.2f, stable latency median %.0f ms, max %.0f ms", c.ID,
		res.Net.Servers.PerOp(), med, max)
	if c.Targets.Any() {
		met, detail := cli.TargetsMet(c, res)
		t.Logf("%s targets met: %v (%s)", c.ID, met, detail)
	}
}
