package nemesis

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func nodes(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("n%d", i)
	}
	return out
}

// hears reports whether dest accepts messages from src under g.
func hears(g Grudge, dest, src string) bool {
	for _, x := range g[dest] {
		if x == src {
			return false
		}
	}
	return true
}

func components(g Grudge, ns []string) int {
	// Count nodes that are cut off from at least one other node.
	cut := 0
	for _, n := range ns {
		if len(g[n]) > 0 {
			cut++
		}
	}
	return cut
}

func TestShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, tc := range []struct {
		shape string
		n     int
		check func(t *testing.T, g Grudge, ns []string)
	}{
		{"one", 5, func(t *testing.T, g Grudge, ns []string) {
			// One node drops all 4 others; the 4 others drop only it.
			var loner string
			for n, drops := range g {
				if len(drops) == 4 {
					loner = n
				}
			}
			if loner == "" || len(g) != 5 {
				t.Fatalf("grudge %v is not one isolated node", g)
			}
			for _, n := range ns {
				if n != loner && (len(g[n]) != 1 || g[n][0] != loner) {
					t.Fatalf("node %s drops %v, want only %s", n, g[n], loner)
				}
			}
		}},
		{"majority", 5, func(t *testing.T, g Grudge, ns []string) {
			sizes := map[int]int{}
			for _, n := range ns {
				sizes[len(g[n])]++
			}
			// 2 | 3 split: the 2 drop 3 each, the 3 drop 2 each.
			if sizes[3] != 2 || sizes[2] != 3 {
				t.Fatalf("grudge %v is not a 2|3 split", g)
			}
		}},
		{"majority", 2, func(t *testing.T, g Grudge, ns []string) {
			if hears(g, "n0", "n1") || hears(g, "n1", "n0") {
				t.Fatalf("2 nodes should split 1|1: %v", g)
			}
		}},
		{"minority-third", 3, func(t *testing.T, g Grudge, ns []string) {
			if len(g) != 0 {
				t.Fatalf("minority-third on 3 nodes cuts nothing in Maelstrom, got %v", g)
			}
		}},
		{"minority-third", 25, func(t *testing.T, g Grudge, ns []string) {
			sizes := map[int]int{}
			for _, n := range ns {
				sizes[len(g[n])]++
			}
			if sizes[17] != 8 || sizes[8] != 17 {
				t.Fatalf("25 nodes should split 8|17, got sizes %v", sizes)
			}
		}},
		{"majorities-ring", 5, func(t *testing.T, g Grudge, ns []string) {
			for _, n := range ns {
				if len(g[n]) != 2 {
					t.Fatalf("on 5 nodes each node hears itself and 2 neighbours; %s drops %v", n, g[n])
				}
				for _, src := range g[n] {
					if hears(g, src, n) {
						t.Fatalf("5-node ring should be symmetric: %s drops %s but not the reverse", n, src)
					}
				}
			}
		}},
		{"majorities-ring", 3, func(t *testing.T, g Grudge, ns []string) {
			// One-way links: each node drops exactly one peer, and no pair drops each other.
			for _, n := range ns {
				if len(g[n]) != 1 {
					t.Fatalf("%s drops %v, want exactly one peer", n, g[n])
				}
				if !hears(g, g[n][0], n) {
					t.Fatalf("3-node ring links should be one-way: %v", g)
				}
			}
		}},
		{"majorities-ring", 25, func(t *testing.T, g Grudge, ns []string) {
			for _, n := range ns {
				heard := len(ns) - len(g[n])
				if heard < 13 {
					t.Fatalf("%s hears %d nodes, want a majority (13)", n, heard)
				}
				for _, src := range g[n] {
					if hears(g, src, n) {
						t.Fatalf("stochastic ring links are symmetric: %s drops %s only one way", n, src)
					}
				}
			}
			if components(g, ns) == 0 {
				t.Fatal("25-node ring cut nothing")
			}
		}},
	} {
		t.Run(fmt.Sprintf("%s/%d", tc.shape, tc.n), func(t *testing.T) {
			ns := nodes(tc.n)
			for i := 0; i < 20; i++ {
				g := Partition(tc.shape, ns, rng)
				for dest, srcs := range g {
					for _, src := range srcs {
						if src == dest {
							t.Fatalf("%s drops its own messages", dest)
						}
					}
				}
				tc.check(t, g, ns)
			}
		})
	}
}

func TestGap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	sum := time.Duration(0)
	for i := 0; i < 10000; i++ {
		g := Gap(10*time.Second, rng)
		if g < 0 || g >= 20*time.Second {
			t.Fatalf("gap %v outside [0, 20s)", g)
		}
		sum += g
	}
	if mean := sum / 10000; mean < 9500*time.Millisecond || mean > 10500*time.Millisecond {
		t.Fatalf("mean gap %v, want about 10 s", mean)
	}
}
