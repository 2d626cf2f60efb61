// Package graph holds the directed-graph algorithms the checkers share:
// Tarjan's strongly connected components and breadth-first shortest paths
// and cycles, over int vertices visited in ascending order so that every
// result is deterministic.
package graph

import "sort"

// Label is a bit set of edge labels (relationships).
type Label interface {
	~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uint | ~int
}

// Graph is a directed graph over int vertices whose edges carry label bit
// sets. Linking adds both ends as vertices.
type Graph[L Label] struct {
	out map[int]map[int]L
}

// New returns an empty graph.
func New[L Label]() *Graph[L] { return &Graph[L]{out: map[int]map[int]L{}} }

// Link adds the edge a->b with labels l (or-ed into any existing ones).
func (g *Graph[L]) Link(a, b int, l L) {
	m := g.out[a]
	if m == nil {
		m = map[int]L{}
		g.out[a] = m
	}
	m[b] |= l
	if g.out[b] == nil {
		g.out[b] = map[int]L{}
	}
}

// Edge is the label set of a->b (zero when there is no edge).
func (g *Graph[L]) Edge(a, b int) L { return g.out[a][b] }

// Len is the number of vertices.
func (g *Graph[L]) Len() int { return len(g.out) }

// Vertices lists the vertices in ascending order.
func (g *Graph[L]) Vertices() []int {
	out := make([]int, 0, len(g.out))
	for v := range g.out {
		out = append(out, v)
	}
	sort.Ints(out)
	return out
}

// Succ lists a vertex's successors in ascending order.
func (g *Graph[L]) Succ(v int) []int {
	m := g.out[v]
	out := make([]int, 0, len(m))
	for w := range m {
		out = append(out, w)
	}
	sort.Ints(out)
	return out
}

// SCCs is SCCs over every vertex and edge of g.
func (g *Graph[L]) SCCs(keepSingletons bool) [][]int {
	return SCCs(g.Vertices(), g.Succ, keepSingletons)
}

// allowed accepts the edges carrying a label in mask.
func (g *Graph[L]) allowed(mask L) func(from, to int) bool {
	return func(from, to int) bool { return g.out[from][to]&mask != 0 }
}

// ShortestPath is ShortestPath over the edges with a label in mask.
func (g *Graph[L]) ShortestPath(a, b int, mask L) []int {
	return ShortestPath(a, b, g.Succ, g.allowed(mask))
}

// ShortestCycle is ShortestCycle over the edges with a label in mask.
func (g *Graph[L]) ShortestCycle(start int, mask L) []int {
	return ShortestCycle(start, g.Succ, g.allowed(mask))
}

// SCCs returns the strongly connected components of the graph on vs whose
// successors succ lists (Tarjan, iterative, so deep graphs cannot overflow
// the stack). Roots are tried in the order of vs and successors in the
// order succ gives them; components come out in the order Tarjan completes
// them, each sorted ascending. Singletons are kept only if keepSingletons
// (Bifurcan's includeSingletons).
func SCCs(vs []int, succ func(int) []int, keepSingletons bool) [][]int {
	index := make(map[int]int, len(vs))
	low := make(map[int]int, len(vs))
	onStack := make(map[int]bool, len(vs))
	var stack []int
	var comps [][]int
	next := 0
	type frame struct {
		v    int
		succ []int
		i    int
	}
	for _, root := range vs {
		if _, seen := index[root]; seen {
			continue
		}
		call := []frame{{v: root, succ: succ(root)}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			if f.i < len(f.succ) {
				w := f.succ[f.i]
				f.i++
				if _, seen := index[w]; !seen {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{v: w, succ: succ(w)})
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
				var comp []int
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp = append(comp, w)
					if w == v {
						break
					}
				}
				if len(comp) > 1 || keepSingletons {
					sort.Ints(comp)
					comps = append(comps, comp)
				}
			}
		}
	}
	return comps
}

// ShortestPath is a shortest path from a to b (both included) following
// succ over the edges accepted by ok (nil accepts all), or nil. Ties go to
// the path found first, successors taken in succ's order.
func ShortestPath(a, b int, succ func(int) []int, ok func(from, to int) bool) []int {
	if a == b {
		return []int{a}
	}
	prev := map[int]int{a: a}
	queue := []int{a}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, w := range succ(v) {
			if _, seen := prev[w]; seen || (ok != nil && !ok(v, w)) {
				continue
			}
			prev[w] = v
			if w == b {
				return walkBack(prev, a, b)
			}
			queue = append(queue, w)
		}
	}
	return nil
}

// ShortestCycle is a shortest cycle through start following succ over the
// edges accepted by ok (nil accepts all), as its vertices from start (the
// closing edge back to start is implied), or nil. Ties go to the cycle
// found first, successors taken in succ's order.
func ShortestCycle(start int, succ func(int) []int, ok func(from, to int) bool) []int {
	prev := map[int]int{start: start}
	queue := []int{start}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		for _, y := range succ(x) {
			if ok != nil && !ok(x, y) {
				continue
			}
			if y == start {
				return walkBack(prev, start, x)
			}
			if _, seen := prev[y]; !seen {
				prev[y] = x
				queue = append(queue, y)
			}
		}
	}
	return nil
}

// walkBack is the path a..b that the BFS predecessors prev record.
func walkBack(prev map[int]int, a, b int) []int {
	path := []int{b}
	for x := b; x != a; {
		x = prev[x]
		path = append(path, x)
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path
}
