package runner

import (
	"testing"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/network"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/workload"
)

func TestLatencies(t *testing.T) {
	var h history.History
	add := func(process int, f string, typ history.Type, start, end time.Duration) {
		h = append(h, history.Op{Type: history.Invoke, Process: process, F: f, Time: start},
			history.Op{Type: typ, Process: process, F: f, Time: end})
	}
	for i := 1; i <= 10; i++ { // reads of 1..10 ms
		add(0, "read", history.OK, 0, time.Duration(i)*time.Millisecond)
	}
	add(1, "write", history.OK, 0, 50*time.Millisecond)
	add(1, "write", history.Info, 0, 5*time.Second) // not ok: not counted
	all, byF := latencies(h.Reindex())
	if want := (report.Quantiles{Min: 1, Median: 6, P95: 50, P99: 50, Max: 50}); all != want { // 11 values: index floor(11*0.95) = 10
		t.Errorf("overall %+v, want %+v", all, want)
	}
	if want := (report.Quantiles{Min: 1, Median: 6, P95: 10, P99: 10, Max: 10}); byF["read"] != want {
		t.Errorf("read %+v, want %+v", byF["read"], want)
	}
	if byF["write"].Max != 50 || byF["write"].Min != 50 {
		t.Errorf("write %+v: the info write must not count", byF["write"])
	}
	if q := quantiles(nil); q != (report.Quantiles{}) {
		t.Errorf("no ops: %+v", q)
	}
}

// TestWholeResultUnknown: a workload check that fails like a Jepsen checker
// throwing a java.lang.Error (Elle's key-type assertion) makes Maelstrom's
// whole result unknown, even where another check (here availability) fails.
func TestWholeResultUnknown(t *testing.T) {
	h := history.History{
		{Type: history.Invoke, Process: 0, F: "txn"},
		{Type: history.Fail, Process: 0, F: "txn", Error: "net-timeout"},
	}.Reindex()
	for _, whole := range []bool{false, true} {
		cfg := &Config{Workload: &workload.Workload{Name: "fake",
			Check: func(*workload.Params, history.History) checker.Result {
				return checker.Result{Valid: checker.Unknown, WholeResultUnknown: whole}
			}}}
		cfg.Availability = "total"
		res := analyse(cfg, h, &network.Stats{}, 1)
		want := checker.Invalid // availability fails: invalid wins over unknown
		if whole {
			want = checker.Unknown
		}
		if res.Verdict != want || res.Valid {
			t.Errorf("whole=%v: verdict %v (valid %v), want %v", whole, res.Verdict, res.Valid, want)
		}
	}
}
