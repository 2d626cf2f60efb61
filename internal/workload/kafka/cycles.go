package kafka

import (
	"fmt"
	"sort"

	"gossip-glomers/internal/history"
)

// Cycle search, as jepsen.tests.kafka/cycles! runs Elle with the
// strict-serializable model: the dependency graph between completed
// send/poll ops has write-read edges (a send -> every op that polled one of
// its messages) and, because strict serializability involves real time,
// Elle's realtime graph (a transitive reduction of "a completed before b was
// invoked"; Elle adds no process graph when it adds the realtime one).
// Maelstrom infers no write-write edges and has no read-write ones.
//
// Sends never poll and polls never send, so write-read edges alone are
// acyclic, and so are realtime edges alone: every cycle mixes both, which
// Elle reports per strongly connected component as one
// strong-PL-2-cycle-exists case (the weakest cyclic subgraph) and one
// G1c-realtime cycle (typically a poll that saw a message whose send was
// invoked after the poll completed). Transactions (f txn, which Maelstrom
// never issues) could close cycles of write-read edges only; those are
// reported as PL-2-cycle-exists and G1c.

const (
	relWR = 1 << iota
	relRT
)

type depGraph struct {
	out map[*parsedOp]map[*parsedOp]int // edge labels
}

func (g *depGraph) link(a, b *parsedOp, rel int) {
	m := g.out[a]
	if m == nil {
		m = map[*parsedOp]int{}
		g.out[a] = m
	}
	m[b] |= rel
	if g.out[b] == nil {
		g.out[b] = map[*parsedOp]int{}
	}
}

// cycles adds the cycle anomalies to a.errors.
func (a *analysis) cycles() error {
	g := &depGraph{out: map[*parsedOp]map[*parsedOp]int{}}

	// Write-read edges; a polled message nobody sent makes Jepsen throw.
	for _, k := range sortedKeys(a.readersOf) {
		for _, v := range sortedKeys(a.readersOf[k]) {
			w := a.writerOf[k][v]
			if w == nil {
				return &checkerError{fmt.Sprintf("no-writer-of-value: key %q value %s was polled but never sent", k, v)}
			}
			for _, r := range a.readersOf[k][v] {
				if r != w {
					g.link(w, r, relWR)
				}
			}
		}
	}

	// Realtime edges over the send/poll ops (Elle's realtime-graph).
	in := map[*parsedOp]map[*parsedOp]bool{}
	buffer := map[*parsedOp]bool{}
	completion := map[*parsedOp]*parsedOp{}
	for idx, inv := range a.invoke {
		completion[inv] = a.byIndex[idx]
	}
	for _, p := range a.ops {
		switch p.op.F {
		case "send", "poll", "txn":
		default:
			continue
		}
		switch p.op.Type {
		case history.Invoke:
			c := completion[p]
			if c == nil {
				continue
			}
			for b := range buffer {
				g.link(b, c, relRT)
				if in[c] == nil {
					in[c] = map[*parsedOp]bool{}
				}
				in[c][b] = true
			}
		case history.OK:
			for b := range in[p] {
				delete(buffer, b)
			}
			buffer[p] = true
		}
	}

	if len(g.out) == 0 {
		a.errors["empty-transaction-graph"] = true
		return nil
	}
	for _, scc := range g.sccs() {
		if len(scc) < 2 {
			continue
		}
		member := map[*parsedOp]bool{}
		for _, p := range scc {
			member[p] = true
		}
		sort.Slice(scc, func(i, j int) bool { return scc[i].op.Index < scc[j].op.Index })
		if cyc := g.shortestCycle(scc, member, relWR); cyc != nil {
			a.add("PL-2-cycle-exists", a.cycleExists(scc, "PL-2-cycle-exists", "read-committed",
				[]any{"union", "ww", "wwp", "wr", "wrp"}))
			a.add("G1c", a.explainCycle(g, cyc, "G1c"))
			continue
		}
		a.add("strong-PL-2-cycle-exists", a.cycleExists(scc, "strong-PL-2-cycle-exists", "strong-read-committed",
			[]any{"union", "ww", "wwp", "wr", "wrp", "realtime"}))
		if cyc := g.shortestCycle(scc, member, relWR|relRT); cyc != nil {
			a.add("G1c-realtime", a.explainCycle(g, cyc, "G1c-realtime"))
		}
	}
	return nil
}

