package elle

import (
	"errors"
	"sort"
)

// This file finds and classifies dependency cycles within one strongly
// connected component of the transaction graph, as elle.txn does.
//
// Elle searches with a breadth-first walk over simple paths whose state
// machine enforces each anomaly's shape, then names the cycle it found by
// *explaining* each step: the first explainer that relates the pair (wr, then
// ww, then rw, then realtime/process) gives the step's type, and the type
// counts classify the cycle. We search over those explained labels directly,
// so every cycle we find explains to the shape we searched for. Where the
// shape needs one constraint we decide existence exactly with SCCs and
// reachability; the rest use Elle's path search under a step budget (Elle
// uses a 1 s timeout per component).

// cycleSpec is one of Elle's cycle anomaly specifications.
type cycleSpec struct {
	name   string
	legal  rels   // labels a step may take freely
	want   []rels // each needs its own step
	mode   rwMode // how rw steps are taken
	wantRW int    // rw steps still required
	typed  bool   // the cycle must explain to exactly this name
	// predicate specs (G-single, G-nonadjacent, G2 and their variants) need
	// predicate edges to explain to their own name; rw-registers have none,
	// so Elle never reports them (only as implications).
	predicate bool
}

type rwMode int

const (
	rwNone rwMode = iota
	rwSingle
	rwNonadjFree
	rwNonadjTaken
)

// cycleSpecs are Elle's cycle-anomaly-specs with their process and realtime
// variants, in Elle's search order (anomaly depth, then name).
var cycleSpecs = func() []cycleSpec {
	base := []cycleSpec{
		{name: "G0", legal: relWW},
		{name: "G1c", legal: relWW | relWR, want: []rels{relWR}},
		{name: "G-single-item", legal: relWW | relWR, mode: rwSingle, wantRW: 1, typed: true},
		{name: "G-single", legal: relWW | relWR, mode: rwSingle, wantRW: 1, typed: true, predicate: true},
		{name: "G-nonadjacent-item", legal: relWW | relWR, mode: rwNonadjFree, wantRW: 2, typed: true},
		{name: "G-nonadjacent", legal: relWW | relWR, mode: rwNonadjFree, wantRW: 2, typed: true, predicate: true},
		{name: "G2-item", legal: relWW | relWR | relRW, wantRW: 2, typed: true},
		{name: "G2", legal: relWW | relWR | relRW, wantRW: 2, typed: true, predicate: true},
	}
	var all []cycleSpec
	for _, s := range base {
		all = append(all, s)
		for _, v := range []struct {
			r    rels
			name string
		}{{relProcess, "process"}, {relRealtime, "realtime"}} {
			w := s
			w.name = s.name + "-" + v.name
			w.legal |= v.r
			w.want = append(append([]rels(nil), s.want...), v.r)
			all = append(all, w)
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return lessAnomaly(all[i].name, all[j].name) })
	return all
}()

var cycleTypes = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range cycleSpecs {
		m[s.name] = true
	}
	return m
}()

// relevant is every label the spec's search may step along.
func (s cycleSpec) relevant() rels {
	r := s.legal
	for _, w := range s.want {
		r |= w
	}
	if s.wantRW > 0 || s.mode != rwNone {
		r |= relRW
	}
	return r
}

// existsSpec is one of Elle's cycle-exists specifications: a subgraph that
// must be acyclic if the model holds. ext, if set, extends the subgraph
// by one step through those rels (Elle's sequential extension).
type existsSpec struct {
	model string // canonical
	base  rels
	ext   rels
}

var existsSpecs = []existsSpec{
	{model: "PL-1", base: relWW},
	{model: "PL-2", base: relWW | relWR},
	{model: "PL-SI", base: relWW | relWR, ext: relRW},
	{model: "PL-2.99", base: relWW | relWR | relRW},
	{model: "PL-3", base: relWW | relWR | relRW},
	{model: "strong-session-PL-1", base: relWW | relProcess},
	{model: "strong-session-PL-2", base: relWW | relWR | relProcess},
	{model: "strong-session-snapshot-isolation", base: relWW | relWR | relProcess, ext: relRW},
	{model: "strong-session-serializable", base: relWW | relWR | relRW | relProcess},
	{model: "strong-PL-1", base: relWW | relRealtime},
	{model: "strong-PL-2", base: relWW | relWR | relRealtime},
	{model: "strong-snapshot-isolation", base: relWW | relWR | relRealtime, ext: relRW},
	{model: "PL-SS", base: relWW | relWR | relRW | relRealtime},
}

func (s existsSpec) typ() string { return s.model + "-cycle-exists" }

func (s existsSpec) subgraphName() []string {
	name := func(r rels) []string { return append([]string{"union"}, r.names()...) }
	if s.ext == 0 {
		return name(s.base)
	}
	return append(append([]string{"extension"}, name(s.base)...), name(s.ext)...)
}

// errBudget ends a search that ran out of steps (Elle's cycle-search-timeout).
var errBudget = errors.New("cycle search budget exhausted")

