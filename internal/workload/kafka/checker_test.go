package kafka

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
)

// hb builds hand-made histories: every call appends entries 1 ms apart.
type hb struct {
	h history.History
	t time.Duration
}

func (b *hb) add(op history.Op) *hb {
	b.t += time.Millisecond
	op.Time = b.t
	b.h = append(b.h, op)
	return b
}

func (b *hb) inv(p int, f string, v any) *hb {
	return b.add(history.Op{Type: history.Invoke, Process: p, F: f, Value: v})
}

func (b *hb) done(p int, typ history.Type, f string, v any) *hb {
	return b.add(history.Op{Type: typ, Process: p, F: f, Value: v})
}

func sendInv(k string, msg int) any { return []any{[]any{"send", k, msg}} }

func sendOK(k string, off, msg int) any { return []any{[]any{"send", k, []any{off, msg}}} }

var pollInv = []any{[]any{"poll"}}

// pollOK builds [["poll", {k: [[off, msg], ...]}]] from k, off, msg, off, msg, ...
func pollOK(kvs ...any) any {
	msgs := map[string]any{}
	var k string
	var pairs []any
	flush := func() {
		if k != "" {
			msgs[k] = pairs
		}
	}
	for i := 0; i < len(kvs); {
		if s, ok := kvs[i].(string); ok {
			flush()
			k, pairs = s, []any{}
			i++
			continue
		}
		pairs = append(pairs, []any{kvs[i], kvs[i+1]})
		i += 2
	}
	flush()
	return []any{[]any{"poll", msgs}}
}

// send records a complete ok send by process p.
func (b *hb) send(p int, k string, off, msg int) *hb {
	return b.inv(p, "send", sendInv(k, msg)).done(p, history.OK, "send", sendOK(k, off, msg))
}

// poll records a complete ok poll by process p.
func (b *hb) poll(p int, kvs ...any) *hb {
	return b.inv(p, "poll", pollInv).done(p, history.OK, "poll", pollOK(kvs...))
}

func (b *hb) assign(p int, keys ...string) *hb {
	v := []any{}
	for _, k := range keys {
		v = append(v, k)
	}
	return b.inv(p, "assign", v).done(p, history.OK, "assign", v)
}

func (b *hb) history() history.History { return b.h.Reindex() }

func errorTypes(r checker.Result) []string {
	ts, _ := r.Figures["error-types"].([]string)
	return ts
}

func count(t *testing.T, r checker.Result, typ string) int {
	t.Helper()
	e, ok := r.Figures[typ].(map[string]any)
	if !ok {
		t.Fatalf("no %s in figures: %v", typ, errorTypes(r))
	}
	return e["count"].(int)
}

// base is a valid history: two keys, two processes, every message polled
// in order, commits implied.
func base() *hb {
	b := &hb{}
	b.send(0, "1", 0, 1)
	b.send(1, "1", 1, 2)
	b.send(0, "2", 0, 1)
	b.poll(1, "1", 0, 1, 1, 2, "2", 0, 1)
	b.send(1, "1", 2, 3)
	b.poll(1, "1", 2, 3)
	b.poll(0, "2", 0, 1, "1", 0, 1, 1, 2, 2, 3)
	return b
}

func TestValidHistories(t *testing.T) {
	sparse := &hb{} // offsets may be sparse
	sparse.send(0, "a", 10, 1).send(0, "a", 20, 2).poll(1, "a", 10, 1, 20, 2).poll(1)

	infoSend := base()
	infoSend.inv(0, "send", sendInv("3", 9)).done(0, history.Info, "send", sendInv("3", 9))
	infoSend.send(4, "3", 0, 10).poll(4, "3", 0, 10)

	failSend := base()
	failSend.inv(0, "send", sendInv("3", 9)).done(0, history.Fail, "send", sendInv("3", 9))
	failSend.send(0, "3", 0, 10).poll(0, "3", 0, 10)

	assigned := base()
	// A new assignment may start over: tracking of "1" is dropped.
	assigned.assign(1, "2").assign(1, "1").poll(1, "1", 0, 1)

	emptyReset := base()
	// An empty list resets the poll-skip tracking of a key: starting over
	// from 0 after it is no repeat.
	emptyReset.send(0, "1", 3, 4)
	emptyReset.poll(1, "1").poll(1, "1", 0, 1, 1, 2, 2, 3, 3, 4)

	for name, b := range map[string]*hb{"base": base(), "sparse": sparse, "info send": infoSend,
		"failed send": failSend, "assign": assigned, "empty list": emptyReset} {
		t.Run(name, func(t *testing.T) {
			r := Check(b.history())
			if r.Valid != checker.Valid {
				t.Fatalf("valid history judged %v: %v\n%v", r.Valid, r.Anomalies, r.Figures)
			}
			if len(errorTypes(r)) != 0 || len(r.Anomalies) != 0 {
				t.Fatalf("errors in a valid history: %v", errorTypes(r))
			}
		})
	}
}

