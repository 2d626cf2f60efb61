package counter

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/wire"
)

// op is one hand-made history entry.
func op(process int, typ history.Type, f string, value any, final bool) history.Op {
	return history.Op{Process: process, Type: typ, F: f, Value: value, Final: final}
}

// completed is an add or read invoked and completed by process p.
func completed(p int, typ history.Type, f string, value any, final bool) []history.Op {
	inv := value
	if f == "read" {
		inv = nil
	}
	return []history.Op{op(p, history.Invoke, f, inv, final), op(p, typ, f, value, final)}
}

func hist(parts ...[]history.Op) history.History {
	var h history.History
	for _, p := range parts {
		h = append(h, p...)
	}
	return h.Reindex()
}

// bare is a history of completions only, each op on its own process, as
// Maelstrom's pn_counter_test.clj writes them.
func bare(ops ...history.Op) history.History {
	for i := range ops {
		ops[i].Process = i
	}
	return history.History(ops).Reindex()
}

// TestCheck: histories with negative deltas, ok and indeterminate, with the
// verdict, the acceptable set and the offending final reads; the first three
// are Maelstrom's own checker-test cases.
func TestCheck(t *testing.T) {
	ok, info := history.OK, history.Info
	cases := []struct {
		name       string
		h          history.History
		valid      checker.Validity
		acceptable Ranges
		finalReads []any
		errors     []int // indices of the offending final reads
	}{
		{"empty (checker-test)", bare(), checker.Valid, Ranges{{0, 0}}, []any{}, nil},
		{"definite (checker-test)", bare(op(0, ok, "add", int64(2), false), op(0, ok, "add", int64(3), false),
			op(0, ok, "read", int64(5), true), op(0, ok, "read", int64(4), true)),
			checker.Invalid, Ranges{{5, 5}}, []any{int64(5), int64(4)}, []int{3}},
		{"indefinite (checker-test)", bare(op(0, ok, "add", int64(10), false), op(0, info, "add", int64(5), false),
			op(0, info, "add", int64(-1), false), op(0, info, "add", int64(-1), false),
			op(0, ok, "read", int64(11), true), op(0, ok, "read", int64(15), true)),
			checker.Invalid, Ranges{{8, 10}, {13, 15}}, []any{int64(11), int64(15)}, []int{4}},
		{"a negative total", hist(completed(0, ok, "add", int64(-5), false), completed(1, ok, "add", int64(2), false),
			completed(0, ok, "read", int64(-3), true), completed(1, ok, "read", int64(-3), true)),
			checker.Valid, Ranges{{-3, -3}}, []any{int64(-3), int64(-3)}, nil},
		{"a lost decrement reads too high", hist(completed(0, ok, "add", int64(-5), false), completed(1, ok, "add", int64(2), false),
			completed(0, ok, "read", int64(2), true)),
			checker.Invalid, Ranges{{-3, -3}}, []any{int64(2)}, []int{5}},
		{"an indeterminate decrement may or may not count", hist(completed(0, ok, "add", int64(3), false),
			completed(1, info, "add", int64(-4), false), completed(0, ok, "read", int64(-1), true),
			completed(1, ok, "read", int64(3), true)),
			checker.Valid, Ranges{{-1, -1}, {3, 3}}, []any{int64(-1), int64(3)}, nil},
		{"an abandoned decrement is indeterminate", hist(completed(0, ok, "add", int64(3), false),
			[]history.Op{op(1, history.Invoke, "add", int64(-2), false)}, completed(2, ok, "read", int64(1), true)),
			checker.Valid, Ranges{{1, 1}, {3, 3}}, []any{int64(1)}, nil},
		{"non-final reads are never checked", hist(completed(0, ok, "add", int64(-1), false),
			completed(1, ok, "read", int64(-99), false)),
			checker.Valid, Ranges{{-1, -1}}, []any{}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := Check(c.h)
			if res.Valid != c.valid {
				t.Fatalf("valid %v, want %v (%v)", res.Valid, c.valid, res.Figures)
			}
			if got := res.Figures["acceptable"].(Ranges); !reflect.DeepEqual(got, c.acceptable) {
				t.Errorf("acceptable %v, want %v", got, c.acceptable)
			}
			if got := res.Figures["final-reads"]; !reflect.DeepEqual(got, c.finalReads) {
				t.Errorf("final-reads %v, want %v", got, c.finalReads)
			}
			var errors []int
			for _, e := range res.Figures["errors"].([]history.Op) {
				errors = append(errors, e.Index)
			}
			if !reflect.DeepEqual(errors, c.errors) {
				t.Errorf("errors at %v, want %v", errors, c.errors)
			}
		})
	}
}

