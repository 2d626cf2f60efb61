// Package setfull is Jepsen's set-full checker (jepsen/checker.clj,
// set-full, in its default non-linearizable mode), shared by the two
// Maelstrom workloads that use it: g-set (g_set.clj calls it directly) and
// broadcast (broadcast.clj's checker, which renames :broadcast to :add
// first). Elements are added by one operation each and reads return every
// element present; each element ends up stable, lost or never read.
package setfull

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/wire"
)

// Quantiles are the points at which Jepsen's set-full reports latencies.
var Quantiles = []float64{0, 0.5, 0.95, 0.99, 1}

// maxUnexpectedShown caps the example list of unexpected values.
const maxUnexpectedShown = 32

// element is Jepsen's SetFullElement: what the history tells about one
// added value. known is the ok completion of the add or the first
// ok read that saw the value, whichever came first; lastPresent and
// lastAbsent are the latest-invoked reads (their invocations) that saw and
// missed it.
type element struct {
	value       any
	known       *history.Op
	lastPresent *history.Op
	lastAbsent  *history.Op
}

// outcome of one element, as set-full-element-results computes it.
type outcome struct {
	el            *element
	kind          string // "stable", "lost" or "never-read"
	stableLatency int64  // ms, when stable
	lostLatency   int64  // ms, when lost
}

// Check is set-full on h, with addF as the name of the add operation:
// "add" for g-set, "broadcast" for broadcast. Maelstrom's broadcast checker
// renames :broadcast to :add before calling set-full; taking the name instead
// keeps the ops in the figures (worst-stale's known) as the history has
// them. It is a pure function of the history.
//
// Figures and verdict follow set-full exactly, including two quirks:
//   - duplicated-count / duplicated are always 0 / {}: set-full only records
//     values whose multiplicity in a read is below 1, which never happens, so
//     a node that returns a value twice in one read is not caught.
//   - values in reads that no add in the history sent are ignored by the
//     verdict. We still count them as unexpected-count (distinct values) and
//     list up to 32 as unexpected, because the issue asks for the figure,
//     but they never change the verdict: Maelstrom passes such a run, and
//     our verdict must be Maelstrom's.
//
// Beyond set-full, Top[report.FinalReadMissesKey] names each final read
// that lacks known values or did not complete ok (see finalReadMisses).
func Check(h history.History, addF string) checker.Result {
	var order []string // element keys in first-invocation order
	elements := map[string]*element{}
	addedKeys := map[string]bool{}
	for _, op := range h {
		if op.IsClient() && op.F == addF && op.Type == history.Invoke {
			addedKeys[elementKey(op.Value)] = true
		}
	}

	unexpected := map[string]any{}
	invocations := map[int]history.Op{} // process -> its open read invocation
	var finals []finalRead
	for _, op := range h {
		if !op.IsClient() {
			continue
		}
		switch op.F {
		case addF:
			key := elementKey(op.Value)
			if op.Type == history.Invoke {
				// A new invocation of the same value starts it afresh (assoc).
				if _, seen := elements[key]; !seen {
					order = append(order, key)
				}
				elements[key] = &element{value: op.Value}
				continue
			}
			if e := elements[key]; e != nil && op.Type == history.OK && e.known == nil {
				known := op
				e.known = &known
			}
		case "read":
			if op.Type == history.Invoke {
				invocations[op.Process] = op
				continue
			}
			inv, ok := invocations[op.Process]
			delete(invocations, op.Process)
			final := ok && (inv.Final || op.Final)
			if final && op.Type != history.OK {
				finals = append(finals, finalRead{op: op, completed: true})
			}
			if !ok || op.Type != history.OK {
				continue // only ok reads tell anything
			}
			present := map[string]bool{}
			for _, v := range readValues(op.Value) {
				k := elementKey(v)
				present[k] = true
				if !addedKeys[k] {
					unexpected[k] = v
				}
			}
			if final {
				finals = append(finals, finalRead{op: op, completed: true, present: present})
			}
			comp := op
			for _, key := range order {
				e := elements[key]
				if present[key] {
					if e.known == nil {
						e.known = &comp
					}
					if e.lastPresent == nil || e.lastPresent.Index < inv.Index {
						e.lastPresent = &inv
					}
				} else if e.lastAbsent == nil || e.lastAbsent.Index < inv.Index {
					e.lastAbsent = &inv
				}
			}
		}
	}

	sort.SliceStable(order, func(i, j int) bool {
		return compareElements(elements[order[i]].value, elements[order[j]].value) < 0
	})
	outcomes := make([]outcome, 0, len(order))
	for _, key := range order {
		outcomes = append(outcomes, judge(elements[key]))
	}
	for _, inv := range invocations {
		if inv.Final {
			finals = append(finals, finalRead{op: inv})
		}
	}
	res := results(outcomes, unexpected)
	if misses := finalReadMisses(h, finals, order, elements); len(misses) > 0 {
		if res.Top == nil {
			res.Top = map[string]any{}
		}
		res.Top[report.FinalReadMissesKey] = misses
	}
	return res
}

