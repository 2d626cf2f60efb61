package challengesbench

import (
	"errors"
	"strings"
	"testing"
	"time"

	"gossip-glomers/internal/challenge"
	"gossip-glomers/internal/cli"
	"gossip-glomers/internal/report"
)

// The comparison counts each distinct outcome and gives each figure's
// range over the runs of a mode.
func TestRender(t *testing.T) {
	c1, _ := challenge.Lookup("1")
	row := func(valid bool, ops int, median float64) cli.Row {
		return cli.Row{Challenge: c1, Results: &report.Results{Valid: valid, Ops: report.OpCounts{Invoke: ops},
			LatencyMS: report.Quantiles{Median: median, P99: 2, Max: 3}}}
	}
	tables := []Table{
		{Parallel: 1, Index: 1, Elapsed: 90 * time.Second, Load: "1.0", Rows: []cli.Row{row(true, 40, 0.5)}},
		{Parallel: 10, Index: 1, Elapsed: 30 * time.Second, Load: "2.0", Rows: []cli.Row{row(true, 42, 0.7)}},
		{Parallel: 1, Index: 2, Elapsed: 91 * time.Second, Load: "1.5", Rows: []cli.Row{row(true, 44, 0.5)}},
		{Parallel: 10, Index: 2, Elapsed: 31 * time.Second, Load: "2.5", Rows: []cli.Row{{Challenge: c1, Err: errors.New("boom")}}},
	}
	got := Render(tables)
	for _, want := range []string{
		"| one by one (--parallel 1) | 2 | 1m30s, 1m31s | 1.0, 1.5 |",
		"| concurrent (--parallel 10) | 2 | 30s, 31s | 2.0, 2.5 |",
		"| 1 | one by one (--parallel 1) | yes ×2 |  | 40–44 |  | 0.5 | 2.0 | 3.0 |  |",
		"| 1 | concurrent (--parallel 10) | yes ×1, aborted ×1 |  | 42 |  | 0.7 | 2.0 | 3.0 |  |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no line %q in\n%s", want, got)
		}
	}
}