// TestCheckResultJSON: the figures Maelstrom prints encode as its keys do;
// errors is null when there are none, as (seq errors) is nil.
func TestCheckResultJSON(t *testing.T) {
	res := Check(bare(op(0, history.OK, "add", int64(10), false), op(0, history.Info, "add", int64(5), false),
		op(0, history.OK, "read", int64(15), true)))
	got := map[string]string{}
	for _, k := range []string{"errors", "final-reads", "acceptable"} {
		got[k] = string(wire.Marshal(res.Figures[k]))
	}
	want := map[string]string{"errors": "null", "final-reads": "[15]", "acceptable": "[[10,10],[15,15]]"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("figures %v, want %v", got, want)
	}
}

// TestCheckUnknown: what Maelstrom's checker cannot sum (its assertion or
// arithmetic throws, so check-safe reports unknown) is unknown here too.
func TestCheckUnknown(t *testing.T) {
	ok := history.OK
	cases := []struct {
		name string
		h    history.History
	}{
		{"fractional final read", bare(op(0, ok, "add", int64(1), false), op(0, ok, "read", json.Number("1.5"), true))},
		{"string delta", bare(op(0, ok, "add", "1", false))},
		{"sum beyond a long", bare(op(0, ok, "add", int64(math.MaxInt64), false), op(0, ok, "add", int64(1), false))},
		{"indeterminate sum beyond a long", bare(op(0, history.Info, "add", int64(math.MinInt64), false),
			op(0, history.Info, "add", int64(-1), false))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if res := Check(c.h); res.Valid != checker.Unknown || res.Figures["error"] == nil {
				t.Fatalf("verdict %v, figures %v; want unknown with an error", res.Valid, res.Figures)
			}
		})
	}
}

// TestFinalReadMissesNegative: a final read below or above every
// acceptable sum says by how much, negative sums included.
func TestFinalReadMissesNegative(t *testing.T) {
	h := hist(completed(0, history.OK, "add", int64(-5), false),
		completed(0, history.OK, "read", int64(-7), true), completed(1, history.OK, "read", int64(0), true))
	h[2].Node, h[3].Node, h[4].Node, h[5].Node = "n0", "n0", "n1", "n1"
	res := Check(h)
	want := []string{
		"n0's final read is -7: it lacks at least 2 (acceptable: -5)",
		"n1's final read is 0: at least 5 more than any acceptable sum (acceptable: -5)",
	}
	if got := res.Top[report.FinalReadMissesKey]; !reflect.DeepEqual(got, want) {
		t.Fatalf("final read misses %q, want %q", got, want)
	}
}

func TestRangesShiftManyInfo(t *testing.T) {
	// Subset sums of {4, 4, 4, 0, 1}: 0,1,4,5,8,9,12,13.
	rs := Ranges{{0, 0}}
	for _, d := range []int64{4, 4, 4, 0, 1} {
		rs = rs.withShifted(d)
	}
	if want := (Ranges{{0, 1}, {4, 5}, {8, 9}, {12, 13}}); wire.Key(rs) != wire.Key(want) {
		t.Fatalf("got %v, want %v", rs, want)
	}
	for x, in := range map[int64]bool{-1: false, 0: true, 1: true, 2: false, 3: false, 9: true, 13: true, 14: false} {
		if rs.Contains(x) != in {
			t.Errorf("Contains(%d) = %v", x, !in)
		}
	}
}

func TestRangesString(t *testing.T) {
	for _, c := range []struct {
		rs   Ranges
		want string
	}{
		{Ranges{{3, 3}}, "3"},
		{Ranges{{3, 5}, {9, 9}}, "3..5, 9"},
		{Ranges{{0, 0}, {2, 2}, {4, 4}, {6, 6}, {8, 8}}, "0, 2, 4, 6, ..."},
	} {
		if got := c.rs.String(); got != c.want {
			t.Errorf("%v: got %q, want %q", [][2]int64(c.rs), got, c.want)
		}
	}
}