// finalRead is a read of the final phase: its ok completion with the values
// it saw, any other completion, or (completed false) its invocation.
type finalRead struct {
	op        history.Op
	completed bool
	present   map[string]bool // element keys, when ok
}

// finalReadMisses says, one line per final read, which known values
// (acknowledged, or seen by some ok read) it lacks, and which final reads
// did not complete ok: the first thing to look at when values are lost. It
// is the workbench's, not set-full's, and never changes the verdict.
func finalReadMisses(h history.History, finals []finalRead, sortedKeys []string, elements map[string]*element) []string {
	slices.SortStableFunc(finals, func(a, b finalRead) int { return report.CompareFinalReads(a.op, b.op) })
	name := report.FinalReadNamer(h)
	known := 0
	for _, key := range sortedKeys {
		if elements[key].known != nil {
			known++
		}
	}
	var lines []string
	for _, fr := range finals {
		if fr.present == nil {
			lines = append(lines, report.FinalReadNotOK(name(fr.op), fr.op, fr.completed))
			continue
		}
		var lacks []string
		for _, key := range sortedKeys {
			if e := elements[key]; e.known != nil && !fr.present[key] {
				lacks = append(lacks, wire.Key(e.value))
			}
		}
		if len(lacks) > 0 {
			lines = append(lines, fmt.Sprintf("%s lacks %d of %d values: %s", name(fr.op), len(lacks), known, report.ValueList(lacks)))
		}
	}
	return lines
}

// judge is set-full-element-results.
func judge(e *element) outcome {
	idx := func(op *history.Op) int {
		if op == nil {
			return -1
		}
		return op.Index
	}
	o := outcome{el: e, kind: "never-read"}
	stable := e.lastPresent != nil && idx(e.lastAbsent) < idx(e.lastPresent)
	lost := e.known != nil && e.lastAbsent != nil &&
		idx(e.lastPresent) < idx(e.lastAbsent) && e.known.Index < e.lastAbsent.Index
	switch {
	case stable:
		o.kind = "stable"
		var t time.Duration // 0 when no read ever missed it
		if e.lastAbsent != nil {
			t = e.lastAbsent.Time + 1
		}
		o.stableLatency = millis(t - e.known.Time)
	case lost:
		o.kind = "lost"
		var t time.Duration
		if e.lastPresent != nil {
			t = e.lastPresent.Time + 1
		}
		o.lostLatency = millis(t - e.known.Time)
	}
	return o
}

// millis is Jepsen's (long (nanos->ms (max 0 d))): truncated whole ms.
func millis(d time.Duration) int64 {
	if d < 0 {
		return 0
	}
	return int64(d / time.Millisecond)
}

