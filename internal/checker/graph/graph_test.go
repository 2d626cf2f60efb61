package graph

import (
	"reflect"
	"testing"
)

const (
	a = 1 << iota
	b
)

type edge struct{ from, to, l int }

func build(es []edge) *Graph[int] {
	g := New[int]()
	for _, e := range es {
		g.Link(e.from, e.to, e.l)
	}
	return g
}

func TestGraph(t *testing.T) {
	for _, tc := range []struct {
		name       string
		edges      []edge
		sccs       [][]int // without singletons, Tarjan's completion order
		sccsAll    [][]int
		pathFrom   int
		pathTo     int
		pathMask   int
		path       []int
		cycleStart int
		cycleMask  int
		cycle      []int
	}{
		{
			name:  "empty",
			sccs:  nil,
			path:  []int{0}, // a path from a vertex to itself
			cycle: nil,
		},
		{
			name:      "chain has no cycle",
			edges:     []edge{{1, 2, a}, {2, 3, a}},
			sccsAll:   [][]int{{3}, {2}, {1}},
			pathFrom:  1,
			pathTo:    3,
			pathMask:  a,
			path:      []int{1, 2, 3},
			cycleMask: a | b,
		},
		{
			name:       "self loop is a cycle but a singleton component",
			edges:      []edge{{5, 5, b}},
			sccsAll:    [][]int{{5}},
			pathFrom:   5,
			pathTo:     5,
			path:       []int{5},
			cycleStart: 5,
			cycleMask:  b,
			cycle:      []int{5},
		},
		{
			name: "two components, completed in order, each sorted",
			// 4->3->4 and 1->2->1, with 1->3 so {3,4} completes first.
			edges:      []edge{{1, 2, a}, {2, 1, b}, {1, 3, a}, {3, 4, a}, {4, 3, a}},
			sccs:       [][]int{{3, 4}, {1, 2}},
			sccsAll:    [][]int{{3, 4}, {1, 2}},
			pathFrom:   2,
			pathTo:     4,
			pathMask:   a | b,
			path:       []int{2, 1, 3, 4},
			cycleStart: 1,
			cycleMask:  a | b,
			cycle:      []int{1, 2},
		},
		{
			name:       "label mask cuts the cycle",
			edges:      []edge{{1, 2, a}, {2, 1, b}},
			sccs:       [][]int{{1, 2}},
			sccsAll:    [][]int{{1, 2}},
			pathFrom:   2,
			pathTo:     1,
			pathMask:   a,
			path:       nil,
			cycleStart: 1,
			cycleMask:  a,
			cycle:      nil,
		},
		{
			name: "shortest of two cycles, ties to the smaller successor",
			// 1->2->1, 1->3->1 (tie: via 2), and 1->4->5->1 (longer).
			edges: []edge{{1, 4, a}, {4, 5, a}, {5, 1, a}, {1, 3, a}, {3, 1, a},
				{1, 2, a}, {2, 1, a}},
			sccs:       [][]int{{1, 2, 3, 4, 5}},
			sccsAll:    [][]int{{1, 2, 3, 4, 5}},
			pathFrom:   4,
			pathTo:     3,
			pathMask:   a,
			path:       []int{4, 5, 1, 3},
			cycleStart: 1,
			cycleMask:  a,
			cycle:      []int{1, 2},
		},
		{
			name:       "combined labels on one edge match either mask",
			edges:      []edge{{7, 8, a | b}, {8, 7, b}},
			sccs:       [][]int{{7, 8}},
			sccsAll:    [][]int{{7, 8}},
			pathFrom:   7,
			pathTo:     8,
			pathMask:   a,
			path:       []int{7, 8},
			cycleStart: 8,
			cycleMask:  b,
			cycle:      []int{8, 7},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := build(tc.edges)
			if got := g.SCCs(false); !reflect.DeepEqual(got, tc.sccs) {
				t.Errorf("SCCs(false) = %v, want %v", got, tc.sccs)
			}
			if got := g.SCCs(true); !reflect.DeepEqual(got, tc.sccsAll) {
				t.Errorf("SCCs(true) = %v, want %v", got, tc.sccsAll)
			}
			if got := g.ShortestPath(tc.pathFrom, tc.pathTo, tc.pathMask); !reflect.DeepEqual(got, tc.path) {
				t.Errorf("ShortestPath(%d, %d) = %v, want %v", tc.pathFrom, tc.pathTo, got, tc.path)
			}
			if got := g.ShortestCycle(tc.cycleStart, tc.cycleMask); !reflect.DeepEqual(got, tc.cycle) {
				t.Errorf("ShortestCycle(%d) = %v, want %v", tc.cycleStart, got, tc.cycle)
			}
		})
	}
}

// TestDeepChain checks the iterative Tarjan on a cycle far deeper than a
// recursive one would like.
func TestDeepChain(t *testing.T) {
	const n = 200000
	g := New[int]()
	for i := range n {
		g.Link(i, (i+1)%n, a)
	}
	comps := g.SCCs(false)
	if len(comps) != 1 || len(comps[0]) != n || comps[0][0] != 0 || comps[0][n-1] != n-1 {
		t.Fatalf("got %d components, want one of %d vertices", len(comps), n)
	}
	if cyc := g.ShortestCycle(0, a); len(cyc) != n || cyc[1] != 1 {
		t.Fatalf("cycle of length %d, want %d", len(cyc), n)
	}
}

// TestNilFilter checks that the function forms accept every edge on nil.
func TestNilFilter(t *testing.T) {
	g := build([]edge{{1, 2, a}, {2, 3, b}, {3, 1, a}})
	if got, want := ShortestPath(1, 3, g.Succ, nil), []int{1, 2, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("ShortestPath = %v, want %v", got, want)
	}
	if got, want := ShortestCycle(2, g.Succ, nil), []int{2, 3, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("ShortestCycle = %v, want %v", got, want)
	}
	if got := ShortestPath(3, 9, g.Succ, nil); got != nil {
		t.Errorf("path to a missing vertex = %v, want nil", got)
	}
}
