package gset_test

import (
	"slices"
	"testing"
	"time"

	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/report"
)

// TestLocalOnlyIsCaught: nodes that never share their elements lose them:
// the last final read misses every element added on another node, and the
// results say which final reads lack what.
func TestLocalOnlyIsCaught(t *testing.T) {
	t.Parallel()
	out := e2e.RunQuick(t, e2e.Build(t, "internal/workload/gset/testdata/local-only"), 200*time.Millisecond,
		"-w", "g-set", "--node-count", "3", "--rate", "30", "--time-limit", "3")
	if out.Err != nil {
		t.Fatalf("run aborted: %v\n%s", out.Err, out.Stderr)
	}
	res := out.Results
	if res.Valid || !slices.Contains(res.Anomalies, "lost") {
		t.Fatalf("verdict %v, anomalies %v; want lost elements (checker %v)", res.Verdict, res.Anomalies, res.Checker)
	}
	if misses, _ := res.Extra[report.FinalReadMissesKey].([]string); len(misses) == 0 {
		t.Errorf("no final read misses named:\n%s", out.Stdout)
	}
	t.Logf("lost-count %v of %v attempts", res.Checker["lost-count"], res.Checker["attempt-count"])
}

// TestLocalOnlyPassesOnOneNode: on a single node there is nobody to tell,
// so what the test above catches is the missing replication.
func TestLocalOnlyPassesOnOneNode(t *testing.T) {
	t.Parallel()
	out := e2e.RunQuick(t, e2e.Build(t, "internal/workload/gset/testdata/local-only"), 200*time.Millisecond,
		"-w", "g-set", "--node-count", "1", "--rate", "30", "--time-limit", "2")
	if out.Err != nil || !out.Results.Valid {
		t.Fatalf("err %v, results %+v", out.Err, out.Results)
	}
}