func TestAnomalies(t *testing.T) {
	cases := []struct {
		name  string
		build func() *hb
		want  string
		count int
	}{
		{"inconsistent offsets", func() *hb {
			b := base()
			return b.send(0, "1", 3, 7).send(1, "1", 3, 8).poll(0, "1", 3, 7).poll(1, "1", 3, 8)
		}, "inconsistent-offsets", 1},
		{"duplicate", func() *hb {
			b := base()
			return b.send(0, "1", 3, 9).poll(0, "1", 3, 9, 4, 9)
		}, "duplicate", 1},
		{"lost write", func() *hb {
			b := base()
			// 4 at offset 3 was acknowledged; 5 at offset 4 was polled, 4 never.
			return b.send(0, "1", 3, 4).send(0, "1", 4, 5).poll(2, "1", 4, 5)
		}, "lost-write", 1},
		{"lost writes after an info send", func() *hb {
			b := base()
			// 4's send was info, but a poll saw it at offset 3; 5 and 6 were
			// acknowledged at 4 and 5 and never polled, though 7 at 6 was.
			b.inv(0, "send", sendInv("1", 4)).done(0, history.Info, "send", sendInv("1", 4))
			b.send(5, "1", 4, 5).send(5, "1", 5, 6).send(5, "1", 6, 7)
			return b.poll(6, "1", 3, 4).poll(7, "1", 6, 7)
		}, "lost-write", 2},
		{"aborted read", func() *hb {
			b := base()
			b.inv(0, "send", sendInv("1", 4)).done(0, history.Fail, "send", sendInv("1", 4))
			return b.poll(1, "1", 3, 4)
		}, "G1a", 1},
		{"internal poll skip", func() *hb {
			b := base()
			return b.send(0, "1", 3, 4).send(0, "1", 4, 5).poll(2, "1", 2, 3, 4, 5).poll(3, "1", 3, 4)
		}, "int-poll-skip", 1},
		{"internal nonmonotonic poll", func() *hb {
			b := base()
			return b.poll(2, "1", 1, 2, 0, 1)
		}, "int-nonmonotonic-poll", 1},
		{"poll skip", func() *hb {
			b := base()
			// Process 1 last saw 3 (index 2); 4 exists at index 3; it jumps to 5.
			b.send(0, "1", 3, 4).send(0, "1", 4, 5)
			return b.poll(1, "1", 4, 5).poll(0, "1", 3, 4, 4, 5)
		}, "poll-skip", 1},
		{"nonmonotonic poll", func() *hb {
			b := base()
			return b.poll(1, "1", 2, 3)
		}, "nonmonotonic-poll", 1},
		{"nonmonotonic send", func() *hb {
			b := base()
			b.send(3, "5", 1, 1).send(3, "5", 0, 2)
			return b.poll(3, "5", 0, 2, 1, 1)
		}, "nonmonotonic-send", 1},
		{"unseen", func() *hb {
			b := base()
			return b.send(0, "1", 3, 4).send(0, "9", 0, 1)
		}, "unseen", -1},
		{"future read", func() *hb {
			b := base()
			// Process 2 polls 4 before anyone sent it; the send comes later.
			b.poll(2, "1", 3, 4)
			return b.send(0, "1", 3, 4)
		}, "G1c-realtime", 1},
		{"future read cycle exists", func() *hb {
			b := base()
			b.poll(2, "1", 3, 4)
			return b.send(0, "1", 3, 4)
		}, "strong-PL-2-cycle-exists", 1},
		{"internal nonmonotonic send (txn)", func() *hb {
			b := base()
			v := []any{[]any{"send", "1", []any{4, 5}}, []any{"send", "1", []any{3, 4}}}
			b.inv(0, "txn", []any{[]any{"send", "1", 5}, []any{"send", "1", 4}}).done(0, history.OK, "txn", v)
			return b.poll(1, "1", 3, 4, 4, 5)
		}, "int-nonmonotonic-send", 1},
		{"precommitted read (txn)", func() *hb {
			b := base()
			v := []any{[]any{"send", "1", []any{3, 4}}, []any{"poll", map[string]any{"1": []any{[]any{3, 4}}}}}
			b.inv(0, "txn", []any{[]any{"send", "1", 4}, []any{"poll"}}).done(0, history.OK, "txn", v)
			return b.poll(1, "1", 3, 4)
		}, "precommitted-read", 1},
		{"empty transaction graph", func() *hb {
			b := &hb{}
			return b.send(0, "1", 0, 1)
		}, "empty-transaction-graph", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Check(c.build().history())
			if r.Valid != checker.Invalid {
				t.Fatalf("verdict %v, want invalid; errors %v", r.Valid, errorTypes(r))
			}
			if !slices.Contains(errorTypes(r), c.want) || !slices.Contains(r.Anomalies, c.want) {
				t.Fatalf("%s not reported: error-types %v, anomalies %v", c.want, errorTypes(r), r.Anomalies)
			}
			if !slices.Contains(r.Figures["bad-error-types"].([]string), c.want) {
				t.Fatalf("%s not among bad-error-types %v", c.want, r.Figures["bad-error-types"])
			}
			if c.count >= 0 {
				if got := count(t, r, c.want); got != c.count {
					t.Fatalf("%s count %d, want %d: %v", c.want, got, c.count, r.Figures[c.want])
				}
			}
		})
	}
}

