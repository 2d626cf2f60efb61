package setfull

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/report"
)

// step is one history entry of a hand-made g-set history: process, type,
// f and value; the builder times entry i at i ms, as Jepsen's test helper
// does.
type step struct {
	p     int
	typ   history.Type
	f     string
	value any
}

// seen is a read's value as the client records it: decoded JSON numbers.
func seen(vs ...int) []any {
	out := []any{}
	for _, v := range vs {
		out = append(out, json.Number(itoa(v)))
	}
	return out
}

func itoa(v int) string { b, _ := json.Marshal(v); return string(b) }

func build(steps ...step) history.History {
	h := history.History{}
	for i, s := range steps {
		h = append(h, history.Op{Time: time.Duration(i) * time.Millisecond, Process: s.p, Type: s.typ, F: s.f, Value: s.value})
	}
	return h.Reindex()
}

// jsonOf renders a figure as results.json would.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const (
	inv = history.Invoke
	ok  = history.OK
)

// TestCheckGSet runs g-set histories (f "add") shaped like the cases of
// Jepsen's set-full-test (jepsen/test/jepsen/checker_test.clj), with the
// figures that test asserts.
func TestCheckGSet(t *testing.T) {
	cases := []struct {
		name    string
		h       history.History
		valid   checker.Validity
		figures map[string]string // figure -> its JSON
	}{
		{"never read", build(step{0, inv, "add", int64(0)}, step{0, ok, "add", int64(0)}),
			checker.Unknown, map[string]string{"attempt-count": "1", "never-read": "[0]", "lost": "[]", "stable-count": "0"}},
		{"never confirmed, never read", build(step{0, inv, "add", int64(0)}, step{1, inv, "read", nil}, step{1, ok, "read", seen()}),
			checker.Unknown, map[string]string{"never-read": "[0]", "never-read-count": "1"}},
		{"subsequent read sees it", build(step{0, inv, "add", int64(0)}, step{0, ok, "add", int64(0)},
			step{1, inv, "read", nil}, step{1, ok, "read", seen(0)}),
			checker.Valid, map[string]string{"stable-count": "1", "stable-latencies": `{"0":0,"0.5":0,"0.95":0,"0.99":0,"1":0}`}},
		{"read concurrent with the add sees it", build(step{1, inv, "read", nil}, step{0, inv, "add", int64(0)},
			step{0, ok, "add", int64(0)}, step{1, ok, "read", seen(0)}),
			checker.Valid, map[string]string{"stable-count": "1"}},
		{"read inside the add misses it", build(step{0, inv, "add", int64(0)}, step{1, inv, "read", nil},
			step{1, ok, "read", seen()}, step{0, ok, "add", int64(0)}),
			checker.Unknown, map[string]string{"never-read": "[0]", "lost-count": "0"}},
		{"absent read after the add", build(step{0, inv, "add", int64(0)}, step{0, ok, "add", int64(0)},
			step{1, inv, "read", nil}, step{1, ok, "read", seen()}),
			checker.Invalid, map[string]string{"lost": "[0]", "lost-latencies": `{"0":0,"0.5":0,"0.95":0,"0.99":0,"1":0}`}},
		{"write, present, missing", build(step{0, inv, "add", int64(0)}, step{1, inv, "add", int64(1)},
			step{2, inv, "read", nil}, step{2, ok, "read", seen(1)},
			step{0, ok, "add", int64(0)}, step{1, ok, "add", int64(1)},
			step{2, inv, "read", nil}, step{2, ok, "read", seen(0, 1)},
			step{2, inv, "read", nil}, step{2, ok, "read", seen(0)},
			step{2, inv, "read", nil}, step{2, ok, "read", seen()}),
			checker.Invalid, map[string]string{"lost": "[0,1]", "lost-count": "2",
				"lost-latencies": `{"0":3,"0.5":4,"0.95":4,"0.99":4,"1":4}`}},
		{"write, flutter, stable/lost", build(step{0, inv, "add", int64(0)}, step{0, ok, "add", int64(0)},
			step{1, inv, "add", int64(1)}, step{2, inv, "read", nil}, step{2, ok, "read", seen(1)},
			step{1, ok, "add", int64(1)}, step{2, inv, "read", nil},
			step{3, inv, "read", nil}, step{3, ok, "read", seen(1)}, step{2, ok, "read", seen(0)}),
			checker.Invalid, map[string]string{"lost": "[0]", "stale": "[1]", "stable-count": "1",
				"lost-latencies":   `{"0":5,"0.5":5,"0.95":5,"0.99":5,"1":5}`,
				"stable-latencies": `{"0":2,"0.5":2,"0.95":2,"0.99":2,"1":2}`,
				"duplicated-count": "0", "duplicated": "{}"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Check(c.h, "add")
			if r.Valid != c.valid {
				t.Fatalf("verdict %v, want %v (%v)", r.Valid, c.valid, r.Figures)
			}
			for name, want := range c.figures {
				v, found := r.Figures[name]
				if !found {
					t.Fatalf("figure %s missing from %v", name, r.Figures)
				}
				if got := jsonOf(t, v); got != want {
					t.Errorf("%s = %s, want %s", name, got, want)
				}
			}
		})
	}
}

