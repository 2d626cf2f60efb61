package elle

import "gossip-glomers/internal/history"

// Checks beyond Maelstrom's (ours; Maelstrom has none of them). They are
// reported in the figure "beyond_maelstrom" only: Maelstrom passes the
// histories they flag (a node that applies micro-ops one at a time passes
// challenge 6a there), so they never change the verdict, the anomaly names
// or the exit code. Today there is one: a wider G0 inference.
//
// G0 is a cycle of write-write dependencies: T1 installed a version of some
// key that T2 overwrote, and T2 one that T1 overwrote. Fly.io's challenge
// counts every write as a version ("T1 appends 1 to x, T2 appends 2, T1
// appends 3" is G0), and so does Elle's list-append analysis, where each
// append is visible. In a register only reads reveal the order of writes, so
// the question is which reads prove that one write came before another.
//
// We use one rule, the same assumption Maelstrom already makes (its
// "writes follow reads"), applied to every read instead of only a txn's first
// access to a key, and to every write instead of only the final one:
//
//	if an ok txn T reads value v of key k, written by another ok txn U, and
//	T later writes k, then U's write of v precedes T's write: U -ww-> T.
//
// Reads of nil, reads of values no ok txn (or more than one txn) wrote, and
// reads with no later write of the key in the same txn give no edge. A cycle
// of such edges is reported as G0 under "beyond_maelstrom".
//
// Soundness. Every edge records that T *observed* U's write before T wrote
// the key itself. In a node where writes become visible only when their txn
// commits (any read-committed design, including maelstrom-txn), T observed U
// only after U committed, and T's own commit comes after its reads: every
// edge runs forward in commit order, so no cycle can form, whatever the
// node's version order. A cycle therefore needs some txn to have read
// another's uncommitted write, and then says that two txns' writes to the
// same keys interleaved (a dirty write, P0) or that information flowed in a
// circle. A read-uncommitted node that still prevents dirty writes (write
// locks held to commit) cannot produce one either: a txn that read an
// uncommitted value must wait for the writer to finish before writing the
// key, so edges again follow commit order. So the rule never flags a node
// that has no G0, and it catches the interleaving of jepsen-io/maelstrom#56,
// where T2 writes x=1, T3 reads 1 and writes 10, T2 reads 10 and writes 2.
//
// No inference is widened for the other anomalies (G1c, G-single, ...).

// extendedRule names the rule in the figures.
const extendedRule = "any read of k followed by a write of k in the same ok txn orders the read value's writer before that txn (writes follow reads, every read, intermediate writes included)"

type extendedResult struct {
	edges  int
	cycles []any
}

// extendedG0 builds the ww graph of the rule above and reports one cycle
// per cyclic component.
func (a *analysis) extendedG0() *extendedResult {
	type kv struct{ k, v string }
	writers := map[kv]int{} // -> txn id of its single ok writer, -1 if ambiguous or not ok
	for _, t := range a.txns {
		for _, m := range t.mops {
			if m.read {
				continue
			}
			p := kv{m.key, m.val}
			id := t.id
			if t.typ != history.OK {
				id = -1
			}
			if prev, seen := writers[p]; seen && prev != id {
				id = -1
			}
			writers[p] = id
		}
	}
	g := newDigraph()
	why := map[[2]int]map[string]any{}
	for _, t := range a.oks() {
		lastWrite := map[string]int{}
		for i, m := range t.mops {
			if !m.read {
				lastWrite[m.key] = i
			}
		}
		for i, m := range t.mops {
			w, later := lastWrite[m.key]
			if !m.read || m.isNil() || !later || w < i {
				continue
			}
			u, ok := writers[kv{m.key, m.val}]
			if !ok || u < 0 || u == t.id {
				continue
			}
			if g.edge(u, t.id) == relNone {
				why[[2]int{u, t.id}] = map[string]any{"type": "ww", "key": rawJSON(m.key),
					"value": rawJSON(m.val), "value'": rawJSON(t.mops[w].val)}
			}
			g.link(u, t.id, relWW)
		}
	}
	res := &extendedResult{edges: g.edgeCount()}
	for _, comp := range g.sccs(false) {
		in := setOfInts(comp)
		v := comp[0]
		var best []int
		for _, w := range g.succ(v) {
			if !in[w] {
				continue
			}
			if back := g.shortestPath(w, v, func(_, x int) bool { return in[x] }); back != nil &&
				(best == nil || len(back) < len(best)) {
				best = back
			}
		}
		cycle := append([]int{v}, best...)
		ops := make([]any, len(cycle))
		steps := make([]any, 0, len(cycle)-1)
		for i, id := range cycle {
			ops[i] = a.txns[id].json()
			if i > 0 {
				steps = append(steps, why[[2]int{cycle[i-1], id}])
			}
		}
		res.cycles = append(res.cycles, map[string]any{"type": "G0", "cycle": ops, "steps": steps,
			"inference": "extended"})
	}
	return res
}

// beyondMaelstromNote heads the figure, so that the summary line says
// first what it is.
const beyondMaelstromNote = "checks glomers adds to Maelstrom's; reported only, they never change the verdict"

// beyondMaelstrom runs the extra checks and reports them, with examples, in
// the shape of the verdict's own figures.
func (a *analysis) beyondMaelstrom() map[string]any {
	ext := a.extendedG0()
	types := []string{}
	if len(ext.cycles) > 0 {
		types = append(types, "G0")
	}
	g0 := map[string]any{"rule": extendedRule, "ww_edges": ext.edges, "count": len(ext.cycles)}
	if len(ext.cycles) > 0 {
		g0["examples"] = ext.cycles[:min(len(ext.cycles), maxExamples)]
	}
	return map[string]any{"about": beyondMaelstromNote, "anomaly_types": types, "extended_g0": g0}
}

// inferenceReport says which version-order inference the verdict used.
func (a *analysis) inferenceReport() map[string]any {
	return map[string]any{
		"version_order": a.sources,
		"version_order_rules": map[string]string{
			"initial-state": "nil precedes every value an ok or info txn wrote or an ok txn read",
			"wfr-keys":      "in an ok txn, the value of its first access to k, if a read, precedes its final write of k, unless that write is null or false",
		},
	}
}
