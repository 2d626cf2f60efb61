package elle

import (
	"fmt"
	"slices"
	"sort"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
)

// This file is Elle's list-append analysis (elle.list-append, v0.2.2) as
// Maelstrom's txn-list-append workload runs it: jepsen.tests.cycle.append's
// checker calls elle.list-append/check with the test's options, of which
// only --consistency-models matters, and Maelstrom adds no wrapper, so
// Elle's own verdict stands (empty-transaction-graph and
// cycle-search-timeout alone make it unknown, not false).
//
// A transaction's micro-ops are reads ["r", k, list] and appends
// ["append", k, element]. Every read shows the whole order of the appends
// to k so far, so the longest read of each key is its version order, and
// from it come the dependency edges between transactions:
//
//   - wr: T2 read a list whose last element T1 appended;
//   - ww: T2 appended right after T1's element in the version order;
//   - rw: T1 read the state that T2's append then extended;
//
// plus realtime or process edges when the models need them. The cycle
// search, naming and models are the ones rw-register uses (depgraph.go,
// cycles.go, model.go). The anomalies found without a cycle: G1a (read an
// element a failed txn appended), G1b (read a state whose last element
// was not its writer's final append to the key), internal (a read that
// disagrees with the txn's own earlier reads and appends), future-read (a
// read of an element the txn appends later), dirty-update (a committed
// append right after a failed one in a version order), duplicate-elements,
// incompatible-order (two reads of a key neither of which extends the
// other) and lost-update.

// appendF is list-append's write micro-op.
const appendF = "append"

// initState stands for Elle's ::init, the state of a key before its first
// append. It is never canonical JSON, so it never equals an element.
const initState = ""

// initName is how ::init appears in reports.
const initName = "elle.list-append/init"

// unknownPrefix stands for Elle's '... at the head of an expected state
// whose beginning the txn never saw (internal).
const unknownPrefix = "..."

// CheckListAppend analyses a history of txn-list-append operations (values:
// lists of [f k v] micro-ops, f "r" or "append").
func CheckListAppend(h history.History, opts Options) checker.Result {
	set, err := opts.resolve()
	if err != nil {
		return unknown(err)
	}
	l, err := load(h, parseAppendTxn)
	if err != nil {
		return unknown(err)
	}
	if err := l.duplicateAppend(); err != nil {
		return unknown(err)
	}
	a := newListAnalysis(l)

	anomalies := map[string][]any{}
	add := func(typ string, cases []any) {
		if len(cases) > 0 {
			anomalies[typ] = append(anomalies[typ], cases...)
		}
	}
	add("G1a", a.g1a())
	add("G1b", a.g1b())
	internal, future := a.internal()
	add("internal", internal)
	add("future-read", future)
	add("duplicate-elements", a.duplicates())
	add("incompatible-order", incompatibleOrders(a.states))
	add("lost-update", a.lostUpdate())

	extra := extraEdges(set.reportable)
	deps := &depGraph{log: l, g: a.graph(extra), extra: extra, explainDeps: a.explainDeps}
	graphFigures, err := deps.findCycles(set.budget, anomalies)
	if err != nil {
		return unknown(err)
	}

	// dirty-update-cases asserts that some txn appended every element a read
	// shows. Elle derefs it only after the cycle search, so the search's
	// errors win; an AssertionError escapes jepsen.checker/check-safe, and
	// Maelstrom's whole result becomes unknown (see Check's key-type
	// assertion).
	dirty, err := a.dirtyUpdates()
	if err != nil {
		r := unknown(err)
		r.WholeResultUnknown = true
		return r
	}
	add("dirty-update", dirty)

	// elle.txn/result-map: valid when nothing reportable was found, false
	// when something prohibited was, unknown otherwise.
	types := append([]string{}, reportableTypes(anomalies, set.reportable)...)
	valid := checker.Valid
	if len(types) > 0 {
		valid = checker.Unknown
		for t := range anomalies {
			if set.prohibited[t] {
				valid = checker.Invalid
			}
		}
	}
	figures := reportFigures(set.models, anomalies, types, len(types) > 0)
	figures["valid?"] = validFigure(valid)
	figures["inference"] = map[string]any{
		"version_order": "each key's longest read by an ok or info txn (a key no read shows and that one append wrote: that element)",
		"keys_ordered":  len(a.order),
	}
	figures["txns"] = l.txnCounts()
	figures["graph"] = graphFigures
	return checker.Result{Valid: valid, Anomalies: types, Figures: figures}
}

// validFigure is a verdict as Elle's :valid? shows it.
func validFigure(v checker.Validity) any {
	switch v {
	case checker.Valid:
		return true
	case checker.Invalid:
		return false
	}
	return "unknown"
}