// TestAllowedErrorTypes: int-send-skip is reported but does not invalidate.
func TestAllowedErrorTypes(t *testing.T) {
	b := base()
	v := []any{[]any{"send", "4", []any{2, 12}}, []any{"send", "4", []any{4, 14}}}
	b.inv(0, "txn", v).done(0, history.OK, "txn", v)
	b.send(1, "4", 3, 13)
	b.poll(1, "4", 2, 12, 3, 13, 4, 14)
	r := Check(b.history())
	if r.Valid != checker.Valid {
		t.Fatalf("verdict %v: %v", r.Valid, errorTypes(r))
	}
	if !slices.Contains(errorTypes(r), "int-send-skip") {
		t.Fatalf("int-send-skip not reported: %v", errorTypes(r))
	}
	if len(r.Figures["bad-error-types"].([]string)) != 0 {
		t.Fatalf("bad-error-types %v", r.Figures["bad-error-types"])
	}
}

// The analysis throws in Jepsen on these; the verdict is unknown.
func TestUnknown(t *testing.T) {
	cases := map[string]func() *hb{
		"message nobody sent": func() *hb { return base().poll(1, "1", 3, 99) },
		"key only ever polled empty": func() *hb {
			return base().poll(1, "7")
		},
	}
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			r := Check(build().history())
			if r.Valid != checker.Unknown {
				t.Fatalf("verdict %v, want unknown: %v", r.Valid, r.Figures)
			}
			if r.Figures["error"] == nil {
				t.Fatalf("no error figure: %v", r.Figures)
			}
		})
	}
}

func TestPollSkipTracking(t *testing.T) {
	mk := func(between func(b *hb)) checker.Result {
		b := base()
		b.send(0, "1", 3, 4).send(0, "1", 4, 5)
		b.poll(1, "1", 3, 4)
		between(b)
		b.poll(1, "1", 4, 5)
		b.poll(3, "1", 0, 1, 1, 2, 2, 3, 3, 4, 4, 5)
		return Check(b.history())
	}
	// Baseline: consecutive polls are fine.
	if r := mk(func(*hb) {}); r.Valid != checker.Valid {
		t.Fatalf("%v", errorTypes(r))
	}
	// A repeat after a failed assign is still tracked: nonmonotonic.
	r := mk(func(b *hb) {
		b.inv(1, "assign", []any{"2"}).done(1, history.Fail, "assign", []any{"2"})
		b.poll(1, "1", 3, 4)
	})
	if !slices.Contains(errorTypes(r), "nonmonotonic-poll") {
		t.Fatalf("repeat after a failed assign not caught: %v", errorTypes(r))
	}
	// An ok assign that drops the key forgets it.
	r = mk(func(b *hb) {
		b.assign(1, "2").assign(1, "1")
		b.poll(1, "1", 3, 4)
	})
	if r.Valid != checker.Valid {
		t.Fatalf("repeat after an assign judged %v: %v", r.Valid, errorTypes(r))
	}
	// A new process (after a crash) starts over.
	b := base()
	b.inv(1, "crash", nil).done(1, history.Info, "crash", nil)
	b.poll(5, "1", 0, 1)
	if r := Check(b.history()); r.Valid != checker.Valid {
		t.Fatalf("new process judged %v: %v", r.Valid, errorTypes(r))
	}
}