// searcher holds one component's graph and the step budget left for it.
type searcher struct {
	g      *digraph // the component, every rel
	budget int
}

func (s *searcher) spend(n int) error {
	s.budget -= n
	if s.budget < 0 {
		return errBudget
	}
	return nil
}

// find looks for a cycle matching spec; nil if there is none.
func (s *searcher) find(spec cycleSpec) ([]int, error) {
	lg := s.g.byLabel(spec.relevant())
	switch {
	case spec.mode == rwNone && spec.wantRW == 0 && len(spec.want) <= 1:
		return s.findWithEdge(lg, spec.want)
	case spec.mode == rwSingle && len(spec.want) == 0:
		return s.findSingleRW(lg, spec.legal)
	default:
		return s.bfs(lg, spec)
	}
}

// findWithEdge finds a cycle in lg, through an edge labelled want[0] if
// want is set: exact, since any edge inside a strongly connected component
// closes a simple cycle with a shortest path back.
func (s *searcher) findWithEdge(lg *digraph, want []rels) ([]int, error) {
	for _, comp := range lg.sccs(true) {
		if !lg.nontrivial(comp) {
			continue
		}
		in := setOfInts(comp)
		inComp := func(_, w int) bool { return in[w] }
		for _, u := range comp {
			for _, w := range lg.succ(u) {
				if !in[w] || (len(want) == 1 && lg.edge(u, w)&want[0] == 0) {
					continue
				}
				if err := s.spend(len(comp)); err != nil {
					return nil, err
				}
				if back := lg.shortestPath(w, u, inComp); back != nil {
					return append([]int{u}, back...), nil
				}
			}
		}
	}
	return nil, nil
}

// findSingleRW finds a cycle of one rw step u->v closed by a path v ~> u
// over legal labels: exact, by reachability.
func (s *searcher) findSingleRW(lg *digraph, legal rels) ([]int, error) {
	h := newDigraph()
	for v := range lg.verts {
		h.verts[v] = true
	}
	for a, m := range lg.out {
		for b, l := range m {
			if l&legal != 0 {
				h.link(a, b, l)
			}
		}
	}
	comp := map[int]int{}
	comps := h.sccs(true)
	// Tarjan emits components in reverse topological order; sorting by
	// smallest vertex loses that, so recompute a topological rank.
	rank := topoRank(h, comps, comp)
	for _, u := range lg.vertices() {
		for _, v := range lg.succ(u) {
			if lg.edge(u, v) != relRW {
				continue
			}
			// v must reach u within h; impossible if u's component comes first.
			if comp[v] != comp[u] && rank[comp[v]] > rank[comp[u]] {
				continue
			}
			if err := s.spend(len(h.verts)); err != nil {
				return nil, err
			}
			if back := h.shortestPath(v, u, nil); back != nil {
				return append([]int{u}, back...), nil
			}
		}
	}
	return nil, nil
}

// topoRank fills comp (vertex -> component number) and returns each
// component's rank in a topological order of h's condensation.
func topoRank(h *digraph, comps [][]int, comp map[int]int) []int {
	for i, c := range comps {
		for _, v := range c {
			comp[v] = i
		}
	}
	indeg := make([]int, len(comps))
	succ := make([]map[int]bool, len(comps))
	for a, m := range h.out {
		for b := range m {
			ca, cb := comp[a], comp[b]
			if ca == cb {
				continue
			}
			if succ[ca] == nil {
				succ[ca] = map[int]bool{}
			}
			if !succ[ca][cb] {
				succ[ca][cb] = true
				indeg[cb]++
			}
		}
	}
	rank := make([]int, len(comps))
	var queue []int
	for c, d := range indeg {
		if d == 0 {
			queue = append(queue, c)
		}
	}
	for r := 0; len(queue) > 0; r++ {
		c := queue[0]
		queue = queue[1:]
		rank[c] = r
		for d := range succ[c] {
			if indeg[d]--; indeg[d] == 0 {
				queue = append(queue, d)
			}
		}
	}
	return rank
}

