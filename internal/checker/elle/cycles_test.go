package elle

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gossip-glomers/internal/history"
)

// events builds a history from lines "P invoke" and "P ok MOPS", MOPS as
// "r:x:_ w:y:1" ("_" is null). An invocation takes its value from its
// process's next completion, with the reads blanked.
func events(lines ...string) history.History {
	parse := func(mops []string, blankReads bool) []any {
		var out []any
		for _, m := range mops {
			p := strings.Split(m, ":")
			var v any = json.Number(p[2])
			if p[2] == "_" || (blankReads && p[0] == "r") {
				v = nil
			}
			out = append(out, []any{p[0], p[1], v})
		}
		return out
	}
	var h history.History
	for i, line := range lines {
		f := strings.Fields(line)
		p, _ := strconv.Atoi(f[0])
		op := history.Op{Process: p, F: "txn", Type: history.Type(f[1])}
		if op.Type == history.Invoke {
			for _, later := range lines[i+1:] {
				if g := strings.Fields(later); g[0] == f[0] && g[1] != "invoke" {
					op.Value = parse(g[2:], true)
					break
				}
			}
		} else {
			op.Value = parse(f[2:], false)
		}
		h = append(h, op)
	}
	return h.Reindex()
}

// cycleNames are the cycle anomaly types of a check's result.
func cycleNames(t *testing.T, h history.History, models ...string) []string {
	t.Helper()
	r := Check(h, Options{ConsistencyModels: models, MaelstromOnly: true})
	var out []string
	for _, a := range r.Anomalies {
		if cycleTypes[a] {
			out = append(out, a)
		}
	}
	return out
}

// Histories on which Elle names cycles differently from a search over each
// edge's explained relationship (what glomers did before): Elle walks the
// relationships an edge carries, takes the first cycle it meets, and gives
// up on a type whose explanation of that cycle names another.
func TestCycleNamesAsElle(t *testing.T) {
	for _, tc := range []struct {
		name   string
		h      history.History
		models []string
		want   []string
		// was is what the explained-label search reported
		was []string
	}{
		{
			// B -rw,realtime-> A: G-single-item-realtime's walk A -rw-> B
			// -realtime-> A explains as G2-item (B->A is rw first), so Elle
			// gives up on it and never sees A -rw-> B -realtime-> E -wr-> A.
			name: "realtime step on an rw edge: G-single-item-realtime given up",
			h: events(
				"0 invoke", "0 ok r:y:_ w:x:1", // B
				"1 invoke", "2 invoke",
				"1 ok w:z:1",              // E
				"2 ok r:x:_ r:z:1 w:y:1"), // A
			models: []string{"strict-serializable"},
			want:   []string{"G2-item"},
			was:    []string{"G-single-item-realtime", "G2-item"},
		},
		{
			// The case: the first G-single-item-realtime walk,
			// A -rw-> B -rt-> C -rw,rt-> D -rt-> A, explains with two
			// nonadjacent rw steps; Elle gives up, then names it
			// G-nonadjacent-item-realtime.
			name: "realtime step on an rw edge: G-nonadjacent-item-realtime",
			h: events(
				"0 invoke", "0 ok w:x:1", // B
				"1 invoke", "1 ok r:w:_", // C
				"2 invoke",               // D, long
				"3 invoke", "3 ok w:e:1", // E
				"4 invoke", "4 ok w:f:1", // F
				"2 ok w:w:1",
				"5 invoke", "5 ok r:x:_"), // A
			models: []string{"strict-serializable"},
			want:   []string{"G-nonadjacent-item-realtime"},
			was:    []string{"G-single-item-realtime"},
		},
		{
			// The first walk, A -rw-> B -rw,rt-> C -rt-> A, explains as
			// G2-item-realtime; the genuine A -rw-> B -rt-> D -rt-> E -rt-> A
			// is longer and never reached.
			name: "realtime step on an rw edge: G2-item-realtime",
			h: events(
				"0 invoke", "0 ok r:y:_ w:x:1", // B
				"1 invoke",               // C
				"2 invoke", "2 ok w:d:1", // D
				"3 invoke", "3 ok w:e:1", // E
				"1 ok w:y:1",
				"4 invoke", "4 ok r:x:_"), // A
			models: []string{"strict-serializable"},
			want:   []string{"G2-item-realtime"},
			was:    []string{"G-single-item-realtime"},
		},
		{
			// T1 -wr,rw-> T2 -wr-> T1 is G-single-item's first walk (rw step
			// T1->T2) but explains as G1c: given up, though T1 -rw-> T3 -wr->
			// T4 -wr-> T1 is a genuine G-single-item.
			name: "rw step on a wr edge: G-single-item given up",
			h: serialEvents(
				"r:y:_ r:a:_ r:z:1 r:c:1 w:x:1", // T1
				"r:x:1 w:y:1 w:z:1",             // T2
				"w:a:1 w:b:1",                   // T3
				"r:b:1 w:c:1"),                  // T4
			models: []string{"serializable"},
			want:   []string{"G1c"},
			was:    []string{"G-single-item", "G1c"},
		},
		{
			// Two G-single-item walks start from different ops: the genuine
			// S2 -rw-> T3 -wr-> S2 from op 1 and the given-up S1 -wr,rw->
			// T2 -wr-> S1 from op 5. Elle starts from op 5: Bifurcan
			// iterates op indices 1, 3, 5, 7 as 5, 1, 7, 3.
			name: "start vertices in Bifurcan order",
			h: serialEvents(
				"r:a:_ r:b:1 r:c:1",        // S2, op 1
				"w:a:1 w:b:1 w:d:1",        // T3, op 3
				"r:y:_ r:z:1 r:d:1 w:x:1",  // S1, op 5
				"r:x:1 w:y:1 w:z:1 w:c:1"), // T2, op 7
			models: []string{"serializable"},
			want:   []string{"G1c"},
			was:    []string{"G-single-item", "G1c"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := cycleNames(t, tc.h, tc.models...)
			if !slices.Equal(got, tc.want) {
				t.Errorf("cycle anomalies %v, want Elle's %v (an explained-label search says %v)", got, tc.want, tc.was)
			}
		})
	}
}

