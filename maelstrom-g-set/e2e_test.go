package main

import (
	"encoding/json"
	"testing"

	"gossip-glomers/internal/cli"
	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/report"
)

// TestTutorial runs the g-set chapter's partition run (a shorter time limit
// under -short): nothing lost, and every final read holds every element.
func TestTutorial(t *testing.T) {
	t.Parallel()
	checkRun(t, e2e.RunChallenge(t, "g-set", e2e.Build(t, "maelstrom-g-set")))
}

// TestSlowNetwork adds latency with reordering (exponential), so gossip and
// its replies cross and arrive out of order.
func TestSlowNetwork(t *testing.T) {
	t.Parallel()
	checkRun(t, e2e.RunChallenge(t, "g-set", e2e.Build(t, "maelstrom-g-set"),
		"--latency", "100", "--latency-dist", "exponential"))
}

// figure decodes one of the set-full checker's figures.
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
	if lost, neverRead := figure[int](t, res, "lost-count"), figure[int](t, res, "never-read-count"); lost+neverRead > 0 {
		t.Fatalf("%d lost, %d never read: %v", lost, neverRead, res.Checker)
	}
	if misses := res.Extra[report.FinalReadMissesKey]; misses != nil {
		t.Fatalf("final reads miss elements: %v", misses)
	}
	med, max, _ := cli.StableLatency(res)
	t.Logf("servers msgs-per-op %.2f, stable latency median %.0f ms, max %.0f ms, %v elements",
		res.Net.Servers.PerOp(), med, max, res.Checker["attempt-count"])
}
