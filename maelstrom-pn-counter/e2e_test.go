package main

import (
	"encoding/json"
	"testing"

	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/report"
)

// TestTutorial runs the counters chapter's pn-counter partition run (a
// shorter time limit under -short): every final read is the exact sum.
func TestTutorial(t *testing.T) {
	t.Parallel()
	checkRun(t, e2e.RunChallenge(t, "pn-counter", e2e.Build(t, "maelstrom-pn-counter")))
}

// TestSlowNetwork adds latency with reordering (exponential), so gossip and
// its replies cross and arrive out of order.
func TestSlowNetwork(t *testing.T) {
	t.Parallel()
	checkRun(t, e2e.RunChallenge(t, "pn-counter", e2e.Build(t, "maelstrom-pn-counter"),
		"--latency", "100", "--latency-dist", "exponential"))
}

// figure decodes one of the counter checker's figures.
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

func checkRun(t *testing.T, res *report.Results) {
	t.Helper()
	if !res.Valid {
		t.Fatalf("verdict %v, anomalies %v, checker %v", res.Verdict, res.Anomalies, res.Checker)
	}
	reads, definite := figure[[]int64](t, res, "final-reads"), figure[int64](t, res, "definite-sum")
	if len(reads) != res.NodeCount {
		t.Fatalf("final reads %v, want one per node", reads)
	}
	for _, r := range reads {
		if r != definite {
			t.Fatalf("final reads %v, want all %d (every add acknowledged)", reads, definite)
		}
	}
	t.Logf("servers msgs-per-op %.2f, final value %d", res.Net.Servers.PerOp(), definite)
}
