package gcounter

import (
	"encoding/json"
	"fmt"
	"sort"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
)

// Anomaly is the name reported when a final read is not an acceptable sum.
const Anomaly = "unacceptable-final-read"

// Ranges is a set of integers as sorted, disjoint, non-adjacent inclusive
// intervals [lo, hi]: what Maelstrom's Guava TreeRangeSet of open ranges
// (lo-1, hi+1) amounts to, adjacent integer ranges merging.
type Ranges [][2]int64

// Contains reports whether x is in the set.
func (rs Ranges) Contains(x int64) bool {
	i := sort.Search(len(rs), func(i int) bool { return rs[i][1] >= x })
	return i < len(rs) && rs[i][0] <= x
}

// withShifted returns rs ∪ (rs + d): the sums possible when an add of d may
// or may not have happened.
func (rs Ranges) withShifted(d int64) Ranges {
	all := make(Ranges, 0, 2*len(rs))
	all = append(all, rs...)
	for _, r := range rs {
		all = append(all, [2]int64{r[0] + d, r[1] + d})
	}
	sort.Slice(all, func(i, j int) bool { return all[i][0] < all[j][0] })
	out := Ranges{all[0]}
	for _, r := range all[1:] {
		last := &out[len(out)-1]
		if r[0] <= last[1]+1 {
			last[1] = max(last[1], r[1])
			continue
		}
		out = append(out, r)
	}
	return out
}

// Check is pn-counter's checker (g-counter uses it unchanged):
//
//   - the definite sum is the total of the deltas of ok adds;
//   - the acceptable set starts as {definite} and, for each info add of d,
//     becomes acceptable ∪ (acceptable + d);
//   - every ok op flagged final (the final reads) must read a value in the
//     acceptable set. Other reads are not checked at all, and with no ok
//     final read the history is (vacuously) valid.
//
// An add that never completed (the run ended first) counts as info: Jepsen
// records an op it abandons as info. A non-integer final read or delta makes
// the verdict unknown, as the reference's assertion would.
func Check(h history.History) checker.Result {
	var definite, indeterminate int64
	var infoDeltas []int64
	for _, p := range h.Pairs() {
		if p.Invoke.F != "add" {
			continue
		}
		op := p.Completion
		if !p.Complete {
			op = p.Invoke
			op.Type = history.Info
		}
		if op.Type != history.OK && op.Type != history.Info {
			continue
		}
		d, ok := integer(op.Value)
		if !ok {
			d, ok = integer(p.Invoke.Value)
		}
		if !ok {
			return unknown(fmt.Sprintf("add %d has a non-integer delta %v", p.Invoke.Index, op.Value))
		}
		if op.Type == history.OK {
			definite += d
		} else {
			indeterminate += d
			infoDeltas = append(infoDeltas, d)
		}
	}
	acceptable := Ranges{{definite, definite}}
	for _, d := range infoDeltas {
		acceptable = acceptable.withShifted(d)
	}

	finalReads := []any{}
	var errors []history.Op
	for _, op := range h {
		if !op.IsClient() || !op.Final || op.Type != history.OK {
			continue
		}
		v, ok := integer(op.Value)
		if !ok {
			return unknown(fmt.Sprintf("final read %d has a non-integer value %v", op.Index, op.Value))
		}
		finalReads = append(finalReads, v)
		if !acceptable.Contains(v) {
			errors = append(errors, op)
		}
	}

	res := checker.Result{
		Valid: checker.Of(len(errors) == 0),
		Figures: map[string]any{
			"errors":            errors, // null when none, as Maelstrom's (seq errors)
			"final-reads":       finalReads,
			"acceptable":        acceptable,
			"definite-sum":      definite,
			"indeterminate-sum": indeterminate,
		},
	}
	if len(errors) > 0 {
		res.Anomalies = []string{Anomaly}
	}
	return res
}

func unknown(why string) checker.Result {
	return checker.Result{Valid: checker.Unknown, Figures: map[string]any{"error": why}}
}

// integer reads a history value as an integer: int64 from our clients and
// generator, json.Number or int from hand-made or decoded histories.
func integer(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case json.Number:
		i, err := x.Int64()
		return i, err == nil
	}
	return 0, false
}
