package broadcast

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/report"
)

// hb builds hand-made histories; times are in milliseconds.
type hb struct{ h history.History }

func (b *hb) add(ms int, typ history.Type, process int, f string, value any) *hb {
	b.h = append(b.h, history.Op{Time: time.Duration(ms) * time.Millisecond, Type: typ, Process: process, F: f, Value: value})
	return b
}

// bcast is a broadcast of v by process p, invoked at ms and acknowledged at ms+1.
func (b *hb) bcast(ms, p int, v int64) *hb {
	return b.add(ms, history.Invoke, p, "broadcast", v).add(ms+1, history.OK, p, "broadcast", v)
}

// read is an ok read by process p invoked at ms, completed at ms+1, seeing vs.
func (b *hb) read(ms, p int, vs ...int64) *hb {
	seen := []any{}
	for _, v := range vs {
		seen = append(seen, json.Number(itoa(v)))
	}
	return b.add(ms, history.Invoke, p, "read", nil).add(ms+1, history.OK, p, "read", seen)
}

func itoa(v int64) string { b, _ := json.Marshal(v); return string(b) }

func (b *hb) done() history.History { return b.h.Reindex() }

func fig(t *testing.T, r checker.Result, name string) any {
	t.Helper()
	v, ok := r.Figures[name]
	if !ok {
		t.Fatalf("figure %q missing from %v", name, r.Figures)
	}
	return v
}

func TestCheckValid(t *testing.T) {
	h := (&hb{}).
		bcast(0, 0, 0).
		read(10, 1, 0).
		bcast(20, 1, 1).
		read(30, 0, 0, 1).
		read(40, 1, 1, 0).
		done()
	r := Check(h)
	if r.Valid != checker.Valid || len(r.Anomalies) != 0 {
		t.Fatalf("verdict %v %v, figures %v", r.Valid, r.Anomalies, r.Figures)
	}
	want := map[string]any{
		"attempt-count": 2, "stable-count": 2, "lost-count": 0, "never-read-count": 0,
		"stale-count": 0, "duplicated-count": 0, "unexpected-count": 0,
	}
	for k, v := range want {
		if got := fig(t, r, k); got != v {
			t.Errorf("%s = %v, want %v", k, got, v)
		}
	}
	zero := map[string]int64{"0": 0, "0.5": 0, "0.95": 0, "0.99": 0, "1": 0}
	if got := fig(t, r, "stable-latencies"); !reflect.DeepEqual(got, zero) {
		t.Errorf("stable-latencies %v", got)
	}
	if got := r.Top["stable_latency_ms"]; !reflect.DeepEqual(got, zero) {
		t.Errorf("top stable_latency_ms %v", got)
	}
	if _, ok := r.Figures["lost-latencies"]; ok {
		t.Error("lost-latencies present without lost elements")
	}
}

func TestCheckLost(t *testing.T) {
	// 0 is acknowledged, seen once, then missed by every later read.
	h := (&hb{}).
		bcast(0, 0, 0).
		bcast(5, 1, 1).
		read(100, 1, 0, 1).
		read(250, 0, 1).
		read(400, 1, 1).
		done()
	r := Check(h)
	if r.Valid != checker.Invalid || !reflect.DeepEqual(r.Anomalies, []string{"lost"}) {
		t.Fatalf("verdict %v %v", r.Valid, r.Anomalies)
	}
	if got := fig(t, r, "lost"); !reflect.DeepEqual(got, []any{int64(0)}) {
		t.Errorf("lost = %v", got)
	}
	if fig(t, r, "lost-count") != 1 || fig(t, r, "stable-count") != 1 {
		t.Errorf("counts %v", r.Figures)
	}
	// lost latency: from known (ok at 1 ms) to the last present read's
	// invocation (100 ms) + 1 ns, truncated: 99 ms.
	lat := fig(t, r, "lost-latencies").(map[string]int64)
	if lat["0"] != 99 || lat["1"] != 99 {
		t.Errorf("lost-latencies %v", lat)
	}
}