// TestWorstStaleNamesOps: worst-stale's known and last-absent are the ops
// of the history (Jepsen's test asserts them by identity): here the ok read
// that first saw 1 and the invocation of the read that missed it last.
func TestWorstStaleNamesOps(t *testing.T) {
	h := build(step{0, inv, "add", int64(0)}, step{0, ok, "add", int64(0)},
		step{1, inv, "add", int64(1)}, step{2, inv, "read", nil}, step{2, ok, "read", seen(1)},
		step{1, ok, "add", int64(1)}, step{2, inv, "read", nil},
		step{3, inv, "read", nil}, step{3, ok, "read", seen(1)}, step{2, ok, "read", seen(0)})
	worst := Check(h, "add").Figures["worst-stale"].([]map[string]any)
	if len(worst) != 1 {
		t.Fatalf("worst-stale %v, want one record", worst)
	}
	w := worst[0]
	if w["element"] != int64(1) || w["outcome"] != "stable" || w["stable-latency"] != int64(2) || w["lost-latency"] != nil {
		t.Errorf("worst-stale record %v", w)
	}
	if known := w["known"].(*history.Op); known.Index != 4 {
		t.Errorf("known is op %d, want 4 (the ok read of [1])", known.Index)
	}
	if absent := w["last-absent"].(*history.Op); absent.Index != 6 {
		t.Errorf("last-absent is op %d, want 6 (the read invocation that missed 1)", absent.Index)
	}
}

// TestAddName: only ops named addF are adds, so one checker serves g-set
// ("add") and broadcast ("broadcast"); the figures keep the ops' own f.
func TestAddName(t *testing.T) {
	h := build(step{0, inv, "add", int64(0)}, step{0, ok, "add", int64(0)},
		step{1, inv, "read", nil}, step{1, ok, "read", seen(0)})
	if r := Check(h, "add"); r.Valid != checker.Valid || r.Figures["attempt-count"] != 1 {
		t.Fatalf("as g-set: %v %v", r.Valid, r.Figures)
	}
	r := Check(h, "broadcast")
	if r.Valid != checker.Unknown || r.Figures["attempt-count"] != 0 {
		t.Fatalf("as broadcast, an add is no attempt: %v %v", r.Valid, r.Figures)
	}
	// 0 was read but never broadcast: unexpected, which never changes the verdict.
	if r.Figures["unexpected-count"] != 1 {
		t.Errorf("unexpected-count %v, want 1", r.Figures["unexpected-count"])
	}
}

