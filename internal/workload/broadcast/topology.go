package broadcast

import "fmt"

// Topologies lists the names --topology accepts, as Maelstrom does ("tree"
// is tree2).
var Topologies = []string{"grid", "line", "total", "tree", "tree2", "tree3", "tree4"}

// DefaultTopology is Maelstrom's default.
const DefaultTopology = "grid"

// Topology computes the neighbour map Maelstrom sends in the topology
// message, for the nodes in the test's order. Neighbour lists keep
// Maelstrom's order, which nodes may rely on (e.g. "first neighbour is my
// parent" in a tree). Every list is non-nil so that it encodes as [].
func Topology(name string, nodes []string) (map[string][]string, error) {
	switch name {
	case "", "grid":
		return gridTopology(nodes), nil
	case "line":
		return lineTopology(nodes), nil
	case "total":
		return totalTopology(nodes), nil
	case "tree", "tree2":
		return treeTopology(2, nodes), nil
	case "tree3":
		return treeTopology(3, nodes), nil
	case "tree4":
		return treeTopology(4, nodes), nil
	}
	return nil, fmt.Errorf("unknown topology %q (known: %v)", name, Topologies)
}

// gridTopology lays the nodes out row by row on a square of side
// ceil(sqrt(n)); each node's neighbours are below, above, right, left, in
// that order, where such a position holds a node.
func gridTopology(nodes []string) map[string][]string {
	n := len(nodes)
	side := 0
	for side*side < n {
		side++
	}
	at := func(i, j int) (string, bool) {
		if i < 0 || j < 0 || j >= side {
			return "", false
		}
		idx := i*side + j
		if idx >= n {
			return "", false
		}
		return nodes[idx], true
	}
	topo := map[string][]string{}
	for k, node := range nodes {
		i, j := k/side, k%side
		nbrs := []string{}
		for _, d := range [][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
			if m, ok := at(i+d[0], j+d[1]); ok {
				nbrs = append(nbrs, m)
			}
		}
		topo[node] = nbrs
	}
	return topo
}

// lineTopology links each node to its predecessor and successor. Maelstrom
// gives an empty map (not {n0: []}) for a single node.
func lineTopology(nodes []string) map[string][]string {
	n := len(nodes)
	topo := map[string][]string{}
	if n < 2 {
		return topo
	}
	topo[nodes[0]] = []string{nodes[1]}
	topo[nodes[n-1]] = []string{nodes[n-2]}
	for i := 1; i < n-1; i++ {
		topo[nodes[i]] = []string{nodes[i-1], nodes[i+1]}
	}
	return topo
}

// totalTopology links every node to every other, in list order.
func totalTopology(nodes []string) map[string][]string {
	topo := map[string][]string{}
	for _, node := range nodes {
		nbrs := []string{}
		for _, m := range nodes {
			if m != node {
				nbrs = append(nbrs, m)
			}
		}
		topo[node] = nbrs
	}
	return topo
}

// treeTopology fills tiers of sizes 1, b, b², ... in list order; the
// children tier is cut into groups of b, one group per parent in order.
// Neighbours are [parent, children...] (the root has no parent).
func treeTopology(b int, nodes []string) map[string][]string {
	var tiers [][]string
	rest := nodes
	for size := 1; len(rest) > 0; size *= b {
		k := min(size, len(rest))
		tiers = append(tiers, rest[:k])
		rest = rest[k:]
	}
	topo := map[string][]string{}
	for t, tier := range tiers {
		for p, node := range tier {
			nbrs := []string{}
			if t > 0 {
				nbrs = append(nbrs, tiers[t-1][p/b])
			}
			if t+1 < len(tiers) {
				kids := tiers[t+1]
				lo, hi := min(p*b, len(kids)), min((p+1)*b, len(kids))
				nbrs = append(nbrs, kids[lo:hi]...)
			}
			topo[node] = nbrs
		}
	}
	return topo
}
