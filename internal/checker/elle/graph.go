package elle

import (
	"sort"

	"gossip-glomers/internal/checker/graph"
)

// rels is a set of dependency relationships on an edge, as Elle's BitRels
// (without the predicate kinds, which neither rw-register nor list-append
// produces).
type rels uint8

const (
	relWW rels = 1 << iota
	relWR
	relRW
	relProcess
	relRealtime
	relNone rels = 0
)

var relNames = []struct {
	r    rels
	name string
}{{relWW, "ww"}, {relWR, "wr"}, {relRW, "rw"}, {relProcess, "process"}, {relRealtime, "realtime"}}

func (r rels) names() []string {
	var out []string
	for _, n := range relNames {
		if r&n.r != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// digraph is a directed graph over transaction ids whose edges carry rels.
// Like Bifurcan's graphs, linking adds both ends as vertices even when the
// edge is later removed (Elle's empty-transaction-graph test counts them).
type digraph struct {
	verts map[int]bool
	out   map[int]map[int]rels
}

func newDigraph() *digraph {
	return &digraph{verts: map[int]bool{}, out: map[int]map[int]rels{}}
}

func (g *digraph) link(a, b int, r rels) {
	g.verts[a], g.verts[b] = true, true
	m := g.out[a]
	if m == nil {
		m = map[int]rels{}
		g.out[a] = m
	}
	m[b] |= r
}

func (g *digraph) unlink(a, b int) {
	if m := g.out[a]; m != nil {
		delete(m, b)
	}
}

func (g *digraph) edge(a, b int) rels { return g.out[a][b] }

func (g *digraph) merge(o *digraph) {
	for v := range o.verts {
		g.verts[v] = true
	}
	for a, m := range o.out {
		for b, r := range m {
			g.link(a, b, r)
		}
	}
}

func (g *digraph) vertices() []int {
	out := make([]int, 0, len(g.verts))
	for v := range g.verts {
		out = append(out, v)
	}
	sort.Ints(out)
	return out
}

// succ lists a vertex's successors in ascending order.
func (g *digraph) succ(v int) []int {
	m := g.out[v]
	out := make([]int, 0, len(m))
	for w := range m {
		out = append(out, w)
	}
	sort.Ints(out)
	return out
}

// sub is the subgraph on the given vertices whose edges keep only the rels
// in mask (edges left with none are dropped). A nil filter keeps every rel.
func (g *digraph) sub(vs []int, mask rels) *digraph {
	in := make(map[int]bool, len(vs))
	for _, v := range vs {
		in[v] = true
	}
	s := newDigraph()
	for _, v := range vs {
		s.verts[v] = true
	}
	for _, a := range vs {
		for b, r := range g.out[a] {
			if in[b] && r&mask != 0 {
				s.link(a, b, r&mask)
			}
		}
	}
	return s
}

// extension is Elle's sequential-extension A ∪ (A;B): A's edges plus x->z
// for every x->y in A and y->z in B.
func extension(a, b *digraph) *digraph {
	c := newDigraph()
	c.merge(a)
	for x, m := range a.out {
		for y := range m {
			for z := range b.out[y] {
				c.link(x, z, relNone)
			}
		}
	}
	return c
}

// sccs returns the strongly connected components of g, each sorted, in
// order of their smallest vertex. Singletons are kept only if
// keepSingletons (Bifurcan's includeSingletons).
func (g *digraph) sccs(keepSingletons bool) [][]int {
	comps := graph.SCCs(g.vertices(), g.succ, keepSingletons)
	sort.Slice(comps, func(i, j int) bool { return comps[i][0] < comps[j][0] })
	return comps
}

// nontrivial reports whether a component holds a cycle: more than one
// vertex, or one with a self-edge.
func (g *digraph) nontrivial(comp []int) bool {
	if len(comp) > 1 {
		return true
	}
	_, self := g.out[comp[0]][comp[0]]
	return self
}

// shortestPath is a shortest path from a to b (both included) using edges
// accepted by ok, or nil.
func (g *digraph) shortestPath(a, b int, ok func(from, to int) bool) []int {
	return graph.ShortestPath(a, b, g.succ, ok)
}

func setOfInts(xs []int) map[int]bool {
	m := make(map[int]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}
