package elle

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
)

// txnOf parses "r:x:1 w:y:2 r:z:_" into a transaction value ("_" is null;
// digits are JSON numbers, anything else a string).
func txnOf(s string) []any {
	var out []any
	for _, f := range strings.Fields(s) {
		p := strings.Split(f, ":")
		out = append(out, []any{p[0], jsonVal(p[1]), jsonVal(p[2])})
	}
	return out
}

func jsonVal(s string) any {
	if s == "_" {
		return nil
	}
	if s[0] >= '0' && s[0] <= '9' {
		return json.Number(s)
	}
	return s
}

// invocation blanks the reads of a completed transaction.
func invocation(v []any) []any {
	out := make([]any, len(v))
	for i, m := range v {
		mop := m.([]any)
		if mop[0] == "r" {
			out[i] = []any{"r", mop[1], nil}
		} else {
			out[i] = mop
		}
	}
	return out
}

// ev is one history event: an invocation (typ Invoke) or a completion.
type ev struct {
	p   int
	typ history.Type
	txn string
}

func inv(p int, txn string) ev                    { return ev{p, history.Invoke, txn} }
func done(p int, typ history.Type, txn string) ev { return ev{p, typ, txn} }

// build makes a history from events; invocations take their value from
// the process's next completion.
func build(evs ...ev) history.History {
	var h history.History
	for i, e := range evs {
		v := txnOf(e.txn)
		if e.typ == history.Invoke {
			for _, later := range evs[i+1:] {
				if later.p == e.p && later.typ != history.Invoke {
					v = invocation(txnOf(later.txn))
					break
				}
			}
		}
		h = append(h, history.Op{Type: e.typ, Process: e.p, F: "txn", Value: v})
	}
	return h.Reindex()
}

// serial makes a history of ok txns, each invoked after the previous
// completed, on processes 0, 1, 2, ... in turn.
func serial(txns ...string) history.History {
	var evs []ev
	for i, t := range txns {
		evs = append(evs, inv(i, t), done(i, history.OK, t))
	}
	return build(evs...)
}

// concurrent makes a history of ok txns all invoked before any completes.
func concurrent(txns ...string) history.History {
	var evs []ev
	for i, t := range txns {
		evs = append(evs, inv(i, t))
	}
	for i, t := range txns {
		evs = append(evs, done(i, history.OK, t))
	}
	return build(evs...)
}

func check(t *testing.T, h history.History, models ...string) checker.Result {
	t.Helper()
	return Check(h, Options{ConsistencyModels: models})
}

func figure[T any](t *testing.T, r checker.Result, path ...string) T {
	t.Helper()
	var cur any = r.Figures
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			t.Fatalf("figure %v: %v is not a map", path, cur)
		}
		cur = m[p]
	}
	v, ok := cur.(T)
	if !ok {
		t.Fatalf("figure %v is %T %v", path, cur, cur)
	}
	return v
}

