package elle

import (
	"fmt"
	"sort"
	"strings"

	"gossip-glomers/internal/history"
)

// analysis is one run of the rw-register checker over a history.
type analysis struct {
	*opLog

	// version graphs actually used: key -> from value -> to values
	versions map[string]map[string]map[string]bool
	sources  []string

	// ext indexes over ok txns: key -> value -> txn ids
	extW map[string]map[string][]int
	extR map[string]map[string][]int

	graph *digraph
}

// loadRW parses the history's client ops as rw-register transactions. An op
// whose value is not one makes the history unanalysable.
func loadRW(h history.History) (*analysis, error) {
	l, err := load(h, func(v any) ([]mop, error) { return parseTxn(v, "w") })
	if err != nil {
		return nil, err
	}
	for _, t := range l.txns {
		t.extReads, t.extWrites = extReads(t.mops), extWrites(t.mops)
	}
	return &analysis{opLog: l}, nil
}

// keyTypeError is Elle's assert-type-sanity (elle.txn): the keys of every
// micro-op of every client op, invocations included, must be of one JVM
// class, in the message listed in order of first appearance. (Its other
// half, at most one integer class among values, cannot fail on Maelstrom:
// the history is read back from Fressian, which makes every int a Long.)
func (a *analysis) keyTypeError() error {
	seen := map[string]bool{}
	var classes []string
	for _, e := range a.entries {
		for _, m := range e.mops {
			if c := keyClass(m.raw[1]); !seen[c] {
				seen[c] = true
				classes = append(classes, c)
			}
		}
	}
	if len(classes) > 1 {
		return fmt.Errorf("Assert failed: History includes a mix of different types for transaction keys: (%s). You almost certainly don't want to do this.",
			strings.Join(classes, " "))
	}
	return nil
}

// g1a: an ok txn read a value that a failed txn wrote (any of its writes).
func (a *analysis) g1a() []any {
	failed := map[string]map[string]*txn{}
	for _, t := range a.txns {
		if t.typ != history.Fail {
			continue
		}
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
			if w := failed[m.key][m.val]; m.read && w != nil {
				cases = append(cases, map[string]any{"op": t.json(), "mop": m.raw, "writer": w.json()})
			}
		}
	}
	return cases
}

// g1b: an ok txn read a value another op wrote and then overwrote in the
// same txn. Like Elle, intermediate writes are indexed over every op,
// invocations included, the later op winning.
func (a *analysis) g1b() []any {
	im := a.intermediateWrites()
	var cases []any
	for _, t := range a.oks() {
		for _, m := range t.mops {
			if !m.read {
				continue
			}
			if i, ok := im[m.key][m.val]; ok && a.entries[i].op.Index != t.index {
				cases = append(cases, map[string]any{"op": t.json(), "mop": m.raw, "writer": opJSON(a.entries[i].op)})
			}
		}
	}
	return cases
}

// internal: a read that disagrees with the txn's own earlier read or write
// of the key. As in Elle, a previous nil (or false) read sets no expectation.
func (a *analysis) internal() []any {
	var cases []any
	for _, t := range a.oks() {
		state := map[string]string{}
		for _, m := range t.mops {
			if !m.read {
				state[m.key] = m.val
				continue
			}
			s, ok := state[m.key]
			if ok && s != nilValue && s != "false" && s != m.val {
				cases = append(cases, map[string]any{"op": t.json(), "mop": m.raw, "expected": rawJSON(s)})
				break
			}
			state[m.key] = m.val
		}
	}
	return cases
}

func addVersion(g map[string]map[string]map[string]bool, k, from, to string) {
	if g[k] == nil {
		g[k] = map[string]map[string]bool{}
	}
	if g[k][from] == nil {
		g[k][from] = map[string]bool{}
	}
	g[k][from][to] = true
}

