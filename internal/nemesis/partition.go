// Package nemesis is Maelstrom's only fault: network partitions. It computes
// the partition shapes Jepsen's combined partition nemesis offers (one,
// majority, minority-third, majorities-ring) as grudges, and the schedule of
// partition starts and heals.
package nemesis

import (
	"math/rand/v2"
	"slices"
	"sort"
	"time"
)

// Grudge maps a node to the nodes whose messages it drops.
type Grudge map[string][]string

// Shapes are the partition shapes Maelstrom draws from, uniformly.
var Shapes = []string{"one", "majority", "minority-third", "majorities-ring"}

// Partition computes the grudge of a shape over the test's nodes.
func Partition(shape string, nodes []string, rng *rand.Rand) Grudge {
	shuffled := slices.Clone(nodes)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	switch shape {
	case "one":
		if len(shuffled) == 0 {
			return Grudge{}
		}
		return complete([][]string{shuffled[:1], shuffled[1:]})
	case "majority":
		half := len(shuffled) / 2
		return complete([][]string{shuffled[:half], shuffled[half:]})
	case "minority-third":
		third := (len(shuffled) - 1) / 3
		if third <= 0 {
			return Grudge{} // nothing to cut off (N <= 3)
		}
		return complete([][]string{shuffled[:third], shuffled[third:]})
	case "majorities-ring":
		if len(shuffled) <= 5 {
			return perfectRing(shuffled)
		}
		return stochasticRing(shuffled, rng)
	}
	panic("nemesis: unknown partition shape " + shape)
}

// complete makes every node drop messages from every node outside its own
// component (Jepsen's complete-grudge).
func complete(components [][]string) Grudge {
	g := Grudge{}
	for i, comp := range components {
		var others []string
		for j, other := range components {
			if i != j {
				others = append(others, other...)
			}
		}
		if len(others) == 0 {
			continue
		}
		for _, n := range comp {
			g[n] = slices.Clone(others)
		}
	}
	return g
}

func majority(n int) int { return n/2 + 1 }

// perfectRing lays the (shuffled) nodes on a ring; each window of a majority
// of consecutive nodes is the only set its middle node hears from. With 5
// nodes each hears itself and its two neighbours; with 3 the cut links are
// one-way, as in Jepsen.
func perfectRing(ring []string) Grudge {
	n := len(ring)
	m := majority(n)
	g := Grudge{}
	for start := 0; start < n; start++ {
		window := map[string]bool{}
		for k := 0; k < m; k++ {
			window[ring[(start+k)%n]] = true
		}
		middle := ring[(start+m/2)%n]
		var drops []string
		for _, other := range ring {
			if !window[other] {
				drops = append(drops, other)
			}
		}
		if len(drops) > 0 {
			g[middle] = drops
		}
	}
	return g
}

// stochasticRing links least-connected nodes at random until every node is
// linked to a majority (itself included); each node then drops messages
// from every node it is not linked to.
func stochasticRing(nodes []string, rng *rand.Rand) Grudge {
	n := len(nodes)
	m := majority(n)
	links := make(map[string]map[string]bool, n)
	for _, x := range nodes {
		links[x] = map[string]bool{x: true}
	}
	leastConnected := func(candidates []string) []string {
		best := -1
		var out []string
		for _, x := range candidates {
			switch d := len(links[x]); {
			case best == -1 || d < best:
				best, out = d, []string{x}
			case d == best:
				out = append(out, x)
			}
		}
		return out
	}
	for {
		var short []string
		for _, x := range nodes {
			if len(links[x]) < m {
				short = append(short, x)
			}
		}
		if len(short) == 0 {
			break
		}
		lows := leastConnected(short)
		a := lows[rng.IntN(len(lows))]
		var unlinked []string
		for _, x := range nodes {
			if !links[a][x] {
				unlinked = append(unlinked, x)
			}
		}
		peers := leastConnected(unlinked)
		b := peers[rng.IntN(len(peers))]
		links[a][b], links[b][a] = true, true
	}
	g := Grudge{}
	for _, x := range nodes {
		var drops []string
		for _, y := range nodes {
			if !links[x][y] {
				drops = append(drops, y)
			}
		}
		if len(drops) > 0 {
			sort.Strings(drops)
			g[x] = drops
		}
	}
	return g
}

// Gap is the wait between two nemesis operations: uniform in [0, 2*interval),
// so interval is the mean, as Maelstrom's --nemesis-interval.
func Gap(interval time.Duration, rng *rand.Rand) time.Duration {
	if interval <= 0 {
		return 0
	}
	return time.Duration(rng.Int64N(int64(2 * interval)))
}