func TestAnomaliesFound(t *testing.T) {
	// A filler pair giving the graph a wr edge, so that histories whose
	// anomaly lives outside the graph are not also empty-transaction-graph.
	filler := []ev{inv(8, "w:f:1"), done(8, history.OK, "w:f:1"), inv(8, "r:f:1"), done(8, history.OK, "r:f:1")}
	for _, tc := range []struct {
		name   string
		h      history.History
		models []string
		want   []string // exact final anomaly types
	}{
		{"G0 as Maelstrom sees it (both wrote after reading the other)",
			concurrent("w:x:1 r:y:2 w:y:3", "r:x:1 w:x:2 w:y:2"),
			[]string{"read-uncommitted"}, []string{"G0"}},
		{"G1a: read of a failed write", build(append([]ev{
			inv(0, "w:x:1"), done(0, history.Fail, "w:x:1"),
			inv(1, "r:x:1"), done(1, history.OK, "r:x:1")}, filler...)...),
			[]string{"read-committed"}, []string{"G1a"}},
		{"G1b: read of an intermediate write", build(append([]ev{
			inv(0, "w:x:1 w:x:2"), inv(1, "r:x:1"),
			done(0, history.OK, "w:x:1 w:x:2"), done(1, history.OK, "r:x:1")}, filler...)...),
			[]string{"read-committed"}, []string{"G1b"}},
		{"G1c: circular information flow", concurrent("w:x:1 r:y:1", "w:y:1 r:x:1"),
			[]string{"read-committed"}, []string{"G1c"}},
		{"internal: a read that misses the txn's own write", build(append([]ev{
			inv(0, "w:x:1 r:x:2"), done(0, history.OK, "w:x:1 r:x:2")}, filler...)...),
			[]string{"serializable"}, []string{"internal"}},
		{"G-single: read skew", concurrent("w:x:1 w:y:1", "r:x:1 r:y:_"),
			[]string{"serializable"}, []string{"G-single-item"}},
		{"G2-item: write skew", concurrent("r:x:_ r:y:_ w:x:1", "r:x:_ r:y:_ w:y:1"),
			[]string{"serializable"}, []string{"G2-item"}},
		{"G-nonadjacent under snapshot isolation",
			concurrent("r:a:_ r:d:1", "w:a:1 w:b:1", "r:b:1 r:c:_", "w:c:1 w:d:1"),
			[]string{"snapshot-isolation"}, []string{"G-nonadjacent-item"}},
		{"lost update", concurrent("r:x:_ w:x:1", "r:x:_ w:x:2"),
			[]string{"repeatable-read"}, []string{"G2-item", "lost-update"}},
		{"stale read under strict serializability", serial("w:x:1", "r:x:_"),
			[]string{"strict-serializable"}, []string{"G-single-item-realtime"}},
		{"read-your-writes violated within a session", build(
			inv(0, "w:x:1"), done(0, history.OK, "w:x:1"),
			inv(0, "r:x:_"), done(0, history.OK, "r:x:_")),
			[]string{"strong-session-serializable"}, []string{"G-single-item-process"}},
		{"G1c-process: a session's write feeds a cycle back to its earlier read", build(
			inv(1, "r:y:1 w:x:1"), inv(0, "r:x:1"), done(0, history.OK, "r:x:1"),
			inv(0, "w:y:1"), done(0, history.OK, "w:y:1"), done(1, history.OK, "r:y:1 w:x:1")),
			[]string{"strong-session-read-committed"}, []string{"G1c-process"}},
		{"cyclic versions: each txn read the other's write, then wrote over it",
			concurrent("r:x:1 w:x:2", "r:x:2 w:x:1"),
			[]string{"read-uncommitted"}, []string{"G0", "cyclic-versions"}},
		{"empty transaction graph", serial("w:x:1"),
			[]string{"read-committed"}, []string{"empty-transaction-graph"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := check(t, tc.h, tc.models...)
			if r.Valid != checker.Invalid {
				t.Fatalf("valid = %v, want invalid; figures %v", r.Valid, r.Figures)
			}
			if !slices.Equal(r.Anomalies, tc.want) {
				t.Fatalf("anomalies %v, want %v", r.Anomalies, tc.want)
			}
		})
	}
}

func TestValidHistories(t *testing.T) {
	for _, tc := range []struct {
		name   string
		h      history.History
		models []string
	}{
		{"serial reads of the latest writes", serial("w:x:1 w:y:1", "r:x:1 w:x:2", "r:x:2 r:y:1 w:y:2", "r:y:2"),
			[]string{"strict-serializable"}},
		{"G1c is allowed by read-uncommitted", concurrent("w:x:1 r:y:1", "w:y:1 r:x:1"),
			[]string{"read-uncommitted"}},
		{"write skew is allowed by snapshot isolation", concurrent("r:x:_ r:y:_ w:x:1", "r:x:_ r:y:_ w:y:1"),
			[]string{"snapshot-isolation"}},
		{"read skew is allowed by read-committed", concurrent("w:x:1 w:y:1", "r:x:1 r:y:_"),
			[]string{"read-committed"}},
		{"internal inconsistency is allowed by read-committed", build(
			inv(0, "w:x:1 r:x:2"), done(0, history.OK, "w:x:1 r:x:2"),
			inv(1, "w:x:2"), done(1, history.OK, "w:x:2"), inv(1, "r:x:2"), done(1, history.OK, "r:x:2")),
			[]string{"read-committed"}},
		{"a stale read is serializable", serial("w:x:1", "r:x:_"), []string{"serializable"}},
		{"single-object models forbid nothing here", concurrent("w:x:1 r:y:1", "w:y:1 r:x:1"),
			[]string{"linearizable"}},
		{"an info txn's write may be read", build(
			inv(0, "w:x:1"), done(0, history.Info, "w:x:1"),
			inv(1, "r:x:1 w:y:1"), done(1, history.OK, "r:x:1 w:y:1"),
			inv(1, "r:y:1"), done(1, history.OK, "r:y:1")),
			[]string{"read-committed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := check(t, tc.h, tc.models...)
			if r.Valid != checker.Valid || len(r.Anomalies) > 0 {
				t.Fatalf("valid = %v, anomalies %v; figures %v", r.Valid, r.Anomalies, r.Figures)
			}
		})
	}
}