// serialEvents is a history of ok txns, one after another, each on its own
// process: txn i completes at op 2i+1.
func serialEvents(txns ...string) history.History {
	var lines []string
	for i, t := range txns {
		p := strconv.Itoa(i)
		lines = append(lines, p+" invoke", p+" ok "+t)
	}
	return events(lines...)
}

// Cycles elle.bfs/search finds, as printed by Elle's search code run on
// the same graphs over Bifurcan 0.2.0-alpha7 (vertices are op indices,
// edges carry Elle's relationships).
func TestSearchFindsElleCycle(t *testing.T) {
	type e struct {
		from, to int
		r        rels
	}
	for _, tc := range []struct {
		spec  string
		edges []e
		want  []int
	}{
		// op 5 is Bifurcan's first of {1, 3, 5, 7}; ascending order would start at 1
		{"G1c", []e{{1, 3, relWR}, {3, 1, relWR}, {5, 7, relWR}, {7, 5, relWR}, {3, 5, relWR}, {7, 1, relWR}},
			[]int{5, 7, 5}},
		// the rw step may be taken on the wr+rw edge 5->7
		{"G-single-item", []e{{5, 7, relWR | relRW}, {7, 5, relWR}, {1, 3, relRW}, {3, 1, relWR}},
			[]int{5, 7, 5}},
		// realtime taken on an rw+realtime edge
		{"G-single-item-realtime", []e{{1, 3, relRW}, {3, 1, relRW | relRealtime}, {3, 5, relRealtime}, {5, 1, relWR}},
			[]int{1, 3, 1}},
		// no two rw steps adjacent, the closing step included
		{"G-nonadjacent-item", []e{{1, 3, relRW}, {3, 5, relWR}, {5, 7, relRW}, {7, 1, relWW}, {3, 1, relRW}},
			[]int{5, 7, 1, 3, 5}},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			g := newDigraph()
			for _, x := range tc.edges {
				g.link(x.from, x.to, x.r)
			}
			s := newSearcher(g, func(v int) int { return v }, 1<<30)
			got, err := s.find(cycleSpecs[specIndex(t, tc.spec)])
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func specIndex(t *testing.T, name string) int {
	for i, s := range cycleSpecs {
		if s.name == name {
			return i
		}
	}
	t.Fatalf("no spec %s", name)
	return -1
}

// The search finds a cycle of a spec's shape exactly when one exists: on
// random small graphs, compared with every simple cycle and every choice of
// relationship per step.
func TestSearchAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	labels := []rels{relWW, relWR, relRW, relRealtime, relProcess}
	for iter := range 1500 {
		g := newDigraph()
		n := 2 + rng.IntN(5)
		for range rng.IntN(3 * n) {
			a, b := rng.IntN(n), rng.IntN(n)
			if a == b && rng.IntN(4) != 0 {
				continue
			}
			var r rels
			for _, l := range labels {
				if rng.IntN(3) == 0 {
					r |= l
				}
			}
			if r != 0 {
				g.link(a, b, r)
			}
		}
		cycles := simpleCycles(g)
		for _, spec := range cycleSpecs {
			want := false
			for _, c := range cycles {
				if fitsSomehow(g, spec, c) {
					want = true
					break
				}
			}
			s := newSearcher(g, func(v int) int { return v * 7 }, 1<<30)
			cyc, err := s.find(spec)
			if err != nil {
				t.Fatal(err)
			}
			if cyc != nil && !(isSimpleCycle(g, cyc) && fitsSomehow(g, spec, cyc)) {
				t.Fatalf("iter %d %s: found %v, which does not fit; graph %v", iter, spec.name, cyc, g.out)
			}
			if want != (cyc != nil) {
				t.Fatalf("iter %d %s: brute force says %v, search found %v; graph %v", iter, spec.name, want, cyc, g.out)
			}
		}
	}
}

// simpleCycles lists every simple cycle of g (each from each of its
// vertices), closed: the last vertex repeats the first.
func simpleCycles(g *digraph) [][]int {
	var out [][]int
	var walk func(path []int, on map[int]bool)
	walk = func(path []int, on map[int]bool) {
		for _, w := range g.succ(path[len(path)-1]) {
			if w == path[0] {
				out = append(out, append(slices.Clone(path), w))
			} else if !on[w] {
				on[w] = true
				walk(append(path, w), on)
				delete(on, w)
			}
		}
	}
	for _, v := range g.vertices() {
		walk([]int{v}, map[int]bool{v: true})
	}
	return out
}

func isSimpleCycle(g *digraph, c []int) bool {
	if len(c) < 2 || c[0] != c[len(c)-1] {
		return false
	}
	seen := map[int]bool{}
	for i := 0; i+1 < len(c); i++ {
		if seen[c[i]] || g.edge(c[i], c[i+1]) == 0 {
			return false
		}
		seen[c[i]] = true
	}
	return true
}

// fitsSomehow: some choice of one relationship per step of closed cycle c
// has the spec's shape.
func fitsSomehow(g *digraph, spec cycleSpec, c []int) bool {
	steps := make([]rels, len(c)-1)
	var try func(i int) bool
	try = func(i int) bool {
		if i == len(steps) {
			return hasShape(spec, steps)
		}
		for _, r := range singles(g.edge(c[i], c[i+1])) {
			steps[i] = r
			if try(i + 1) {
				return true
			}
		}
		return false
	}
	return try(0)
}

// hasShape is each spec's shape as Elle's spec language states it: legal
// steps, each required rel at least once, and exactly one rw step
// (:single-rels), two or more (:multiple-rels), or two or more none of them
// next to another, the closing step included (:nonadjacent-rels).
func hasShape(spec cycleSpec, steps []rels) bool {
	rw := 0
	for i, r := range steps {
		switch {
		case r == relRW && spec.legal&relRW == 0:
			if spec.wantRW == 0 || (spec.mode == rwNonadjFree && steps[(i+1)%len(steps)] == relRW) {
				return false
			}
			rw++
		case r == relRW:
			rw++
		case r&spec.legal == 0:
			return false
		}
	}
	for _, req := range spec.required {
		if !slices.ContainsFunc(steps, func(r rels) bool { return r&req != 0 }) {
			return false
		}
	}
	switch {
	case spec.mode == rwSingle:
		return rw == 1
	default:
		return rw >= spec.wantRW
	}
}
