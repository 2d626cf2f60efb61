package kafka

import (
	"fmt"

	"gossip-glomers/internal/checker/graph"
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

// depGraph is the dependency graph over ops, whose vertices are the ops'
// history indices (unique: the analysis already keys ops by them), so the
// shared graph code visits them in history order.
type depGraph struct {
	*graph.Graph[int]
	ops map[int]*parsedOp
}

func (g *depGraph) link(a, b *parsedOp, rel int) {
	g.ops[a.op.Index], g.ops[b.op.Index] = a, b
	g.Link(a.op.Index, b.op.Index, rel)
}

func (g *depGraph) edge(a, b *parsedOp) int { return g.Edge(a.op.Index, b.op.Index) }

// cycles adds the cycle anomalies to a.errors.
func (a *analysis) cycles() error {
	g := &depGraph{Graph: graph.New[int](), ops: map[int]*parsedOp{}}

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

	if g.Len() == 0 {
		a.errors["empty-transaction-graph"] = true
		return nil
	}
	// Components in the order Tarjan completes them, each in history order.
	for _, ids := range g.SCCs(false) {
		scc := make([]*parsedOp, len(ids))
		for i, id := range ids {
			scc[i] = g.ops[id]
		}
		if cyc := g.shortestCycle(ids, relWR); cyc != nil {
			a.add("PL-2-cycle-exists", a.cycleExists(scc, "PL-2-cycle-exists", "read-committed",
				[]any{"union", "ww", "wwp", "wr", "wrp"}))
			a.add("G1c", a.explainCycle(g, cyc, "G1c"))
			continue
		}
		a.add("strong-PL-2-cycle-exists", a.cycleExists(scc, "strong-PL-2-cycle-exists", "strong-read-committed",
			[]any{"union", "ww", "wwp", "wr", "wrp", "realtime"}))
		if cyc := g.shortestCycle(ids, relWR|relRT); cyc != nil {
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
		if g.edge(x, y)&relWR != 0 {
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

// shortestCycle finds a shortest cycle through the first of the SCC's
// vertices (in history order) that lies on one using only edges with a
// label in rels, or nil. A cycle through a vertex never leaves its SCC, so
// no membership test is needed.
func (g *depGraph) shortestCycle(scc []int, rels int) []*parsedOp {
	for _, start := range scc {
		if ids := g.ShortestCycle(start, rels); ids != nil {
			cyc := make([]*parsedOp, len(ids))
			for i, id := range ids {
				cyc[i] = g.ops[id]
			}
			return cyc
		}
		if rels == relWR|relRT {
			return nil // every vertex of an SCC lies on a cycle of all its edges
		}
	}
	return nil
}