// The write cycle of jepsen-io/maelstrom#56: two txns interleave their
// writes to key 0, each reading the other's intermediate value before
// writing again. Maelstrom's inference sees no ww edge; ours finds G0.
func TestInterleavedWritesAreG0(t *testing.T) {
	t2 := "w:0:1 r:0:1 r:0:10 w:0:2 w:0:3 r:0:3"
	t3 := "r:0:1 w:0:10 r:0:3 w:0:11"
	h := build(inv(2, t2), inv(3, t3), done(2, history.OK, t2), done(3, history.OK, t3),
		inv(4, "r:0:11"), done(4, history.OK, "r:0:11"))
	r := check(t, h, "read-uncommitted")
	if r.Valid != checker.Invalid || !slices.Equal(r.Anomalies, []string{"G0"}) {
		t.Fatalf("valid %v anomalies %v, want invalid [G0]", r.Valid, r.Anomalies)
	}
	if figure[bool](t, r, "maelstrom", "valid?") != true {
		t.Fatalf("Maelstrom's own inference should pass this history: %v", r.Figures["maelstrom"])
	}
	if n := figure[int](t, r, "inference", "extended_g0", "cycles"); n != 1 {
		t.Fatalf("extended cycles %d, want 1", n)
	}
	only := Check(h, Options{ConsistencyModels: []string{"read-uncommitted"}, MaelstromOnly: true})
	if only.Valid != checker.Valid {
		t.Fatalf("with Maelstrom's inference only: %v %v", only.Valid, only.Anomalies)
	}
	// Under read-committed both see the intermediate reads.
	rc := check(t, h, "read-committed")
	if !slices.Contains(rc.Anomalies, "G1b") || !slices.Contains(rc.Anomalies, "G0") {
		t.Fatalf("read-committed anomalies %v", rc.Anomalies)
	}
}

// The extended rule must not fire on committed-read histories, however the
// reads and writes chain.
func TestExtendedG0QuietOnCommittedReads(t *testing.T) {
	h := serial("w:x:1 w:y:1", "r:x:1 w:x:2 r:y:1 w:y:2", "w:x:3 r:x:3 r:y:2 w:y:3", "r:x:3 w:x:4 r:x:4 w:x:5")
	r := check(t, h, "read-uncommitted")
	if r.Valid != checker.Valid {
		t.Fatalf("%v %v", r.Anomalies, r.Figures)
	}
	if e := figure[int](t, r, "inference", "extended_g0", "ww_edges"); e == 0 {
		t.Fatal("expected the rule to infer some edges here")
	}
}

// Maelstrom's own inference names no G0: with unique values every ww edge
// is also a wr edge, which Elle explains first, so a write cycle surfaces as
// PL-1-cycle-exists (and a G1c that read-uncommitted allows).
func TestMaelstromNamesNoG0(t *testing.T) {
	for _, tc := range []struct {
		h    history.History
		want []string
	}{
		{concurrent("w:x:1 r:y:2 w:y:3", "r:x:1 w:x:2 w:y:2"), []string{"PL-1-cycle-exists"}},
		{concurrent("r:x:1 w:x:2", "r:x:2 w:x:1"), []string{"cyclic-versions"}},
	} {
		r := Check(tc.h, Options{ConsistencyModels: []string{"read-uncommitted"}, MaelstromOnly: true})
		if r.Valid != checker.Invalid || !slices.Equal(r.Anomalies, tc.want) {
			t.Errorf("valid %v anomalies %v, want %v", r.Valid, r.Anomalies, tc.want)
		}
	}
}

