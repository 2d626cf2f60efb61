package main

import (
	"encoding/json"
	"testing"

	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/report"
)

// figure decodes one of the g-counter checker's figures.
func figure[T any](t *testing.T, res *report.Results, name string) T {
	t.Helper()
	var v T
	raw, err := json.Marshal(res.Checker[name])
	if err == nil {
		err = json.Unmarshal(raw, &v)
	}
	if err != nil {
		t.Fatalf("checker figure %s = %v: %v", name, res.Checker[name], err)
	}
	return v
}

func checkCounterRun(t *testing.T, res *report.Results) {
	t.Helper()
	if !res.Valid {
		t.Fatalf("invalid: %v (checker %v)", res.Anomalies, res.Checker)
	}
	reads := figure[[]int64](t, res, "final-reads")
	definite := figure[int64](t, res, "definite-sum")
	indeterminate := figure[int64](t, res, "indeterminate-sum")
	if len(reads) != 3 {
		t.Fatalf("final reads %v, want one per node", reads)
	}
	for _, r := range reads {
		if r != reads[0] || r < definite || r > definite+indeterminate {
			t.Fatalf("final reads %v: want all equal, within [%d, %d]", reads, definite, definite+indeterminate)
		}
	}
	t.Logf("servers msgs-per-op %.2f, latency median %.1f ms, max %.1f ms, final value %d",
		res.Net.Servers.PerOp(), res.LatencyMS.Median, res.LatencyMS.Max, reads[0])
}

func TestChallenge4(t *testing.T) {
	t.Parallel()
	checkCounterRun(t, e2e.RunChallenge(t, "4", e2e.Build(t, "maelstrom-counter")))
}

// TestChallenge4SlowNetwork adds latency with reordering (exponential), so
// store replies come late and out of order.
func TestChallenge4SlowNetwork(t *testing.T) {
	t.Parallel()
	checkCounterRun(t, e2e.RunChallenge(t, "4", e2e.Build(t, "maelstrom-counter"),
		"--latency", "50", "--latency-dist", "exponential"))
}