func TestCheckLostNeverSeen(t *testing.T) {
	// Acknowledged but never seen by any read that began after the ack: lost,
	// with lost latency 0 (no read ever saw it).
	h := (&hb{}).bcast(0, 0, 0).bcast(10, 0, 1).read(50, 1, 1).done()
	r := Check(h)
	if r.Valid != checker.Invalid {
		t.Fatalf("verdict %v", r.Valid)
	}
	lat := fig(t, r, "lost-latencies").(map[string]int64)
	if lat["1"] != 0 {
		t.Errorf("lost-latencies %v", lat)
	}
}

func TestCheckStale(t *testing.T) {
	// 0 is acked at 1 ms, missed by reads invoked at 100 and 300 ms, then
	// seen at 500 ms: stable, with stable latency 300 ms - 1 ms = 299 ms.
	h := (&hb{}).
		bcast(0, 0, 0).
		read(100, 1).
		read(300, 2).
		read(500, 1, 0).
		read(600, 2, 0).
		done()
	r := Check(h)
	if r.Valid != checker.Valid {
		t.Fatalf("stale reads must not invalidate: %v %v", r.Valid, r.Anomalies)
	}
	if fig(t, r, "stale-count") != 1 || !reflect.DeepEqual(fig(t, r, "stale"), []any{int64(0)}) {
		t.Errorf("stale %v", r.Figures)
	}
	lat := fig(t, r, "stable-latencies").(map[string]int64)
	if lat["0.5"] != 299 || lat["1"] != 299 {
		t.Errorf("stable-latencies %v", lat)
	}
	worst := fig(t, r, "worst-stale").([]map[string]any)
	if len(worst) != 1 || worst[0]["element"] != int64(0) || worst[0]["stable-latency"] != int64(299) {
		t.Errorf("worst-stale %v", worst)
	}
	if last := worst[0]["last-absent"].(*history.Op); last.Time != 300*time.Millisecond {
		t.Errorf("last-absent %v", last)
	}
}

func TestCheckUnexpected(t *testing.T) {
	// A read returns 99, which nobody broadcast. Maelstrom ignores it, so the
	// verdict stays valid; the figure still reports it.
	h := (&hb{}).bcast(0, 0, 0).read(10, 1, 0, 99).read(20, 0, 99, 0, 42).done()
	r := Check(h)
	if r.Valid != checker.Valid {
		t.Fatalf("verdict %v %v", r.Valid, r.Anomalies)
	}
	if fig(t, r, "unexpected-count") != 2 {
		t.Errorf("unexpected-count %v", r.Figures["unexpected-count"])
	}
	if got := fig(t, r, "unexpected"); !reflect.DeepEqual(got, []any{json.Number("42"), json.Number("99")}) {
		t.Errorf("unexpected %v", got)
	}
	if fig(t, r, "attempt-count") != 1 {
		t.Errorf("unexpected values must not be attempts: %v", r.Figures)
	}
}

func TestCheckUnknown(t *testing.T) {
	tests := []struct {
		name string
		h    history.History
	}{
		{"nothing at all", nil},
		{"no reads", (&hb{}).bcast(0, 0, 0).done()},
		{"only failed reads", (&hb{}).bcast(0, 0, 0).
			add(10, history.Invoke, 1, "read", nil).add(11, history.Fail, 1, "read", nil).done()},
		{"read before the broadcast", (&hb{}).read(0, 1).bcast(10, 0, 0).done()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Check(tt.h)
			if r.Valid != checker.Unknown || len(r.Anomalies) != 0 {
				t.Fatalf("verdict %v %v", r.Valid, r.Anomalies)
			}
			if _, ok := r.Top["stable_latency_ms"]; ok {
				t.Error("stable_latency_ms without stable elements")
			}
		})
	}
}

func TestCheckNeverRead(t *testing.T) {
	// The missing read is concurrent with the broadcast (invoked before the
	// ack), so its absence means nothing: never-read, not lost.
	h := (&hb{}).
		bcast(0, 0, 1).
		add(10, history.Invoke, 0, "broadcast", int64(0)).
		add(15, history.Invoke, 1, "read", nil).
		add(16, history.OK, 1, "read", []any{json.Number("1")}).
		add(20, history.OK, 0, "broadcast", int64(0)).
		done()
	r := Check(h)
	if r.Valid != checker.Valid {
		t.Fatalf("verdict %v %v", r.Valid, r.Anomalies)
	}
	if !reflect.DeepEqual(fig(t, r, "never-read"), []any{int64(0)}) {
		t.Errorf("never-read %v", r.Figures["never-read"])
	}
}