// versionGraphs infers each key's partial version order from the sources
// Maelstrom enables: the initial state (nil precedes every value any ok or
// info txn wrote, or any ok txn read), and writes-follow-reads (an ok txn's
// external read of k, unless nil, precedes its final write of k, unless nil
// or false). A source that would make some key's order cyclic is dropped,
// as Elle drops it, and reported as cyclic-versions.
func (a *analysis) versionGraphs() ([]any, error) {
	initial := map[string]map[string]map[string]bool{}
	for _, t := range a.txns {
		if t.typ == history.Fail {
			continue
		}
		for k, v := range t.extWrites {
			if v != nilValue {
				addVersion(initial, k, nilValue, v)
			}
		}
		if t.typ == history.OK {
			for k, v := range t.extReads {
				if v != nilValue {
					addVersion(initial, k, nilValue, v)
				}
			}
		}
	}
	merged := map[string]map[string]map[string]bool{}
	for k, m := range initial {
		for from, tos := range m {
			for to := range tos {
				addVersion(merged, k, from, to)
			}
		}
	}
	for _, t := range a.oks() {
		for k, v := range t.extReads {
			// Elle's wfr-version-graphs binds the final write with if-let:
			// a write of null or false (Clojure's falsey values) orders
			// nothing, so r x 1 then w x null is no 1 -> null version edge.
			if w, ok := t.extWrites[k]; ok && v != nilValue && truthy(w) {
				addVersion(merged, k, v, w)
			}
		}
	}
	var cycles []any
	for _, k := range sortedMapKeys(merged) {
		sccs := versionSCCs(merged[k])
		if err := unsortableSCCs(k, sccs); err != nil {
			return nil, err
		}
		for _, scc := range sccs {
			vals := make([]any, len(scc))
			for i, v := range scc {
				vals[i] = rawJSON(v)
			}
			cycles = append(cycles, map[string]any{"key": rawJSON(k), "scc": vals,
				"sources": []string{"initial-state", "wfr-keys"}})
		}
	}
	if len(cycles) > 0 {
		a.versions, a.sources = initial, []string{"initial-state"}
	} else {
		a.versions, a.sources = merged, []string{"initial-state", "wfr-keys"}
	}
	return cycles, nil
}

// unsortableSCCs is where Elle's cyclic-version-cases throws: it sorts a
// key's cyclic components by their smallest value, (reduce min scc), and
// min throws on anything but a number. One component is never compared, so
// only a key with two or more trips it.
func unsortableSCCs(k string, sccs [][]string) error {
	if len(sccs) < 2 {
		return nil
	}
	for _, scc := range sccs {
		for _, v := range scc {
			if !isNumber(v) {
				return fmt.Errorf("cyclic versions of key %s: cannot take the min of non-numeric value %s", k, v)
			}
		}
	}
	return nil
}

// isNumber says whether canonical JSON text is a number.
func isNumber(v string) bool { return v != "" && (v[0] == '-' || v[0] >= '0' && v[0] <= '9') }

func sortedMapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// versionSCCs: the cyclic components (more than one value) of a key's
// version graph.
func versionSCCs(g map[string]map[string]bool) [][]string {
	ids := map[string]int{}
	var names []string
	id := func(v string) int {
		if i, ok := ids[v]; ok {
			return i
		}
		ids[v] = len(names)
		names = append(names, v)
		return ids[v]
	}
	d := newDigraph()
	for _, from := range sortedMapKeys(g) {
		for _, to := range sortedMapKeys(g[from]) {
			d.link(id(from), id(to), relWW)
		}
	}
	var out [][]string
	for _, c := range d.sccs(false) {
		vs := make([]string, len(c))
		for i, x := range c {
			vs[i] = names[x]
		}
		sort.Strings(vs)
		out = append(out, vs)
	}
	return out
}

func extIndex(ts []*txn, f func(*txn) map[string]string) map[string]map[string][]int {
	idx := map[string]map[string][]int{}
	for _, t := range ts {
		for k, v := range f(t) {
			if idx[k] == nil {
				idx[k] = map[string][]int{}
			}
			idx[k][v] = append(idx[k][v], t.id)
		}
	}
	return idx
}

// buildGraph builds Elle's transaction graph: wr edges from reads of
// values, ww and rw edges from the version graphs, and realtime or process
// edges when the requested models need them. A value that two ok txns wrote
// and some txn read cannot be attributed: Elle throws, and so do we.
func (a *analysis) buildGraph(extra string) error {
	oks := a.oks()
	a.extW = extIndex(oks, func(t *txn) map[string]string { return t.extWrites })
	a.extR = extIndex(oks, func(t *txn) map[string]string { return t.extReads })
	g := newDigraph()
	for _, k := range sortedMapKeys(a.extR) {
		for _, v := range sortedMapKeys(a.extR[k]) {
			writers := a.extW[k][v]
			switch {
			case len(writers) == 1:
				for _, r := range a.extR[k][v] {
					g.link(writers[0], r, relWR)
				}
			case len(writers) > 1:
				var idx []int
				for _, w := range writers {
					idx = append(idx, a.txns[w].index)
				}
				return fmt.Errorf("key %s had value %s written by more than one op: %v", k, v, idx)
			}
		}
	}
	for k, vg := range a.versions {
		for v1, tos := range vg {
			for v2 := range tos {
				for _, w2 := range a.extW[k][v2] {
					for _, w1 := range a.extW[k][v1] {
						linkNoSelf(g, w1, w2, relWW)
					}
					for _, r1 := range a.extR[k][v1] {
						linkNoSelf(g, r1, w2, relRW)
					}
				}
			}
		}
	}
	a.addExtraEdges(g, extra)
	a.graph = g
	return nil
}

// linkNoSelf links a->b but, like Elle's remove-self-edges, keeps no
// self-edge (the vertex stays).
func linkNoSelf(g *digraph, a, b int, r rels) {
	if a == b {
		g.verts[a] = true
		return
	}
	g.link(a, b, r)
}