// results is set-full-results plus the unexpected figure.
func results(outcomes []outcome, unexpected map[string]any) checker.Result {
	var lost, neverRead, stale []any
	var stableLat, lostLat []int64
	var staleOutcomes []outcome
	stableCount := 0
	for _, o := range outcomes {
		switch o.kind {
		case "stable":
			stableCount++
			stableLat = append(stableLat, o.stableLatency)
			if o.stableLatency > 0 {
				stale = append(stale, o.el.value)
				staleOutcomes = append(staleOutcomes, o)
			}
		case "lost":
			lost = append(lost, o.el.value)
			lostLat = append(lostLat, o.lostLatency)
		default:
			neverRead = append(neverRead, o.el.value)
		}
	}

	// worst-stale: (take 8 (reverse (sort-by :stable-latency stale))). The
	// sort is stable over element order, so among equal latencies the larger
	// elements come first after the reverse.
	sort.SliceStable(staleOutcomes, func(i, j int) bool {
		return staleOutcomes[i].stableLatency < staleOutcomes[j].stableLatency
	})
	worst := []map[string]any{}
	for i := len(staleOutcomes) - 1; i >= 0 && len(worst) < 8; i-- {
		o := staleOutcomes[i]
		worst = append(worst, map[string]any{
			"element":        o.el.value,
			"outcome":        o.kind,
			"stable-latency": o.stableLatency,
			"lost-latency":   nil,
			"known":          o.el.known,
			"last-absent":    o.el.lastAbsent,
		})
	}

	var unexpectedKeys []string
	for k := range unexpected {
		unexpectedKeys = append(unexpectedKeys, k)
	}
	sort.Slice(unexpectedKeys, func(i, j int) bool {
		return compareElements(unexpected[unexpectedKeys[i]], unexpected[unexpectedKeys[j]]) < 0
	})
	unexpectedShown := []any{}
	for _, k := range unexpectedKeys {
		if len(unexpectedShown) == maxUnexpectedShown {
			break
		}
		unexpectedShown = append(unexpectedShown, unexpected[k])
	}

	figures := map[string]any{
		"attempt-count":    len(outcomes),
		"stable-count":     stableCount,
		"lost-count":       len(lost),
		"lost":             nonNil(lost),
		"never-read-count": len(neverRead),
		"never-read":       nonNil(neverRead),
		"stale-count":      len(stale),
		"stale":            nonNil(stale),
		"worst-stale":      worst,
		"duplicated-count": 0,
		"duplicated":       map[string]any{},
		"unexpected-count": len(unexpected),
		"unexpected":       unexpectedShown,
	}
	res := checker.Result{Valid: checker.Valid, Figures: figures}
	if len(stableLat) > 0 {
		q := Distribution(stableLat)
		figures["stable-latencies"] = q
		res.Top = map[string]any{"stable_latency_ms": q}
	}
	if len(lostLat) > 0 {
		figures["lost-latencies"] = Distribution(lostLat)
	}
	switch {
	case len(lost) > 0:
		res.Valid = checker.Invalid
		res.Anomalies = []string{"lost"}
	case stableCount == 0:
		res.Valid = checker.Unknown
	}
	return res
}

// Distribution is Jepsen's frequency-distribution at Quantiles: the value at
// index min(n-1, floor(n*q)) of the sorted sample, keyed "0", "0.5", "0.95",
// "0.99", "1". The float product is the same IEEE operation the JVM does.
func Distribution(sample []int64) map[string]int64 {
	sorted := append([]int64(nil), sample...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	n := len(sorted)
	out := map[string]int64{}
	for _, q := range Quantiles {
		i := min(n-1, int(math.Floor(float64(n)*q)))
		out[strconv.FormatFloat(q, 'f', -1, 64)] = sorted[i]
	}
	return out
}

func nonNil(xs []any) []any {
	if xs == nil {
		return []any{}
	}
	return xs
}

// readValues is the list a read returned; null (or anything that is not a
// list, which the client never records) reads as nothing.
func readValues(v any) []any {
	xs, _ := v.([]any)
	return xs
}

// elementKey identifies a value as Clojure's = does for what the wire can
// carry: integers by numeric value whatever their Go type (1 = 1N), anything
// else by its canonical JSON (so 1.0 is not 1).
func elementKey(v any) string {
	if i, ok := integer(v); ok {
		return "i" + i.String()
	}
	return "j" + wire.Key(v)
}

// integer converts the integer forms a history may hold.
func integer(v any) (*big.Int, bool) {
	switch x := v.(type) {
	case int:
		return big.NewInt(int64(x)), true
	case int64:
		return big.NewInt(x), true
	case int32:
		return big.NewInt(int64(x)), true
	case uint64:
		return new(big.Int).SetUint64(x), true
	case json.Number:
		return new(big.Int).SetString(string(x), 10)
	}
	return nil, false
}

// compareElements orders elements as Clojure's sort does for numbers
// (numerically); other values, which Maelstrom could not sort alongside
// numbers, go after them in canonical-JSON order.
func compareElements(a, b any) int {
	ia, oka := integer(a)
	ib, okb := integer(b)
	switch {
	case oka && okb:
		return ia.Cmp(ib)
	case oka:
		return -1
	case okb:
		return 1
	}
	ka, kb := wire.Key(a), wire.Key(b)
	switch {
	case ka < kb:
		return -1
	case ka > kb:
		return 1
	}
	return 0
}