func setOfInts(xs []int) map[int]bool {
	m := make(map[int]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// path is a partial walk in Elle's BFS (elle.BFSPath).
type path struct {
	want   uint8 // bit i set: spec.want[i] still needed
	wantRW int
	mode   rwMode
	ops    []int
}

func (p *path) last() int { return p.ops[len(p.ops)-1] }

func (p *path) isLoop() bool {
	l := p.last()
	for _, v := range p.ops[:len(p.ops)-1] {
		if v == l {
			return true
		}
	}
	return false
}

func (p *path) valid() bool { return p.want == 0 && p.wantRW == 0 && p.mode != rwNonadjTaken }

func (p *path) tail() bool { return p.last() != p.ops[0] }

func checkOff(want uint8, spec cycleSpec, l rels) uint8 {
	for i, w := range spec.want {
		if want&(1<<i) != 0 && w&l != 0 {
			return want &^ (1 << i)
		}
	}
	return want
}

func (p *path) extend(spec cycleSpec, want uint8, wantRW int, mode rwMode, to int) *path {
	ops := make([]int, len(p.ops)+1)
	copy(ops, p.ops)
	ops[len(p.ops)] = to
	return &path{want: want, wantRW: wantRW, mode: mode, ops: ops}
}

// stepRel is BFSPath.stepRel for a single label.
func (p *path) stepRel(spec cycleSpec, l rels, to int) *path {
	isRW := l == relRW
	if l&spec.legal != 0 {
		wantRW := p.wantRW
		if isRW && wantRW > 0 {
			wantRW--
		}
		mode := p.mode
		if mode == rwNonadjTaken {
			mode = rwNonadjFree
		}
		return p.extend(spec, checkOff(p.want, spec, l), wantRW, mode, to)
	}
	if !isRW {
		return nil
	}
	switch p.mode {
	case rwSingle:
		return p.extend(spec, checkOff(p.want, spec, l), 0, rwNone, to)
	case rwNonadjFree:
		wantRW := p.wantRW
		if wantRW > 0 {
			wantRW--
		}
		return p.extend(spec, checkOff(p.want, spec, l), wantRW, rwNonadjTaken, to)
	}
	return nil
}

// step is BFSPath.step for an edge with a single label, including Elle's
// first-step restrictions (only rw when rw is wanted, only wanted or rw
// labels while anything is wanted).
func (p *path) step(spec cycleSpec, l rels, to int) *path {
	rwConsidered := p.wantRW > 0 || p.mode == rwSingle || p.mode == rwNonadjFree
	if l == relRW && rwConsidered {
		return p.stepRel(spec, l, to)
	}
	first := len(p.ops) == 1
	if p.wantRW > 0 && first {
		return nil
	}
	var wantMask rels
	for i, w := range spec.want {
		if p.want&(1<<i) != 0 {
			wantMask |= w
		}
	}
	if rwConsidered {
		wantMask &^= relRW
	}
	if l&wantMask != 0 {
		return p.stepRel(spec, l, to)
	}
	if p.want != 0 && first {
		return nil
	}
	legal := spec.legal &^ wantMask
	if rwConsidered {
		legal &^= relRW
	}
	if l&legal != 0 {
		return p.stepRel(spec, l, to)
	}
	return nil
}

func (s *searcher) bfs(lg *digraph, spec cycleSpec) ([]int, error) {
	for _, v := range lg.vertices() {
		c, err := s.searchFrom(lg, spec, v)
		if c != nil || err != nil {
			return c, err
		}
	}
	return nil, nil
}

func (s *searcher) searchFrom(g *digraph, spec cycleSpec, start int) ([]int, error) {
	init := &path{want: uint8(1<<len(spec.want)) - 1, wantRW: spec.wantRW, mode: spec.mode, ops: []int{start}}
	paths := []*path{init}
	for len(paths) > 0 {
		var open []*path
		for _, p := range paths {
			if !p.isLoop() {
				open = append(open, p)
				continue
			}
			if !p.valid() {
				continue
			}
			if !p.tail() {
				return p.ops, nil
			}
			c, err := s.trimLoop(g, spec, p)
			if c != nil || err != nil {
				return c, err
			}
		}
		paths = paths[:0:0]
		for _, p := range open {
			for _, w := range g.succ(p.last()) {
				if np := p.step(spec, g.edge(p.last(), w), w); np != nil {
					if err := s.spend(1); err != nil {
						return nil, err
					}
					paths = append(paths, np)
				}
			}
		}
	}
	return nil, nil
}

// trimLoop is Elle's trim-loop: a valid path that closed on an inner vertex
// (a loop with a tail) is searched again within just the loop's vertices.
func (s *searcher) trimLoop(g *digraph, spec cycleSpec, p *path) ([]int, error) {
	pin := p.last()
	i := 0
	for p.ops[i] != pin {
		i++
	}
	trimmed := p.ops[i:]
	var vs []int
	seen := map[int]bool{}
	for _, v := range trimmed {
		if !seen[v] {
			seen[v] = true
			vs = append(vs, v)
		}
	}
	sub := g.sub(vs, ^relNone)
	for _, v := range trimmed {
		c, err := s.searchFrom(sub, spec, v)
		if c != nil || err != nil {
			return c, err
		}
	}
	return nil, nil
}

// fallbackCycle is Elle's fallback-cycle: a depth-first walk from the first
// vertex of a strongly connected graph until it meets its own path.
func fallbackCycle(g *digraph) []int {
	vs := g.vertices()
	path := []int{vs[0]}
	seen := map[int]int{vs[0]: 0}
	for {
		succ := g.succ(path[len(path)-1])
		for _, w := range succ {
			if i, ok := seen[w]; ok {
				return append(append([]int(nil), path[i:]...), path[i])
			}
		}
		if len(succ) == 0 {
			return nil
		}
		seen[succ[0]] = len(path)
		path = append(path, succ[0])
	}
}
