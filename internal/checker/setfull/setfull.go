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
// missed it. id numbers the element densely (see gather).
type element struct {
	id          int
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
	return summarize(h, gather(h, addF))
}

// gathered is what one pass over the history learns: the elements in
// Jepsen's sort order, the values read that no add sent (by elementKey,
// each as last read), and the final reads.
type gathered struct {
	elements   []*element
	unexpected map[string]any
	finals     []finalRead
}

// summarize judges every element and adds the final read misses.
func summarize(h history.History, g gathered) checker.Result {
	outcomes := make([]outcome, 0, len(g.elements))
	for _, e := range g.elements {
		outcomes = append(outcomes, judge(e))
	}
	res := results(outcomes, g.unexpected)
	if misses := finalReadMisses(h, g.finals, g.elements); len(misses) > 0 {
		if res.Top == nil {
			res.Top = map[string]any{}
		}
		res.Top[report.FinalReadMissesKey] = misses
	}
	return res
}

// elementState is an element while gather runs: positions in the history
// (-1 for none) instead of ops, and the Index of the two reads, which is
// what set-full compares.
type elementState struct {
	value                             any
	known, lastPresent, lastAbsent    int
	lastPresentIndex, lastAbsentIndex int
}

// gather is set-full's reduction over the history (set-full's check, its
// reduce over ops of SetFullElement, set-full-add and set-full-read-present
// and -absent), in one pass that costs little per value read: a history of
// n operations holds about n^2/8 read values, and Jepsen's own loop visits
// every element added so far at every read.
//
// Each added value gets a dense id, 0, 1, ... in the order of its first
// invocation, which is the order Jepsen keeps its elements in before
// sorting them; values read that no add sent get the ids after those.
// A read marks the ids it saw with its number in stamp, then walks the
// elements invoked so far reading only stamp.
func gather(h history.History, addF string) gathered {
	adds := 0
	for _, op := range h {
		if op.IsClient() && op.F == addF && op.Type == history.Invoke {
			adds++
		}
	}
	ids := newValueIDs(2*adds + 64)
	for _, op := range h {
		if op.IsClient() && op.F == addF && op.Type == history.Invoke {
			ids.id(op.Value, true)
		}
	}
	added := ids.count()
	states := make([]elementState, added)
	invoked := 0                  // elements 0 .. invoked-1 have been invoked so far
	stamp := make([]int32, added) // stamp[id] == reads: the current read saw id
	var reads int32
	unexpected := map[int32]any{} // id -> the value as last read

	invocations := map[int]int{} // process -> position of its open read invocation
	var finals []finalRead
	for i, op := range h {
		if !op.IsClient() {
			continue
		}
		switch op.F {
		case addF:
			id, found := ids.id(op.Value, false)
			if op.Type == history.Invoke {
				// A new invocation of the same value starts it afresh (assoc).
				if int(id) == invoked {
					invoked++ // its first invocation
				}
				states[id] = elementState{value: op.Value, known: -1, lastPresent: -1, lastAbsent: -1}
				continue
			}
			if found && int(id) < invoked && op.Type == history.OK && states[id].known < 0 {
				states[id].known = i
			}
		case "read":
			if op.Type == history.Invoke {
				invocations[op.Process] = i
				continue
			}
			invPos, ok := invocations[op.Process]
			delete(invocations, op.Process)
			final := ok && (h[invPos].Final || op.Final)
			if final && op.Type != history.OK {
				finals = append(finals, finalRead{op: op, completed: true})
			}
			if !ok || op.Type != history.OK {
				continue // only ok reads tell anything
			}
			reads++
			var present bitset
			if final {
				present = newBitset(added)
			}
			for _, v := range readValues(op.Value) {
				id, _ := ids.id(v, true)
				if int(id) >= added {
					unexpected[id] = v
					continue
				}
				stamp[id] = reads
				if final {
					present.set(int(id))
				}
			}
			if final {
				finals = append(finals, finalRead{op: op, completed: true, present: present})
			}
			invIndex := h[invPos].Index
			for id := range invoked {
				s := &states[id]
				if stamp[id] == reads {
					if s.known < 0 {
						s.known = i
					}
					if s.lastPresent < 0 || s.lastPresentIndex < invIndex {
						s.lastPresent, s.lastPresentIndex = invPos, invIndex
					}
				} else if s.lastAbsent < 0 || s.lastAbsentIndex < invIndex {
					s.lastAbsent, s.lastAbsentIndex = invPos, invIndex
				}
			}
		}
	}
	for _, pos := range invocations {
		if h[pos].Final {
			finals = append(finals, finalRead{op: h[pos]})
		}
	}

	g := gathered{elements: sortedElements(h, states), unexpected: map[string]any{}, finals: finals}
	for _, v := range unexpected {
		g.unexpected[elementKey(v)] = v
	}
	return g
}