func TestCondense(t *testing.T) {
	b := &hb{}
	for i := range 20 {
		b.send(0, "1", i, i)
	}
	// Polls by process 1 that each skip further: deltas 2, 3, ..., 10 and then
	// one that goes back.
	b.poll(1, "1", 0, 0)
	last := 0
	for d := 2; last+d < 20; d++ {
		last += d
		b.poll(1, "1", last, last)
	}
	b.poll(2, "1")
	for i := range 20 {
		b.poll(2, "1", i, i)
	}
	r := Check(b.history())
	ps := r.Figures["poll-skip"].(map[string]any)
	errs := ps["errs"].([]map[string]any)
	if ps["count"].(int) != 4 || len(errs) != 4 {
		t.Fatalf("poll-skip: %v", ps)
	}
	for i := 1; i < len(errs); i++ {
		if errs[i]["delta"].(int) < errs[i-1]["delta"].(int) {
			t.Fatalf("errs not sorted by delta: %v", errs)
		}
	}
	// Many int-poll-skips: only the 8 largest deltas are kept.
	b = &hb{}
	for i := range 40 {
		b.send(0, "1", i, i)
	}
	for d := 2; d <= 12; d++ {
		b.poll(3+d, "1", 0, 0, d, d)
	}
	for i := range 40 {
		b.poll(1, "1", i, i)
	}
	r = Check(b.history())
	ips := r.Figures["int-poll-skip"].(map[string]any)
	errs = ips["errs"].([]map[string]any)
	if ips["count"].(int) != 11 || len(errs) != 8 || errs[0]["delta"].(int) != 5 || errs[7]["delta"].(int) != 12 {
		t.Fatalf("int-poll-skip condensed wrong: count %v, deltas %v", ips["count"], deltas(errs))
	}
}

func deltas(errs []map[string]any) []int {
	var out []int
	for _, e := range errs {
		out = append(out, e["delta"].(int))
	}
	return out
}

func TestFigures(t *testing.T) {
	b := base()
	b.inv(4, "send", sendInv("1", 9)).done(4, history.Info, "send", sendInv("1", 9))
	b.h[len(b.h)-1].Error = "net-timeout"
	r := Check(b.history())
	causes := r.Figures["info-txn-causes"].([]any)
	if len(causes) != 1 || causes[0] != "net-timeout" {
		t.Fatalf("info-txn-causes %v", causes)
	}
	lag := r.Figures["worst-realtime-lag"].(map[string]any)
	if _, ok := lag["lag"]; !ok {
		t.Fatalf("worst-realtime-lag %v", lag)
	}
	// The result must be JSON (it goes into results.json).
	if _, err := json.Marshal(r.Figures); err != nil {
		t.Fatal(err)
	}
}

func TestRealtimeLag(t *testing.T) {
	b := &hb{}
	b.send(0, "1", 0, 1) // offset 0 exists from t=2ms
	b.send(0, "1", 1, 2) // offset 1 exists from t=4ms
	b.assign(1, "1")
	b.poll(1, "1", 0, 1) // invoked at 7ms, saw up to 0: offset 1 known since 4ms -> lag 3ms
	b.poll(1, "1", 1, 2) // caught up: lag 0
	r := Check(b.history())
	lag := r.Figures["worst-realtime-lag"].(map[string]any)
	if lag["lag"].(float64) != 0.003 || lag["key"] != "1" || lag["process"] != 1 {
		t.Fatalf("worst-realtime-lag %v", lag)
	}
}

func TestUnseenFigure(t *testing.T) {
	b := base()
	b.send(0, "1", 3, 4).send(0, "1", 4, 5).send(0, "2", 1, 2)
	r := Check(b.history())
	u := r.Figures["unseen"].(map[string]any)
	counts := u["unseen"].(map[string]any)
	if counts["1"] != 2 || counts["2"] != 1 || len(counts) != 2 {
		t.Fatalf("unseen counts %v", counts)
	}
	msgs := u["messages"].(map[string]any)
	if len(msgs["1"].([]any)) != 2 {
		t.Fatalf("unseen messages %v", msgs)
	}
}