func TestCheckIndeterminateBroadcastSeen(t *testing.T) {
	// A broadcast that timed out (info) but shows up in reads is known from
	// the first read that saw it; missing afterwards makes it lost.
	h := (&hb{}).
		add(0, history.Invoke, 0, "broadcast", int64(7)).
		add(5000, history.Info, 0, "broadcast", int64(7)).
		read(6000, 1, 7).
		read(7000, 2).
		done()
	r := Check(h)
	if r.Valid != checker.Invalid || !reflect.DeepEqual(fig(t, r, "lost"), []any{int64(7)}) {
		t.Fatalf("verdict %v, figures %v", r.Valid, r.Figures)
	}
	// An info broadcast never seen is never-read, not lost.
	h = (&hb{}).
		add(0, history.Invoke, 0, "broadcast", int64(7)).
		add(5000, history.Info, 0, "broadcast", int64(7)).
		bcast(5500, 3, 8).
		read(6000, 1, 8).
		done()
	r = Check(h)
	if r.Valid != checker.Valid || !reflect.DeepEqual(fig(t, r, "never-read"), []any{int64(7)}) {
		t.Fatalf("verdict %v, figures %v", r.Valid, r.Figures)
	}
}

func TestCheckNullReadAndTypes(t *testing.T) {
	// A read_ok with messages null saw nothing; 0.0 is not 0 (Clojure's =).
	h := (&hb{}).
		bcast(0, 0, 0).
		add(10, history.Invoke, 1, "read", nil).add(11, history.OK, 1, "read", nil).
		add(20, history.Invoke, 2, "read", nil).add(21, history.OK, 2, "read", []any{json.Number("0.0")}).
		done()
	r := Check(h)
	if r.Valid != checker.Invalid || fig(t, r, "unexpected-count") != 1 {
		t.Fatalf("verdict %v, figures %v", r.Valid, r.Figures)
	}
}

func TestCheckDuplicatesIgnored(t *testing.T) {
	// Maelstrom quirk: a value twice in one read is never reported.
	h := (&hb{}).bcast(0, 0, 0).read(10, 1, 0, 0).done()
	r := Check(h)
	if r.Valid != checker.Valid || fig(t, r, "duplicated-count") != 0 {
		t.Fatalf("verdict %v, figures %v", r.Valid, r.Figures)
	}
	if got := fig(t, r, "duplicated"); !reflect.DeepEqual(got, map[string]any{}) {
		t.Errorf("duplicated %v", got)
	}
}

func TestCheckWorstStaleOrder(t *testing.T) {
	// Ten stale elements with latencies 10..100 ms: worst-stale keeps the
	// eight largest, largest first; lists are sorted by element.
	b := &hb{}
	for v := int64(0); v < 10; v++ {
		b.bcast(0, 0, v)
	}
	for v := int64(0); v < 10; v++ {
		// a read missing only v, invoked at 1 + 10(v+1) ms
		var seen []int64
		for w := int64(0); w < 10; w++ {
			if w != v {
				seen = append(seen, w)
			}
		}
		b.read(1+10*int(v+1), 1, seen...)
	}
	all := []int64{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}
	b.read(1000, 2, all...)
	r := Check(b.done())
	worst := fig(t, r, "worst-stale").([]map[string]any)
	if len(worst) != 8 {
		t.Fatalf("%d worst-stale records", len(worst))
	}
	for i, w := range worst {
		if w["element"] != int64(9-i) {
			t.Errorf("worst-stale[%d] = %v", i, w["element"])
		}
	}
	// All ten broadcasts are acked at 1 ms (their completions come after
	// their invocations, at 1 ms each); latency of v is 10(v+1) ms.
	if got := worst[0]["stable-latency"]; got != int64(100) {
		t.Errorf("worst latency %v", got)
	}
	if got := fig(t, r, "stale"); !reflect.DeepEqual(got, []any{int64(0), int64(1), int64(2), int64(3), int64(4),
		int64(5), int64(6), int64(7), int64(8), int64(9)}) {
		t.Errorf("stale %v", got)
	}
}