// parseAppendTxn reads an op's value as a list-append transaction; a read's
// value must be a list or null. (Elle throws on other micro-op types,
// elle.list-append/verify-mop-types, and the check is unknown.) Elle
// destructures a micro-op as [f k v], so a read written ["r", k], as in
// Elle's own test histories, reads null.
func parseAppendTxn(v any) ([]mop, error) {
	if list, ok := v.([]any); ok {
		padded := make([]any, len(list))
		for i, e := range list {
			if m, ok := e.([]any); ok && len(m) == 2 && m[0] == "r" {
				e = []any{m[0], m[1], nil}
			}
			padded[i] = e
		}
		v = padded
	}
	ms, err := parseTxn(v, appendF)
	if err != nil {
		return nil, err
	}
	for i, m := range ms {
		if !m.read || m.isNil() {
			continue
		}
		list, ok := m.raw[2].([]any)
		if !ok {
			return nil, fmt.Errorf("read %v: the value is not a list", m.raw)
		}
		ms[i].list = make([]string, len(list))
		for j, e := range list {
			ms[i].list[j] = wire.Key(e)
		}
	}
	return ms, nil
}

// duplicateAppend is elle.list-append/verify-unique-appends: no element is
// appended to a key by two invocations (or twice by one). Maelstrom's
// generator never does it; Elle would throw, and the check is unknown.
func (l *opLog) duplicateAppend() error {
	seen := map[[2]string]bool{}
	for _, e := range l.entries {
		if e.op.Type != history.Invoke {
			continue
		}
		for _, m := range e.mops {
			if m.read {
				continue
			}
			if kv := [2]string{m.key, m.val}; seen[kv] {
				return fmt.Errorf("value %s appended to key %s multiple times (op %d)", m.val, m.key, e.op.Index)
			} else {
				seen[kv] = true
			}
		}
	}
	return nil
}

// lastElement is the last element a read shows: the state it observed,
// initState for an empty list or null.
func (m mop) lastElement() string {
	if len(m.list) == 0 {
		return initState
	}
	return m.list[len(m.list)-1]
}

// appendOrder is one key's version order: Elle's append-index entry.
type appendOrder struct {
	values  []string       // the distinct elements of the key's longest read, in order
	indices map[string]int // element -> its position in values
}

// listAnalysis is what elle.list-append/preprocess computes over the ok and
// info txns (h/possible), which the graph and its explainers use.
type listAnalysis struct {
	*opLog
	possible []*txn
	states   map[string][][]string               // sorted-values: key -> distinct non-empty reads, shortest first
	order    map[string]*appendOrder             // append-index: key -> version order
	writer   map[string]map[string]*txn          // write-index: key -> element -> txn that appended it
	readers  map[string]map[string]map[*txn]bool // read-index: key -> state read (its last element) -> txns
}

func newListAnalysis(l *opLog) *listAnalysis {
	a := &listAnalysis{opLog: l, possible: l.ofType(history.OK, history.Info),
		writer: map[string]map[string]*txn{}, readers: map[string]map[string]map[*txn]bool{}}
	var ops [][]mop
	for _, t := range a.possible {
		ops = append(ops, t.mops)
	}
	a.states = observedStates(ops)
	a.order = appendIndex(a.states)
	for _, t := range a.possible {
		for _, m := range t.mops {
			if !m.read {
				if a.writer[m.key] == nil {
					a.writer[m.key] = map[string]*txn{}
				}
				a.writer[m.key][m.val] = t
				continue
			}
			// An info txn's null read is the invocation's placeholder, not
			// something it observed (read-index).
			if t.typ == history.Info && m.isNil() {
				continue
			}
			byState := a.readers[m.key]
			if byState == nil {
				byState = map[string]map[*txn]bool{}
				a.readers[m.key] = byState
			}
			if byState[m.lastElement()] == nil {
				byState[m.lastElement()] = map[*txn]bool{}
			}
			byState[m.lastElement()][t] = true
		}
	}
	return a
}

