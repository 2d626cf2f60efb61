package kafkabench

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLatencies(t *testing.T) {
	lines := `{"index":0,"time":0,"type":"invoke","f":"start-partition","process":"nemesis"}
{"index":1,"time":1000000,"type":"invoke","f":"send","process":0}
{"index":2,"time":1500000,"type":"invoke","f":"poll","process":1}
{"index":3,"time":3000000,"type":"ok","f":"send","process":0}
{"index":4,"time":4500000,"type":"ok","f":"poll","process":1}
{"index":5,"time":5000000,"type":"invoke","f":"send","process":0}
{"index":6,"time":9000000,"type":"info","f":"send","process":0}
{"index":7,"time":9000000,"type":"invoke","f":"send","process":4}
{"index":8,"time":10000000,"type":"ok","f":"send","process":4}
`
	path := filepath.Join(t.TempDir(), "history.jsonl")
	if err := os.WriteFile(path, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := HistoryLatencies(path)
	if err != nil {
		t.Fatal(err)
	}
	// send: 2 ms and 1 ms (the info one is not counted); poll: 3 ms.
	if s := got["send"]; s.N != 2 || s.Median != 2 || s.Max != 2 || s.P99 != 2 {
		t.Fatalf("send %+v", s)
	}
	if p := got["poll"]; p.N != 1 || p.Median != 3 {
		t.Fatalf("poll %+v", p)
	}
}

func TestQuantiles(t *testing.T) {
	var ms []float64
	for i := 1; i <= 100; i++ {
		ms = append(ms, float64(101-i))
	}
	q := quantiles(ms)
	if q.N != 100 || q.Median != 51 || q.P99 != 100 || q.Max != 100 {
		t.Fatalf("%+v", q)
	}
}

func TestTable(t *testing.T) {
	rows := []Row{
		{Name: "maelstrom-kafka", Valid: true, Verdict: "valid", Ops: 20000, MsgsPerOp: 0.05, Lag: 0.0912,
			Send: Quantiles{N: 9000, Median: 0.5, P99: 2, Max: 20}, Poll: Quantiles{N: 9000, Median: 0.3, P99: 1, Max: 9}},
		{Name: "previous", Valid: true, Verdict: "valid", Ops: 19000, MsgsPerOp: 1,
			Send: Quantiles{N: 9000, Median: 0.8, P99: 2, Max: 20}},
		{Name: "baseline", Valid: true, Verdict: "valid", Ops: 15000, MsgsPerOp: 6,
			Send: Quantiles{N: 7000, Median: 3, P99: 9, Max: 40}},
	}
	tab := Table(rows)
	for _, want := range []string{
		"| maelstrom-kafka | valid | 20000 | 0.05 | 0.50 / 2.00 / 20.00 | 0.30 / 1.00 / 9.00 | 0.091 |",
		"| previous | valid | 19000 | 1.00 | 0.80 / 2.00 / 20.00 | - | 0.000 |",
		"| baseline | valid | 15000 | 6.00 | 3.00 / 9.00 / 40.00 | - | 0.000 |",
		"servers msgs-per-op 0.05 (target <= 0.1)", "send median 0.50 ms and poll median 0.30 ms (target < 1 ms)",
		"servers msgs-per-op: 120x"} {
		if !strings.Contains(tab, want) {
			t.Fatalf("table lacks %q:\n%s", want, tab)
		}
	}
	rows[2].Err = errors.New("boom\nmore")
	if tab := Table(rows); !strings.Contains(tab, "error: boom |") || strings.Contains(tab, "(target") {
		t.Fatalf("error row:\n%s", tab)
	}
}

func TestWorstLag(t *testing.T) {
	cases := []struct {
		figures map[string]any
		want    float64
	}{
		{map[string]any{"worst-realtime-lag": map[string]any{"lag": 0.25, "key": "3"}}, 0.25},
		{map[string]any{"worst-realtime-lag": map[string]any{"lag": json.Number("1.5")}}, 1.5},
		{map[string]any{"worst-realtime-lag": "odd"}, 0},
		{nil, 0},
	}
	for _, c := range cases {
		if got := worstLag(c.figures); got != c.want {
			t.Errorf("worstLag(%v) = %v, want %v", c.figures, got, c.want)
		}
	}
}

func TestArgs(t *testing.T) {
	args := strings.Join(Args(Config{TimeLimit: 7, Extra: []string{"--latency", "5"}}, "/b", "/s", 42), " ")
	want := "--bin /b -w kafka --node-count 2 --concurrency 2n --time-limit 20 --rate 1000 --time-limit 7 --store /s --seed 42 --latency 5"
	if args != want {
		t.Fatalf("args %q\nwant %q", args, want)
	}
}

// TestRun runs the benchmark end to end with short runs.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three kafka tests")
	}
	rows, err := Run(context.Background(), Config{TimeLimit: 3, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		if r.Err != nil || !r.Valid || r.Send.N == 0 || r.Poll.N == 0 {
			b, _ := json.Marshal(r)
			t.Fatalf("row %s (error: %v)", b, r.Err)
		}
	}
	for _, r := range rows[1:] {
		if r.MsgsPerOp <= rows[0].MsgsPerOp {
			t.Fatalf("%s used no more messages per op than maelstrom-kafka:\n%s", r.Name, Table(rows))
		}
	}
	t.Log("\n" + Table(rows))
}