// sortedElements turns the states into elements, in the order of their
// values (Clojure's sort, see compareElements). The ops they name are
// copies, one per history entry, as Jepsen's elements share the op records.
func sortedElements(h history.History, states []elementState) []*element {
	copies := map[int]*history.Op{}
	opAt := func(pos int) *history.Op {
		if pos < 0 {
			return nil
		}
		if op, done := copies[pos]; done {
			return op
		}
		op := h[pos]
		copies[pos] = &op
		return &op
	}
	type sortKey struct {
		small   int64 // the value, when it is an integer that fits in int64
		isSmall bool
	}
	keys := make([]sortKey, len(states))
	elements := make([]*element, len(states))
	for id, s := range states {
		keys[id].small, keys[id].isSmall = smallInteger(s.value)
		elements[id] = &element{id: id, value: s.value,
			known: opAt(s.known), lastPresent: opAt(s.lastPresent), lastAbsent: opAt(s.lastAbsent)}
	}
	sort.SliceStable(elements, func(i, j int) bool {
		a, b := keys[elements[i].id], keys[elements[j].id]
		if a.isSmall && b.isSmall {
			return a.small < b.small // compareElements, without big.Int
		}
		return compareElements(elements[i].value, elements[j].value) < 0
	})
	return elements
}

// finalRead is a read of the final phase: its ok completion with the ids
// of the elements it saw, any other completion, or (completed false) its
// invocation.
type finalRead struct {
	op        history.Op
	completed bool
	present   bitset // non-nil exactly when the read completed ok
}

// bitset is a set of element ids.
type bitset []uint64

func newBitset(n int) bitset    { return make(bitset, (n+63)/64) }
func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }

// finalReadMisses says, one line per final read, which known values
// (acknowledged, or seen by some ok read) it lacks, and which final reads
// did not complete ok: the first thing to look at when values are lost. It
// is the workbench's, not set-full's, and never changes the verdict.
func finalReadMisses(h history.History, finals []finalRead, sorted []*element) []string {
	slices.SortStableFunc(finals, func(a, b finalRead) int { return report.CompareFinalReads(a.op, b.op) })
	name := report.FinalReadNamer(h)
	known := 0
	for _, e := range sorted {
		if e.known != nil {
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
		for _, e := range sorted {
			if e.known != nil && !fr.present.has(e.id) {
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

// valueIDs numbers distinct values densely, identifying values as
// elementKey does: an integer that fits in int64, in whatever form
// (int64 from a client, json.Number from the wire), by its value, which
// costs no allocation; anything else by elementKey. Integers in [0,
// len(dense)), which is what clients add (0, 1, 2, ...), are looked up in
// a table rather than a map.
type valueIDs struct {
	dense []int32 // dense[n] is 1 + the id of integer n, or 0
	small map[int64]int32
	other map[string]int32
	n     int
}

// newValueIDs makes a table for the integers 0 .. denseBelow-1.
func newValueIDs(denseBelow int) *valueIDs {
	return &valueIDs{dense: make([]int32, denseBelow), small: map[int64]int32{}, other: map[string]int32{}}
}

func (t *valueIDs) count() int { return t.n }

// id is v's id; if v has none, create gives it the next one, else found is
// false.
func (t *valueIDs) id(v any, create bool) (id int32, found bool) {
	if n, ok := smallInteger(v); ok {
		if n >= 0 && n < int64(len(t.dense)) {
			if d := t.dense[n]; d != 0 {
				return d - 1, true
			}
			if !create {
				return 0, false
			}
			t.dense[n] = int32(t.n) + 1
			t.n++
			return int32(t.n - 1), false
		}
		if id, found = t.small[n]; !found && create {
			id = int32(t.n)
			t.small[n] = id
			t.n++
		}
		return id, found
	}
	key := elementKey(v)
	if id, found = t.other[key]; !found && create {
		id = int32(t.n)
		t.other[key] = id
		t.n++
	}
	return id, found
}

// smallInteger is v's value if v is an integer (as integer reads it) that
// fits in int64. Decimal text of up to 18 digits, the form of every integer
// a client reads from the wire, is parsed here directly.
func smallInteger(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number: // first: it is what reads hold
		if n, ok := shortDecimal(string(x)); ok {
			return n, true
		}
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	}
	if i, ok := integer(v); ok && i.IsInt64() {
		return i.Int64(), true
	}
	return 0, false
}

// shortDecimal parses -?[0-9]{1,18}, which cannot overflow int64; it
// reports false for any other text (big.Int's SetString then decides).
func shortDecimal(s string) (int64, bool) {
	neg := len(s) > 0 && s[0] == '-'
	digits := s
	if neg {
		digits = s[1:]
	}
	if len(digits) == 0 || len(digits) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
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