func TestMaelstromWrapper(t *testing.T) {
	// A budget of one step times the search out: Elle reports
	// cycle-search-timeout, which Maelstrom drops, and its fallback cycle.
	h := concurrent("r:x:_ r:y:_ w:x:1", "r:x:_ r:y:_ w:y:1")
	r := Check(h, Options{ConsistencyModels: []string{"serializable"}, CycleSearchBudget: 1})
	if r.Valid != checker.Invalid || slices.Contains(r.Anomalies, "cycle-search-timeout") {
		t.Fatalf("valid %v anomalies %v", r.Valid, r.Anomalies)
	}
	if !slices.Contains(r.Anomalies, "G2-item") {
		t.Fatalf("the fallback cycle should be reported: %v", r.Anomalies)
	}
}

func TestUnanalysable(t *testing.T) {
	for _, tc := range []struct {
		name   string
		h      history.History
		models []string
		err    string
	}{
		{"unknown model", serial("w:x:1", "r:x:1"), []string{"acid"}, "unknown consistency model"},
		{"a read value written twice", serial("w:x:1", "w:x:1", "r:x:1"), []string{"read-committed"}, "more than one op"},
		{"mixed key types", serial("w:x:1", "r:1:1"), []string{"read-committed"}, "mix of different types"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := check(t, tc.h, tc.models...)
			if r.Valid != checker.Unknown {
				t.Fatalf("valid = %v", r.Valid)
			}
			if err := figure[string](t, r, "error"); !strings.Contains(err, tc.err) {
				t.Fatalf("error %q, want %q", err, tc.err)
			}
		})
	}
}

func TestProhibited(t *testing.T) {
	for _, tc := range []struct {
		model string
		want  []string
	}{
		{"read-uncommitted", []string{"G0", "PL-1-cycle-exists", "cyclic-versions", "duplicate-elements"}},
		{"read-committed", []string{"G0", "G1", "G1a", "G1b", "G1c", "PL-1-cycle-exists", "PL-2-cycle-exists",
			"cyclic-versions", "dirty-update", "duplicate-elements", "future-read", "incompatible-order"}},
	} {
		if got := sortedKeys(ProhibitedBy([]string{tc.model})); !slices.Equal(got, tc.want) {
			t.Errorf("%s prohibits %v, want %v", tc.model, got, tc.want)
		}
	}
	ss := ProhibitedBy([]string{"strict-serializable"})
	for _, a := range []string{"G-single-item-realtime", "G2-item", "internal", "lost-update", "G1c-realtime"} {
		if !ss[a] {
			t.Errorf("strict-serializable should prohibit %s", a)
		}
	}
	if ss["G0-process"] && !ss["G0"] {
		t.Error("implication closure broken")
	}
	not, alsoNot := boundary([]string{"G1c"})
	if !slices.Equal(not, []string{"read-committed"}) || !slices.Contains(alsoNot, "serializable") {
		t.Errorf("boundary of G1c: not %v also-not %v", not, alsoNot)
	}
}

func TestModelReport(t *testing.T) {
	r := check(t, concurrent("w:x:1 r:y:1", "w:y:1 r:x:1"), "read-committed")
	rep := figure[map[string]any](t, r, "models", "read-committed")
	if !slices.Equal(rep["found"].([]string), []string{"G1c"}) {
		t.Fatalf("found %v", rep["found"])
	}
	if !slices.Contains(rep["prohibits"].([]string), "G1a") {
		t.Fatalf("prohibits %v", rep["prohibits"])
	}
	ex := figure[map[string]any](t, r, "anomalies", "G1c")
	cyc := ex["examples"].([]any)[0].(map[string]any)
	if len(cyc["cycle"].([]any)) != 3 || len(cyc["steps"].([]any)) != 2 {
		t.Fatalf("cycle example %v", cyc)
	}
	if _, err := json.Marshal(r.Figures); err != nil {
		t.Fatalf("figures must be JSON: %v", err)
	}
}
