package counterbench

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gossip-glomers/internal/report"
)

func TestArgs(t *testing.T) {
	cfg := Config{TimeLimit: 7, Extra: []string{"--concurrency", "4n"}}
	cases := []struct {
		binFlags []string
		want     string
	}{
		{nil, "--bin /b -w g-counter --node-count 3 --rate 100 --time-limit 20 --nemesis partition --time-limit 7 --store /s --concurrency 4n"},
		{[]string{"-commit-gap", "50ms"}, "--bin /b -w g-counter --node-count 3 --rate 100 --time-limit 20 --nemesis partition --time-limit 7 --store /s --concurrency 4n -- -commit-gap 50ms"},
	}
	for _, c := range cases {
		if got := strings.Join(Args(cfg, "/b", "/s", c.binFlags), " "); got != c.want {
			t.Errorf("args %q\nwant %q", got, c.want)
		}
	}
}

func TestFill(t *testing.T) {
	msgs := 0.5
	res := &report.Results{Valid: true, Ops: report.OpCounts{Invoke: 100},
		Net:        &report.NetStats{Servers: report.NetGroup{MsgsPerOp: &msgs}},
		LatencyByF: map[string]report.Quantiles{"add": {Median: 1.5, P99: 3, Max: 4}},
		Checker:    map[string]any{"final-reads": []any{int64(9), int64(9), int64(9)}}}
	var r Row
	r.fill(res)
	if r.Err != nil || r.Ops != 100 || r.MsgsPerOp != 0.5 || r.Add.Median != 1.5 || !r.Valid || !r.ReadsAgree || r.FinalValue != 9 {
		t.Fatalf("row %+v", r)
	}
	res.Checker["final-reads"] = []any{int64(9), int64(8), int64(9)}
	if r.fill(res); r.ReadsAgree {
		t.Fatal("final reads 9, 8, 9 agree?")
	}
	res.Checker["final-reads"] = "odd"
	if r.fill(res); r.Err == nil {
		t.Fatal("a malformed final-reads figure went unnoticed")
	}
}

func TestTable(t *testing.T) {
	rows := []Row{
		{Label: DefaultSetting, Ops: 2000, MsgsPerOp: 0.56, Add: report.Quantiles{Median: 1.2, P99: 9.5, Max: 20}, Valid: true, ReadsAgree: true, FinalValue: 1300},
		{Label: "100ms", Err: errors.New("boom\nmore")},
	}
	tab := Table(rows)
	for _, want := range []string{
		"| default (no flags) | 2000 | 0.56 | 1.2 / 9.5 / 20.0 | yes | yes (1300) |",
		"| 100ms | - | - | - | error: boom | - |",
	} {
		if !strings.Contains(tab, want) {
			t.Fatalf("table lacks %q:\n%s", want, tab)
		}
	}
}

// TestRun runs a short sweep end to end.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two g-counter tests")
	}
	rows, err := Run(context.Background(), Config{Gaps: []time.Duration{100 * time.Millisecond}, TimeLimit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		if r.Err != nil || !r.Valid || !r.ReadsAgree || r.Ops == 0 {
			t.Fatalf("row %+v", r)
		}
	}
	t.Log("\n" + Table(rows))
}
