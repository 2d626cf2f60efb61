package elle

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// simpleCycles enumerates every simple cycle of a small graph, each once per
// starting vertex rotation (which is fine for existence checks), as the
// labels of its edges.
func simpleCycles(g *digraph) [][]rels {
	var out [][]rels
	vs := g.vertices()
	var walk func(start int, path []int, labels []rels, seen map[int]bool)
	walk = func(start int, path []int, labels []rels, seen map[int]bool) {
		last := path[len(path)-1]
		for _, w := range g.succ(last) {
			l := g.edge(last, w).label()
			if w == start {
				out = append(out, append(append([]rels(nil), labels...), l))
				continue
			}
			if seen[w] {
				continue
			}
			seen[w] = true
			walk(start, append(path, w), append(labels, l), seen)
			delete(seen, w)
		}
	}
	for _, v := range vs {
		walk(v, []int{v}, nil, map[int]bool{v: true})
	}
	return out
}

// matches says whether a cycle's labels fit a spec and explain to its name
// where the spec is typed.
func matches(spec cycleSpec, labels []rels) bool {
	rw, adjacent := 0, false
	counts := map[rels]int{}
	for i, l := range labels {
		if l&spec.relevant() == 0 {
			return false
		}
		counts[l]++
		if l == relRW {
			rw++
			if len(labels) > 1 && labels[(i+1)%len(labels)] == relRW {
				adjacent = true
			}
		}
	}
	for _, w := range spec.want {
		if counts[w] == 0 {
			return false
		}
	}
	switch {
	case spec.mode == rwSingle:
		if rw != 1 {
			return false
		}
	case spec.mode == rwNonadjFree:
		if rw < spec.wantRW || adjacent {
			return false
		}
	case spec.legal&relRW != 0:
		if rw < spec.wantRW {
			return false
		}
	default:
		if rw > 0 {
			return false
		}
	}
	if spec.typed && len(spec.want) <= 1 && spec.wantRW == 2 && spec.mode == rwNone && !adjacent {
		return false // G2-item must explain as G2-item: some rw steps adjacent
	}
	return true
}

// The cycle search agrees with brute force on random small graphs: every
// shape the search claims exists, and it finds one whenever one exists
// (G2-item only when no G-nonadjacent cycle exists, which is the only way
// Elle reaches it, G-nonadjacent-item implying G2-item).
func TestSearchAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	labels := []rels{relWW, relWR, relRW, relRealtime, relProcess}
	for iter := range 3000 {
		g := newDigraph()
		n := 2 + rng.IntN(5)
		for range rng.IntN(3 * n) {
			a, b := rng.IntN(n), rng.IntN(n)
			if a != b || rng.IntN(4) == 0 {
				g.link(a, b, labels[rng.IntN(len(labels))])
			}
		}
		if len(g.verts) == 0 {
			continue
		}
		cycles := simpleCycles(g)
		exists := func(name string) bool {
			for _, c := range cycles {
				if matches(cycleSpecs[indexOfSpec(name)], c) {
					return true
				}
			}
			return false
		}
		for _, spec := range cycleSpecs {
			if spec.predicate {
				continue
			}
			want := false
			for _, c := range cycles {
				if matches(spec, c) {
					want = true
				}
			}
			s := &searcher{g: g, budget: 1 << 30}
			cyc, err := s.find(spec)
			if err != nil {
				t.Fatal(err)
			}
			var got []rels
			for i := 0; cyc != nil && i+1 < len(cyc); i++ {
				got = append(got, g.edge(cyc[i], cyc[i+1]).label())
			}
			if cyc != nil && !matches(spec, got) && !(spec.typed && spec.wantRW == 2 && spec.mode == rwNone) {
				t.Fatalf("iter %d %s: found %v (labels %v) which does not fit; graph %v", iter, spec.name, cyc, got, g.out)
			}
			if rest, ok := strings.CutPrefix(spec.name, "G2-item"); ok && exists("G-nonadjacent-item"+rest) {
				continue
			}
			if want && (cyc == nil || !matches(spec, got)) {
				t.Fatalf("iter %d %s: brute force finds a cycle, search found %v; graph %v", iter, spec.name, cyc, g.out)
			}
			if !want && cyc != nil && matches(spec, got) {
				t.Fatalf("iter %d %s: search found %v (%v), brute force none; graph %v", iter, spec.name, cyc, got, g.out)
			}
		}
	}
}

func indexOfSpec(name string) int {
	for i, s := range cycleSpecs {
		if s.name == name {
			return i
		}
	}
	panic(name)
}