func (a *analysis) cycleExists(scc []*parsedOp, typ, not string, subgraph []any) map[string]any {
	idx := make([]int, len(scc))
	for i, p := range scc {
		idx[i] = p.op.Index
	}
	return map[string]any{"type": typ, "not": not, "subgraph": subgraph, "scc-size": len(scc), "scc": idx}
}

// explainCycle describes each step as Elle's explainers do, preferring the
// write-read explanation of an edge over the realtime one.
func (a *analysis) explainCycle(g *depGraph, cyc []*parsedOp, typ string) map[string]any {
	ops := make([]any, 0, len(cyc)+1)
	steps := make([]any, 0, len(cyc))
	for i, x := range cyc {
		ops = append(ops, x.op)
		y := cyc[(i+1)%len(cyc)]
		if g.out[x][y]&relWR != 0 {
			steps = append(steps, a.explainWR(x, y))
			continue
		}
		var inv any
		if iv := a.invoke[y.op.Index]; iv != nil {
			inv = iv.op
		}
		steps = append(steps, map[string]any{"type": "realtime", "a'": x.op, "b": inv})
	}
	ops = append(ops, cyc[0].op)
	return map[string]any{"type": typ, "cycle": ops, "steps": steps}
}

func (a *analysis) explainWR(w, r *parsedOp) map[string]any {
	for _, kp := range r.reads {
		for _, pr := range kp.pairs {
			if a.writerOf[kp.key][pr.val] == w {
				// Maelstrom's ops hold exactly one mop each.
				return map[string]any{"type": "wr", "key": kp.key, "value": a.val(pr.val),
					"a-mop-index": 0, "b-mop-index": 0}
			}
		}
	}
	return map[string]any{"type": "wr"}
}

// shortestCycle finds a shortest cycle through the SCC's first vertex using
// only edges with a label in rels, or nil.
func (g *depGraph) shortestCycle(scc []*parsedOp, member map[*parsedOp]bool, rels int) []*parsedOp {
	for _, start := range scc {
		prev := map[*parsedOp]*parsedOp{start: nil}
		queue := []*parsedOp{start}
		for len(queue) > 0 {
			x := queue[0]
			queue = queue[1:]
			for _, y := range g.sortedOut(x) {
				if !member[y] || g.out[x][y]&rels == 0 {
					continue
				}
				if y == start {
					var path []*parsedOp
					for v := x; v != nil; v = prev[v] {
						path = append(path, v)
					}
					for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
						path[i], path[j] = path[j], path[i]
					}
					return path
				}
				if _, seen := prev[y]; !seen {
					prev[y] = x
					queue = append(queue, y)
				}
			}
		}
		if rels == relWR|relRT {
			return nil // every vertex of an SCC lies on a cycle of all its edges
		}
	}
	return nil
}

func (g *depGraph) sortedOut(x *parsedOp) []*parsedOp {
	out := make([]*parsedOp, 0, len(g.out[x]))
	for y := range g.out[x] {
		out = append(out, y)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].op.Index < out[j].op.Index })
	return out
}

// sccs is Tarjan's algorithm, iterative, over vertices in history order.
func (g *depGraph) sccs() [][]*parsedOp {
	verts := make([]*parsedOp, 0, len(g.out))
	for v := range g.out {
		verts = append(verts, v)
	}
	sort.Slice(verts, func(i, j int) bool { return verts[i].op.Index < verts[j].op.Index })
	succ := map[*parsedOp][]*parsedOp{}
	for _, v := range verts {
		succ[v] = g.sortedOut(v)
	}
	index := map[*parsedOp]int{}
	low := map[*parsedOp]int{}
	onStack := map[*parsedOp]bool{}
	var stack []*parsedOp
	var out [][]*parsedOp
	next := 0
	type frame struct {
		v *parsedOp
		i int
	}
	for _, root := range verts {
		if _, ok := index[root]; ok {
			continue
		}
		call := []frame{{v: root}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			if f.i < len(succ[f.v]) {
				w := succ[f.v][f.i]
				f.i++
				if _, ok := index[w]; !ok {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{v: w})
				} else if onStack[w] && index[w] < low[f.v] {
					low[f.v] = index[w]
				}
				continue
			}
			v := f.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				if p := call[len(call)-1].v; low[v] < low[p] {
					low[p] = low[v]
				}
			}
			if low[v] == index[v] {
				var comp []*parsedOp
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp = append(comp, w)
					if w == v {
						break
					}
				}
				out = append(out, comp)
			}
		}
	}
	return out
}