// TestFinalReadMissesGSet: g-set's final reads name the values they lack,
// as broadcast's do.
func TestFinalReadMissesGSet(t *testing.T) {
	h := build(step{0, inv, "add", int64(0)}, step{0, ok, "add", int64(0)},
		step{1, inv, "add", int64(1)}, step{1, ok, "add", int64(1)},
		step{0, inv, "read", nil}, step{0, ok, "read", seen(0, 1)},
		step{1, inv, "read", nil}, step{1, ok, "read", seen(1)})
	for i := 4; i < len(h); i++ {
		h[i].Final, h[i].Node = true, "n"+itoa(h[i].Process)
	}
	r := Check(h, "add")
	if r.Valid != checker.Invalid {
		t.Fatalf("verdict %v: the last read misses 0", r.Valid)
	}
	want := []string{"n1's final read lacks 1 of 2 values: 0"}
	if got := r.Top[report.FinalReadMissesKey]; !reflect.DeepEqual(got, want) {
		t.Fatalf("final read misses %v, want %v", got, want)
	}
}

func TestDistribution(t *testing.T) {
	tests := []struct {
		sample []int64
		want   map[string]int64
	}{
		{[]int64{5}, map[string]int64{"0": 5, "0.5": 5, "0.95": 5, "0.99": 5, "1": 5}},
		{[]int64{4, 1, 3, 2}, map[string]int64{"0": 1, "0.5": 3, "0.95": 4, "0.99": 4, "1": 4}},
	}
	for _, tt := range tests {
		if got := Distribution(tt.sample); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Distribution(%v) = %v, want %v", tt.sample, got, tt.want)
		}
	}
	// 100 values 0..99: index floor(100q) -> 0, 50, 95, 99, min(99, 100).
	var s []int64
	for i := int64(99); i >= 0; i-- {
		s = append(s, i)
	}
	want := map[string]int64{"0": 0, "0.5": 50, "0.95": 95, "0.99": 99, "1": 99}
	if got := Distribution(s); !reflect.DeepEqual(got, want) {
		t.Errorf("Distribution(0..99) = %v", got)
	}
	// 20 values: 20*0.95 is 19.0 in IEEE arithmetic, as on the JVM.
	s = s[:0]
	for i := int64(0); i < 20; i++ {
		s = append(s, i)
	}
	if got := Distribution(s)["0.95"]; got != 19 {
		t.Errorf("0.95 of 20 values = %d", got)
	}
}

// TestValueIdentity: a value read is the value added when Clojure's =
// says so: integers by value whatever their form (an int64 from the
// client, a json.Number from the wire, 1 = 1N past int64), never an
// integer and a double (1 is not 1.0) or a string. An add of 1 read back as
// 1 is stable; read back as 1.0 it is lost, and 1.0 is unexpected.
func TestValueIdentity(t *testing.T) {
	cases := []struct {
		name      string
		add, read any
		same      bool
	}{
		{"int64 and its text", int64(1), json.Number("1"), true},
		{"int and int64", 1, int64(1), true},
		{"int32 and its text", int32(-3), json.Number("-3"), true},
		{"-0 is 0", int64(0), json.Number("-0"), true},
		{"a sign or leading zeros are the same integer", json.Number("+7"), json.Number("007"), true},
		{"the least int64", int64(math.MinInt64), json.Number("-9223372036854775808"), true},
		{"past int64 (1N)", uint64(math.MaxUint64), json.Number("18446744073709551615"), true},
		{"past uint64", json.Number("123456789012345678901234567890"), json.Number("123456789012345678901234567890"), true},
		{"one past int64 is not the largest int64", int64(math.MaxInt64), json.Number("9223372036854775808"), false},
		{"1 is not 1.0", int64(1), json.Number("1.0"), false},
		{"1.0 is 1.00", json.Number("1.0"), json.Number("1.00"), true},
		{"1 is not \"1\"", int64(1), "1", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := build(step{0, inv, "add", c.add}, step{0, ok, "add", c.add},
				step{1, inv, "read", nil}, step{1, ok, "read", []any{c.read}})
			r := Check(h, "add")
			wantStable, wantUnexpected := 1, 0
			if !c.same {
				wantStable, wantUnexpected = 0, 1
			}
			if r.Figures["stable-count"] != wantStable || r.Figures["unexpected-count"] != wantUnexpected {
				t.Errorf("add %v, read %v: stable-count %v, unexpected-count %v; want %d, %d",
					c.add, c.read, r.Figures["stable-count"], r.Figures["unexpected-count"], wantStable, wantUnexpected)
			}
		})
	}
}
