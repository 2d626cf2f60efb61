// Package counter is the checker of Maelstrom's counter workloads
// (pn_counter.clj, checker; g_counter.clj reuses it unchanged): every final
// read must be a sum the acknowledged adds and any subset of the
// indeterminate ones allow.
package counter

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/report"
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

// Check is pn-counter's checker (g-counter uses it unchanged), on adds of
// any sign:
//
//   - the definite sum is the total of the deltas of ok adds;
//   - the acceptable set starts as {definite} and, for each info add of d,
//     becomes acceptable ∪ (acceptable + d);
//   - every ok op flagged final (the final reads) must read a value in the
//     acceptable set. Other reads are not checked at all, and with no ok
//     final read the history is (vacuously) valid.
//
// The adds are the ok and info completions of f add, and as info the add
// invocations that never completed (see addsOf). A non-integer final read or
// delta, or a sum beyond a long, makes the verdict unknown, as the
// reference's assertion or overflow would.
//
// Beyond pn-counter, Top[report.FinalReadMissesKey] names each final read
// that is not acceptable or did not complete ok (see finalReadMisses).
func Check(h history.History) checker.Result {
	var definite, indeterminate int64
	var infoDeltas []int64
	for _, op := range addsOf(h) {
		d, ok := integer(op.Value)
		if !ok {
			return unknown(fmt.Sprintf("add %d has a non-integer delta %v", op.Index, op.Value))
		}
		var overflow bool
		if op.Type == history.OK {
			definite, overflow = addExact(definite, d)
		} else {
			indeterminate, overflow = addExact(indeterminate, d)
			infoDeltas = append(infoDeltas, d)
		}
		if overflow {
			// Clojure's + throws on long overflow, and the checker with it.
			return unknown(fmt.Sprintf("add %d: the sum of the deltas overflows a long", op.Index))
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
	if misses := finalReadMisses(h, acceptable); len(misses) > 0 {
		res.Top = map[string]any{report.FinalReadMissesKey: misses}
	}
	return res
}

// finalReadMisses says, one line per final read, which read a sum outside
// the acceptable set and by how much, and which did not complete ok: the
// first thing to look at when adds are lost. It is the workbench's, not
// pn-counter's, and never changes the verdict.
func finalReadMisses(h history.History, acceptable Ranges) []string {
	name := report.FinalReadNamer(h)
	var finals []history.Pair
	for _, p := range h.Pairs() {
		if p.Invoke.Final && p.Invoke.F == "read" {
			finals = append(finals, p)
		}
	}
	slices.SortStableFunc(finals, func(a, b history.Pair) int { return report.CompareFinalReads(a.Invoke, b.Invoke) })
	var lines []string
	for _, p := range finals {
		if !p.Complete || p.Completion.Type != history.OK {
			op := p.Completion
			if !p.Complete {
				op = p.Invoke
			}
			lines = append(lines, report.FinalReadNotOK(name(op), op, p.Complete))
			continue
		}
		v, ok := integer(p.Completion.Value)
		if !ok || acceptable.Contains(v) {
			continue
		}
		lines = append(lines, fmt.Sprintf("%s is %d: %s", name(p.Completion), v, acceptable.miss(v)))
	}
	return lines
}

// miss says how x, which is not in rs, misses it.
func (rs Ranges) miss(x int64) string {
	i := sort.Search(len(rs), func(i int) bool { return rs[i][0] > x })
	switch i {
	case 0:
		return fmt.Sprintf("it lacks at least %d (acceptable: %s)", rs[0][0]-x, rs)
	case len(rs):
		return fmt.Sprintf("at least %d more than any acceptable sum (acceptable: %s)", x-rs[i-1][1], rs)
	}
	return fmt.Sprintf("between the acceptable sums %d and %d", rs[i-1][1], rs[i][0])
}

// String renders the set as "25", "25..31" or "1..3, 7..9", the first few
// intervals only.
func (rs Ranges) String() string {
	const shown = 4
	var parts []string
	for i, r := range rs {
		if i == shown {
			parts = append(parts, "...")
			break
		}
		if r[0] == r[1] {
			parts = append(parts, fmt.Sprint(r[0]))
		} else {
			parts = append(parts, fmt.Sprintf("%d..%d", r[0], r[1]))
		}
	}
	return strings.Join(parts, ", ")
}

// addsOf lists the adds the sums count, in history order: every ok or info
// completion of f add, as pn_counter.clj filters them (so a history of bare
// completions, as pn_counter_test.clj's, counts too), then, as info, every
// add invocation that never completed (Jepsen records an op it abandons as
// info). A completion without a value takes its invocation's.
func addsOf(h history.History) []history.Op {
	var adds []history.Op
	open := map[int]history.Op{} // process -> its invocation awaiting completion
	for _, op := range h {
		if !op.IsClient() {
			continue
		}
		if op.Type == history.Invoke {
			open[op.Process] = op
			continue
		}
		inv, invoked := open[op.Process]
		delete(open, op.Process)
		if op.F != "add" || (op.Type != history.OK && op.Type != history.Info) {
			continue
		}
		if op.Value == nil && invoked {
			op.Value = inv.Value
		}
		adds = append(adds, op)
	}
	var abandoned []history.Op
	for _, inv := range open {
		if inv.F == "add" {
			inv.Type = history.Info
			abandoned = append(abandoned, inv)
		}
	}
	slices.SortFunc(abandoned, func(a, b history.Op) int { return a.Index - b.Index })
	return append(adds, abandoned...)
}

// addExact is a + b, and whether it overflowed an int64.
func addExact(a, b int64) (int64, bool) {
	sum := a + b
	return sum, (b > 0 && sum < a) || (b < 0 && sum > a)
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