func TestCheckResultsJSON(t *testing.T) {
	// Figures must encode (results.json).
	h := (&hb{}).bcast(0, 0, 0).read(100, 1).read(200, 1, 0).done()
	r := Check(h)
	if _, err := json.Marshal(r.Figures); err != nil {
		t.Fatal(err)
	}
}

// failedWith sets the last entry's error.
func (b *hb) failedWith(e any) *hb {
	b.h[len(b.h)-1].Error = e
	return b
}

// final marks the last n entries as final-phase ops on node.
func (b *hb) final(n int, node string) *hb {
	for i := len(b.h) - n; i < len(b.h); i++ {
		b.h[i].Final, b.h[i].Node = true, node
	}
	return b
}

// finalRead is an ok final read by process p on node, invoked at ms.
func (b *hb) finalRead(ms, p int, node string, vs ...int64) *hb {
	return b.read(ms, p, vs...).final(2, node)
}

// TestFinalReadMisses: the checker names each final read that lacks known
// values (acknowledged, or seen by some read), by node, and each final read
// that did not complete ok; the verdict and figures stay set-full's.
func TestFinalReadMisses(t *testing.T) {
	many := &hb{}
	for v := int64(0); v < 12; v++ {
		many.bcast(int(v)*2, 0, v)
	}
	cases := []struct {
		name  string
		h     history.History
		valid checker.Validity
		want  []string
	}{
		{"every final read complete", (&hb{}).bcast(0, 0, 0).bcast(2, 1, 1).
			finalRead(10, 0, "n0", 0, 1).finalRead(12, 1, "n1", 1, 0).done(), checker.Valid, nil},
		{"n1 lacks a value the later n0 read has", (&hb{}).bcast(0, 0, 0).bcast(2, 1, 1).
			finalRead(10, 1, "n1", 1).finalRead(12, 0, "n0", 0, 1).done(), checker.Valid,
			[]string{"n1's final read lacks 1 of 2 values: 0"}},
		{"lost values, listed in order and clipped", many.finalRead(100, 1, "n1").done(), checker.Invalid,
			[]string{"n1's final read lacks 12 of 12 values: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ..."}},
		{"a value only a read saw is known", (&hb{}).
			add(0, history.Invoke, 0, "broadcast", int64(5)).add(1, history.Info, 0, "broadcast", int64(5)).
			read(2, 2, 5).finalRead(10, 1, "n1").done(), checker.Invalid,
			[]string{"n1's final read lacks 1 of 1 values: 5"}},
		{"an unacknowledged, unseen value is not expected", (&hb{}).bcast(0, 0, 0).
			add(2, history.Invoke, 0, "broadcast", int64(1)).add(3, history.Info, 0, "broadcast", int64(1)).
			finalRead(10, 1, "n1", 0).done(), checker.Valid, nil},
		{"failed and unfinished final reads", (&hb{}).bcast(0, 0, 0).
			add(10, history.Invoke, 1, "read", nil).add(11, history.Fail, 1, "read", nil).failedWith("net-timeout").final(2, "n1").
			add(12, history.Invoke, 2, "read", nil).final(1, "n2").
			finalRead(13, 0, "n0", 0).done(), checker.Valid,
			[]string{"n1's final read failed: net-timeout", "n2's final read never completed"}},
		{"two final reads on one node", (&hb{}).bcast(0, 0, 0).
			finalRead(10, 0, "n0", 0).finalRead(12, 2, "n0").done(), checker.Invalid,
			[]string{"n0's final read (process 2) lacks 1 of 1 values: 0"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Check(c.h)
			if r.Valid != c.valid {
				t.Fatalf("verdict %v, want %v (%v)", r.Valid, c.valid, r.Figures)
			}
			got, _ := r.Top[report.FinalReadMissesKey].([]string)
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("final read misses %q, want %q", got, c.want)
			}
			if _, ok := r.Figures[report.FinalReadMissesKey]; ok {
				t.Fatal("the misses must not be a set-full figure")
			}
		})
	}
}
