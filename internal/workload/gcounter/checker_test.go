package gcounter

import (
	"reflect"
	"testing"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/report"
)

// onNodes puts each process's ops on node n<process>, as the runner records them.
func onNodes(h history.History) history.History {
	for i := range h {
		h[i].Node = "n" + string(rune('0'+h[i].Process))
	}
	return h
}

// TestFinalReadMisses: the checker names each final read that is not an
// acceptable sum, by node and by how much, and each final read that did not
// complete ok, without changing the verdict.
func TestFinalReadMisses(t *testing.T) {
	cases := []struct {
		name  string
		h     history.History
		valid checker.Validity
		want  []string
	}{
		{"every final read acceptable", onNodes(hist(cat(add(0, 3, history.OK), add(1, 4, history.OK),
			finalRead(0, int64(7)), finalRead(1, int64(7)))...)), checker.Valid, nil},
		{"one node short", onNodes(hist(cat(add(0, 3, history.OK), add(1, 4, history.OK),
			finalRead(0, int64(7)), finalRead(1, int64(3)))...)), checker.Invalid,
			[]string{"n1's final read is 3: it lacks at least 4 (acceptable: 7)"}},
		{"above every sum", onNodes(hist(cat(add(0, 3, history.OK), add(1, 2, history.Info),
			finalRead(0, int64(9)))...)), checker.Invalid,
			[]string{"n0's final read is 9: at least 4 more than any acceptable sum (acceptable: 3, 5)"}},
		{"between sums", onNodes(hist(cat(add(0, 3, history.OK), add(1, 2, history.Info),
			finalRead(0, int64(4)))...)), checker.Invalid,
			[]string{"n0's final read is 4: between the acceptable sums 3 and 5"}},
		{"final read indeterminate", onNodes(hist(cat(add(0, 3, history.OK),
			[]e{{1, history.Invoke, "read", nil, true}, {1, history.Info, "read", nil, true}})...)), checker.Valid,
			[]string{"n1's final read is indeterminate (info): no error given"}},
		{"final read never completed", onNodes(hist(cat(add(0, 3, history.OK),
			[]e{{1, history.Invoke, "read", nil, true}})...)), checker.Valid,
			[]string{"n1's final read never completed"}},
		{"no node recorded", hist(cat(add(0, 3, history.OK), finalRead(2, int64(1)))...), checker.Invalid,
			[]string{"process 2's final read is 1: it lacks at least 2 (acceptable: 3)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := Check(c.h)
			if res.Valid != c.valid {
				t.Fatalf("valid %v, want %v", res.Valid, c.valid)
			}
			got, _ := res.Top[report.FinalReadMissesKey].([]string)
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("final read misses %q, want %q", got, c.want)
			}
			if _, ok := res.Figures[report.FinalReadMissesKey]; ok {
				t.Fatal("the misses must not be a checker figure (figures are Maelstrom's)")
			}
		})
	}
}
