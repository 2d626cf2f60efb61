package pncounter_test

import (
	"slices"
	"testing"
	"time"

	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/workload/gcounter"
)

// TestSignedMaxIsCaught: the counters chapter's first counter, one signed
// total per node merged by max, loses decrements under pn-counter: peers
// keep a node's older, higher total and hand it back, so the final reads
// are above every acceptable sum.
func TestSignedMaxIsCaught(t *testing.T) {
	t.Parallel()
	out := e2e.RunQuick(t, e2e.Build(t, "internal/workload/pncounter/testdata/signed-max"), 200*time.Millisecond,
		"-w", "pn-counter", "--node-count", "3", "--rate", "50", "--time-limit", "3")
	if out.Err != nil {
		t.Fatalf("run aborted: %v\n%s", out.Err, out.Stderr)
	}
	res := out.Results
	if res.Valid || !slices.Contains(res.Anomalies, gcounter.Anomaly) {
		t.Fatalf("verdict %v, anomalies %v; want %s (checker %v)", res.Verdict, res.Anomalies, gcounter.Anomaly, res.Checker)
	}
	t.Logf("final reads %v, acceptable %v", res.Checker["final-reads"], res.Checker["acceptable"])
}

// TestSignedMaxPassesGCounter: the same node is a fine grow-only counter,
// so what the test above catches is the lost decrements.
func TestSignedMaxPassesGCounter(t *testing.T) {
	t.Parallel()
	out := e2e.RunQuick(t, e2e.Build(t, "internal/workload/pncounter/testdata/signed-max"), 200*time.Millisecond,
		"-w", "g-counter", "--node-count", "3", "--rate", "50", "--time-limit", "3")
	if out.Err != nil || !out.Results.Valid {
		t.Fatalf("err %v, verdict %v, checker %v", out.Err, out.Results.Verdict, out.Results.Checker)
	}
}