// observedStates is elle.list-append/sorted-values over the micro-ops of the
// given ops: each key's distinct non-empty read values, shortest first. A
// key that no read shows but that exactly one micro-op appended to is taken
// to have had the single state [element] (values-from-single-appends).
// Elle breaks ties between reads of one length in hash order; we keep them
// in history order. Ties only arise between reads that contradict each
// other (an incompatible order), where they pick the reported pair and the
// key's version order.
func observedStates(ops [][]mop) map[string][][]string {
	states := map[string][][]string{}
	seen := map[string]map[string]bool{} // key -> canonical JSON of the lists recorded
	appends := map[string][]string{}     // key -> elements appended
	for _, ms := range ops {
		for _, m := range ms {
			switch {
			case !m.read:
				appends[m.key] = append(appends[m.key], m.val)
			case len(m.list) > 0 && !seen[m.key][m.val]:
				if seen[m.key] == nil {
					seen[m.key] = map[string]bool{}
				}
				seen[m.key][m.val] = true
				states[m.key] = append(states[m.key], m.list)
			}
		}
	}
	for k, elems := range appends {
		if len(elems) == 1 && states[k] == nil {
			states[k] = [][]string{elems}
		}
	}
	for _, vs := range states {
		sort.SliceStable(vs, func(i, j int) bool { return len(vs[i]) < len(vs[j]) })
	}
	return states
}

// appendIndex is elle.list-append/append-index: each key's version order is
// the distinct elements of its longest read (every other read, if the
// orders are compatible, is a prefix of it).
func appendIndex(states map[string][][]string) map[string]*appendOrder {
	out := map[string]*appendOrder{}
	for k, vs := range states {
		o := &appendOrder{indices: map[string]int{}}
		for _, e := range vs[len(vs)-1] {
			if _, dup := o.indices[e]; !dup {
				o.indices[e] = len(o.values)
				o.values = append(o.values, e)
			}
		}
		out[k] = o
	}
	return out
}

// incompatibleOrders is elle.list-append/incompatible-orders: for each key,
// the first pair of reads, by length, of which the shorter is not a prefix
// of the longer.
func incompatibleOrders(states map[string][][]string) []any {
	var cases []any
	for _, k := range sortedMapKeys(states) {
		vs := states[k]
		for i := 1; i < len(vs); i++ {
			if !isPrefix(vs[i-1], vs[i]) {
				cases = append(cases, map[string]any{"key": rawJSON(k), "values": []any{listJSON(vs[i-1]), listJSON(vs[i])}})
				break
			}
		}
	}
	return cases
}

