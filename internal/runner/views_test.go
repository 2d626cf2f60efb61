package runner_test

import (
	"os"
	"path/filepath"
	"testing"

	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/view"
)

// Every finished run gets its views, drawn after results.json from the
// run's files.
func TestRunWritesViews(t *testing.T) {
	bin := e2e.Build(t, "maelstrom-echo")
	res := e2e.Run(t, bin, "-w", "echo", "--node-count", "1", "--time-limit", "1", "--rate", "20")
	if !res.Valid {
		t.Fatalf("echo run invalid: %+v", res)
	}
	for _, name := range []string{view.IndexFile, view.LamportFile, view.TimelineFile,
		view.LatencyRawFile, view.LatencyQuantilesFile, view.RateFile} {
		if fi, err := os.Stat(filepath.Join(res.Dir, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The views read what results.json says; they do not change it.
	summary, err := view.LoadSummary(res.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if summary.Verdict != view.VerdictValid || summary.Ops.Invoke != res.Ops.Invoke {
		t.Errorf("results.json after the views: verdict %s, %d invocations; the run said valid, %d",
			summary.Verdict, summary.Ops.Invoke, res.Ops.Invoke)
	}
}
