package linkv_test

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/runner"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload/linkv"
)

// assertCaught checks that a run is invalid for a key that is not
// linearizable, named with its drawing.
func assertCaught(t *testing.T, res *report.Results) {
	t.Helper()
	if res.Valid || !slices.Contains(res.Anomalies, linkv.AnomalyNotLinearizable) {
		t.Fatalf("valid %v, anomalies %v: a broken node passed", res.Valid, res.Anomalies)
	}
	lines, _ := res.Extra[linkv.NotLinearizableKey].([]string)
	pictures, _ := res.Extra[linkv.VisualisationsKey].(linkv.Visualisations)
	if len(lines) == 0 || len(pictures) == 0 {
		t.Fatalf("no summary lines (%v) or drawings (%d)", lines, len(pictures))
	}
	for path, page := range pictures {
		if !strings.HasPrefix(path, "independent/") || !strings.Contains(string(page), "<html") {
			t.Errorf("drawing %s is no porcupine page", path)
		}
	}
	t.Logf("%s", strings.Join(lines, "\n"))
}

// TestStaleReadsAreCaught: nodes that serve reads from a local cache miss
// each other's writes.
func TestStaleReadsAreCaught(t *testing.T) {
	t.Parallel()
	res := e2e.Run(t, e2e.Build(t, "internal/workload/linkv/testdata/stale-read"),
		"-w", "lin-kv", "--node-count", "3", "--concurrency", "2n", "--rate", "50", "--time-limit", "5")
	assertCaught(t, res)
}

// TestRacyCASIsCaught: a cas done as read, compare, write lets two cas from
// the same value both succeed.
func TestRacyCASIsCaught(t *testing.T) {
	t.Parallel()
	res := e2e.Run(t, e2e.Build(t, "internal/workload/linkv/testdata/racy-cas"),
		"-w", "lin-kv", "--node-count", "2", "--concurrency", "2n", "--rate", "100", "--time-limit", "5")
	assertCaught(t, res)
	if a, b, ok := doubleCAS(t, filepath.Join(res.Dir, "history.jsonl")); ok {
		t.Logf("two overlapping cas from the same value both succeeded: ops %d and %d", a, b)
	}
}

// doubleCAS finds two ok cas of one key from the same value whose
// intervals overlap, the race the node has.
func doubleCAS(t *testing.T, path string) (int, int, bool) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type span struct {
		start, end int
		key, from  string
	}
	open := map[int]int{}
	var spans []span
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for i := 0; sc.Scan(); i++ {
		var op history.Op
		if err := wire.Decode(sc.Bytes(), &op); err != nil || op.F != "cas" {
			continue
		}
		if op.Type == history.Invoke {
			open[op.Process] = i
			continue
		}
		if op.Type == history.OK {
			v := op.Value.([]any)
			spans = append(spans, span{open[op.Process], i, wire.Key(v[0]), wire.Key(v[1].([]any)[0])})
		}
	}
	for i, a := range spans {
		for _, b := range spans[i+1:] {
			if a.key == b.key && a.from == b.from && b.start < a.end {
				return a.end, b.end, true
			}
		}
	}
	return 0, 0, false
}

// TestConcurrencyMustBeAMultipleOf2N: with the default concurrency (1n)
// Maelstrom's generator fails its assertion and the test aborts; so it
// does here, with that message.
func TestConcurrencyMustBeAMultipleOf2N(t *testing.T) {
	t.Parallel()
	bin := e2e.Build(t, "maelstrom-lin-kv")
	for _, tt := range []struct{ concurrency, want string }{
		{"1n", "Consider raising your test's :concurrency to at least 6"},
		{"9", "Consider raising or lowering the test's :concurrency to a multiple of 6"},
	} {
		_, err := e2e.Try(t, bin, "-w", "lin-kv", "--node-count", "3", "--concurrency", tt.concurrency, "--time-limit", "1")
		if !errors.Is(err, runner.ErrAborted) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("--concurrency %s: %v, want an abort saying %q", tt.concurrency, err, tt.want)
		}
	}
}