func isPrefix(a, b []string) bool {
	if len(a) > len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func listJSON(elems []string) []any {
	out := make([]any, len(elems))
	for i, e := range elems {
		out[i] = rawJSON(e)
	}
	return out
}

// elementJSON reports an element, or ::init.
func elementJSON(e string) any {
	if e == initState {
		return initName
	}
	return rawJSON(e)
}

// previouslyAppended is elle.list-append/previously-appended-element: the
// element appended to k just before v in the version order, initState if v
// came first. An element no read shows came after every element a read
// shows, so for it that is the last one (or initState if none).
func (a *listAnalysis) previouslyAppended(k, v string) string {
	o := a.order[k]
	if o == nil || len(o.values) == 0 {
		return initState
	}
	i, known := o.indices[v]
	switch {
	case !known:
		return o.values[len(o.values)-1]
	case i == 0:
		return initState
	}
	return o.values[i-1]
}

// wrDep is wr-mop-dep: the other txn that appended the last element read
// m shows, or nil.
func (a *listAnalysis) wrDep(t *txn, m mop) *txn {
	if len(m.list) == 0 {
		return nil
	}
	if w := a.writer[m.key][m.lastElement()]; w != t {
		return w
	}
	return nil
}

// wwDep is ww-mop-dep: the other txn that appended the element right
// before append m, or nil.
func (a *listAnalysis) wwDep(t *txn, m mop) *txn {
	prev := a.previouslyAppended(m.key, m.val)
	if prev == initState {
		return nil
	}
	if w := a.writer[m.key][prev]; w != t {
		return w
	}
	return nil
}

// rwDeps is rw-mop-deps: the other txns that read the state append m
// extended.
func (a *listAnalysis) rwDeps(t *txn, m mop) []*txn {
	var out []*txn
	for r := range a.readers[m.key][a.previouslyAppended(m.key, m.val)] {
		if r != t {
			out = append(out, r)
		}
	}
	return out
}

// graph is elle.list-append/graph (ww, wr and rw edges between the ok and
// info txns) merged with the additional graph.
func (a *listAnalysis) graph(extra string) *digraph {
	g := newDigraph()
	for _, t := range a.possible {
		for _, m := range t.mops {
			if m.read {
				if w := a.wrDep(t, m); w != nil {
					g.link(w.id, t.id, relWR)
				}
				continue
			}
			if w := a.wwDep(t, m); w != nil {
				g.link(w.id, t.id, relWW)
			}
			for _, r := range a.rwDeps(t, m) {
				g.link(r.id, t.id, relRW)
			}
		}
	}
	a.addExtraEdges(g, extra)
	return g
}

// explainDeps says why txn y depends on txn x with list-append's explainers
// in the order elle.list-append/graph combines them: ww, wr, rw. Each looks
// at y's micro-ops in order and reports the first that depends on x, with
// the positions of the micro-ops involved.
func (a *listAnalysis) explainDeps(x, y *txn) map[string]any {
	for _, m := range y.mops {
		if !m.read && a.wwDep(y, m) == x {
			prev := a.previouslyAppended(m.key, m.val)
			return map[string]any{"type": "ww", "key": rawJSON(m.key), "value": elementJSON(prev), "value'": rawJSON(m.val),
				"a-mop-index": x.indexOfAppend(m.key, prev), "b-mop-index": y.indexOf(m)}
		}
	}
	for _, m := range y.mops {
		if m.read && a.wrDep(y, m) == x {
			last := m.lastElement()
			return map[string]any{"type": "wr", "key": rawJSON(m.key), "value": rawJSON(last),
				"a-mop-index": x.indexOfAppend(m.key, last), "b-mop-index": y.indexOf(m)}
		}
	}
	for i, m := range y.mops {
		if m.read || x == y {
			continue
		}
		prev := a.previouslyAppended(m.key, m.val)
		if a.readers[m.key][prev][x] {
			return map[string]any{"type": "rw", "key": rawJSON(m.key), "value": elementJSON(prev), "value'": rawJSON(m.val),
				"a-mop-index": x.indexOfRead(m.key, prev), "b-mop-index": i}
		}
	}
	return nil
}

// indexOf is the position of the first micro-op equal to m (Java's
// List.indexOf, as Elle uses it), -1 if none.
func (t *txn) indexOf(m mop) int {
	for i, o := range t.mops {
		if o.read == m.read && o.key == m.key && o.val == m.val {
			return i
		}
	}
	return -1
}

func (t *txn) indexOfAppend(k, v string) int { return t.indexOf(mop{key: k, val: v}) }

// indexOfRead is the position of t's first read of k that observed state
// (its last element, or an empty list for initState), -1 if none.
func (t *txn) indexOfRead(k, state string) int {
	for i, m := range t.mops {
		if m.read && m.key == k && m.lastElement() == state {
			return i
		}
	}
	return -1
}

// g1a is elle.list-append/g1a-cases: an element an ok txn read was
// appended by a failed txn. Every such element is a case.
func (a *listAnalysis) g1a() []any {
	failed := map[string]map[string]*txn{}
	for _, t := range a.ofType(history.Fail) {
		for _, m := range t.mops {
			if !m.read {
				if failed[m.key] == nil {
					failed[m.key] = map[string]*txn{}
				}
				failed[m.key][m.val] = t
			}
		}
	}
	var cases []any
	for _, t := range a.oks() {
		for _, m := range t.mops {
			if !m.read {
				continue
			}
			for _, e := range m.list {
				if w := failed[m.key][e]; w != nil {
					cases = append(cases, map[string]any{"op": t.json(), "mop": m.raw, "writer": w.json(), "element": rawJSON(e)})
				}
			}
		}
	}
	return cases
}

// g1b is elle.list-append/g1b-cases: an ok txn read a state whose last
// element another op appended but then followed with another append to the
// same key. As in Elle, intermediate appends are indexed over every op,
// invocations included, the later op winning.
func (a *listAnalysis) g1b() []any {
	im := a.intermediateWrites()
	var cases []any
	for _, t := range a.oks() {
		for _, m := range t.mops {
			if len(m.list) == 0 {
				continue
			}
			if i, ok := im[m.key][m.lastElement()]; ok && a.entries[i].op.Index != t.index {
				cases = append(cases, map[string]any{"op": t.json(), "mop": m.raw,
					"writer": opJSON(a.entries[i].op), "element": rawJSON(m.lastElement())})
			}
		}
	}
	return cases
}

// expectedState is what a txn knows a key holds, from its own reads and
// appends (op-int-case): the whole list, or, when the txn appended before
// it read, only the end of it.
type expectedState struct {
	known  bool     // the whole list is known; otherwise only its end
	suffix []string // the list (known) or its end
}

func (s expectedState) json() []any {
	out := listJSON(s.suffix)
	if !s.known {
		out = append([]any{unknownPrefix}, out...)
	}
	return out
}

// matches says whether a read of list agrees with the expected state.
func (s expectedState) matches(read mop) bool {
	if s.known {
		// A definite state is a list, never null, even when empty.
		return !read.isNil() && isPrefix(s.suffix, read.list) && len(s.suffix) == len(read.list)
	}
	i := len(read.list) - len(s.suffix)
	return i >= 0 && isPrefix(s.suffix, read.list[i:])
}

// internal is elle.list-append/internal-cases over the ok txns. internal:
// a read disagrees with what the txn's own earlier reads and appends say
// the key holds (the first per txn); future-read: a txn read an element it
// appends later (the first per txn).
func (a *listAnalysis) internal() (internal, future []any) {
	for _, t := range a.oks() {
		if c := internalCase(t); c != nil {
			internal = append(internal, c)
		}
		if c := futureReadCase(t); c != nil {
			future = append(future, c)
		}
	}
	return internal, future
}

// internalCase is op-int-case. A read of null sets no expectation, but an
// append after it knows the whole list.
func internalCase(t *txn) map[string]any {
	state := map[string]*expectedState{} // nil value: read null
	for _, m := range t.mops {
		s, seen := state[m.key]
		if !m.read {
			switch {
			case !seen: // only the end of the list is known
				state[m.key] = &expectedState{suffix: []string{m.val}}
			case s == nil: // after a read of null: the whole list
				state[m.key] = &expectedState{known: true, suffix: []string{m.val}}
			default:
				state[m.key] = &expectedState{known: s.known, suffix: append(slices.Clone(s.suffix), m.val)}
			}
			continue
		}
		if s != nil && !s.matches(m) {
			return map[string]any{"op": t.json(), "mop": m.raw, "expected": s.json()}
		}
		if m.isNil() {
			state[m.key] = nil
		} else {
			state[m.key] = &expectedState{known: true, suffix: m.list}
		}
	}
	return nil
}

// futureReadCase is op-future-read-case: an append of an element the txn
// already read; the case names that first read.
func futureReadCase(t *txn) map[string]any {
	firstRead := map[[2]string]mop{} // key, element -> first read showing it
	for _, m := range t.mops {
		if !m.read {
			if r, ok := firstRead[[2]string{m.key, m.val}]; ok {
				return map[string]any{"op": t.json(), "mop": r.raw, "element": rawJSON(m.val)}
			}
			continue
		}
		for _, e := range m.list {
			if _, ok := firstRead[[2]string{m.key, e}]; !ok {
				firstRead[[2]string{m.key, e}] = m
			}
		}
	}
	return nil
}

// duplicates is elle.list-append/duplicates: reads by ok or info txns that
// show an element more than once, with each such element's count.
func (a *listAnalysis) duplicates() []any {
	var cases []any
	for _, t := range a.possible {
		for _, m := range t.mops {
			if !m.read {
				continue
			}
			counts := map[string]int{}
			for _, e := range m.list {
				counts[e]++
			}
			dups := map[string]any{}
			for e, n := range counts {
				if n > 1 {
					dups[e] = n
				}
			}
			if len(dups) > 0 {
				cases = append(cases, map[string]any{"op": t.json(), "mop": m.raw, "duplicates": dups})
			}
		}
	}
	return cases
}

// dirtyUpdates is elle.list-append/dirty-update-cases: walking each key's
// version order, an ok txn's append that comes right after a failed txn's
// (appends of info txns in between are skipped over). Unlike the graph,
// this version order comes from the reads of every client op, and the
// writers from every completion, failed ones included. An element that no
// completion appended trips Elle's assertion: the error.
func (a *listAnalysis) dirtyUpdates() ([]any, error) {
	var ops [][]mop
	for _, e := range a.entries {
		ops = append(ops, e.mops)
	}
	order := appendIndex(observedStates(ops))
	writers := map[string]map[string]*txn{}
	for _, t := range a.txns {
		for _, m := range t.mops {
			if !m.read {
				if writers[m.key] == nil {
					writers[m.key] = map[string]*txn{}
				}
				writers[m.key][m.val] = t
			}
		}
	}
	var cases []any
	for _, k := range sortedMapKeys(order) {
		var last *txn // the last ok or failed writer; nil is the initial state, which counts as ok
		lastFailed := false
		var since []string // elements from last's on
		for _, v := range order[k].values {
			since = append(since, v)
			w := writers[k][v]
			if w == nil {
				return nil, fmt.Errorf("Assert failed: No transaction wrote %s %s", k, v)
			}
			switch w.typ {
			case history.Info: // can't say: keep going from last
				continue
			case history.OK:
				if lastFailed {
					cases = append(cases, map[string]any{"key": rawJSON(k), "values": listJSON(since),
						"txns": []any{last.json(), "...", w.json()}})
				}
			case history.Fail:
				if lastFailed {
					continue // cover the whole failed range
				}
			}
			last, lastFailed, since = w, w.typ == history.Fail, []string{v}
		}
	}
	return cases, nil
}
