package elle

import (
	"errors"
	"sort"

	"gossip-glomers/internal/checker/graph"
)

// This file finds the dependency cycles of one strongly connected component
// of the transaction graph the way elle.txn/cycle-in-scc-of-type and
// elle.bfs/search do (Elle 0.2.2), so that a history gets the cycle names
// Elle gives it:
//
//   - each cycle anomaly spec is searched for with a breadth-first walk
//     over simple paths whose state (Elle's BFSPath) enforces the spec's
//     shape; a step follows one of the relationships its edge carries, so an
//     edge that is both wr and rw may be taken as either;
//   - walks start from each vertex in turn and visit successors in the
//     order Elle's Bifurcan graphs iterate them, which depends only on the
//     ops' indices (graph.BifurcanOrder), so the first cycle found is Elle's;
//   - that first cycle is what gets named, by explaining each step (wr
//     before ww before rw before realtime/process, explainPair). A spec with
//     a type of its own gives up when the explanation names another type: it
//     does not look for a second cycle (sccCases).
//
// A step budget per component stands in for Elle's 1 s cycle-search-timeout.
// (Run side by side with Elle's search code over Bifurcan on thousands of
// random graphs, this search found the same cycles in the same number of
// steps.)

// cycleSpec is one of Elle's cycle-anomaly-specs. Neither rw-registers nor
// lists have predicate relationships, so the specs' predicate rels are left
// out.
type cycleSpec struct {
	name     string
	legal    rels   // :rels, steps the path may always take
	required []rels // :required-rels, each needs a step of its own
	wantRW   int    // rw steps required: 1 for :single-rels, 2 for :multiple-rels
	mode     rwMode // how rw steps outside legal may be taken
	typed    bool   // :type, the cycle must explain to exactly this name
}

// rwMode is BFSPath.RWMode.
type rwMode int8

const (
	rwNone        rwMode = iota // rw steps only if legal
	rwSingle                    // exactly one rw step, then rwNone
	rwNonadjFree                // an rw step may come next
	rwNonadjTaken               // the last step was rw; the next may not be
)

// cycleSpecs are Elle's cycle-anomaly-specs with their process and realtime
// variants, in Elle's search order (anomaly depth, then name). G-single,
// G-nonadjacent and G2 need predicate edges to explain to their own names,
// so without them their searches always give up; Elle still runs them,
// and so do we, for the time (budget) they take.
var cycleSpecs = func() []cycleSpec {
	base := []cycleSpec{
		{name: "G0", legal: relWW},
		{name: "G1c", legal: relWW | relWR, required: []rels{relWR}},
		{name: "G-single-item", legal: relWW | relWR, wantRW: 1, mode: rwSingle, typed: true},
		{name: "G-single", legal: relWW | relWR, wantRW: 1, mode: rwSingle, typed: true},
		{name: "G-nonadjacent-item", legal: relWW | relWR, wantRW: 2, mode: rwNonadjFree, typed: true},
		{name: "G-nonadjacent", legal: relWW | relWR, wantRW: 2, mode: rwNonadjFree, typed: true},
		{name: "G2-item", legal: relWW | relWR | relRW, wantRW: 2, typed: true},
		{name: "G2", legal: relWW | relWR | relRW, wantRW: 2, typed: true},
	}
	var all []cycleSpec
	for _, s := range base {
		all = append(all, s)
		// cycle-anomaly-spec-variant: the variant's edges are legal and
		// required.
		for _, v := range []struct {
			r    rels
			name string
		}{{relProcess, "process"}, {relRealtime, "realtime"}} {
			w := s
			w.name = s.name + "-" + v.name
			w.legal |= v.r
			w.required = append(append([]rels(nil), s.required...), v.r)
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

// searched is the union of rels the spec's search graph keeps (the
// projection cycle-in-scc-of-type hands to bfs/search).
func (s cycleSpec) searched() rels {
	r := s.legal
	for _, w := range s.required {
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

// searcher searches one component for cycles, with the step budget left
// for it. A step is one path extension.
type searcher struct {
	g      *digraph // the component, every rel
	hash   map[int]uint32
	budget int

	projections map[rels]*searchGraph
	// done remembers finished searches: G-single's search is G-single-item's
	// (and so on), so it finds the same cycle in the same number of steps.
	done map[searchKey]searchResult
}

// searchKey is what a search depends on: the graph (projection) and the
// initial path state.
type searchKey struct {
	graph, legal rels
	required     [2]rels
	wantRW       int
	mode         rwMode
}

type searchResult struct {
	cycle []int
	steps int
}

// newSearcher prepares a search of component g whose vertex v is the op
// with history index index(v) (Elle hashes ops by index).
func newSearcher(g *digraph, index func(v int) int, budget int) *searcher {
	s := &searcher{g: g, hash: map[int]uint32{}, budget: budget,
		projections: map[rels]*searchGraph{}, done: map[searchKey]searchResult{}}
	for v := range g.verts {
		s.hash[v] = graph.OpHash(index(v))
	}
	return s
}

func (s *searcher) spend(n int) error {
	s.budget -= n
	if s.budget < 0 {
		return errBudget
	}
	return nil
}

// bifurcanOrder orders vertices as a Bifurcan set of those ops iterates.
func (s *searcher) bifurcanOrder(vs []int) []int {
	return graph.BifurcanOrder(vs, func(v int) uint32 { return s.hash[v] })
}

// searchGraph is a graph as elle.bfs walks it: vertices and each vertex's
// successors in Bifurcan's iteration order.
type searchGraph struct {
	vertices []int
	out      map[int][]arc
}

type arc struct {
	to   int
	rels rels
}

// project is Elle's project-rels of the component onto mask: the edges
// with some rel in mask, keeping only those rels, and their ends.
func (s *searcher) project(mask rels) *searchGraph {
	if g, ok := s.projections[mask]; ok {
		return g
	}
	var vs []int
	seen := map[int]bool{}
	succ := map[int][]int{}
	for a, m := range s.g.out {
		for b, r := range m {
			if r&mask == 0 {
				continue
			}
			succ[a] = append(succ[a], b)
			for _, v := range []int{a, b} {
				if !seen[v] {
					seen[v] = true
					vs = append(vs, v)
				}
			}
		}
	}
	g := &searchGraph{vertices: s.bifurcanOrder(vs), out: map[int][]arc{}}
	for a, bs := range succ {
		for _, b := range s.bifurcanOrder(bs) {
			g.out[a] = append(g.out[a], arc{b, s.g.edge(a, b) & mask})
		}
	}
	s.projections[mask] = g
	return g
}

// selectVertices is Bifurcan's select: g restricted to vs, each vertex's
// successors reordered as the smaller set iterates. (trimLoop starts from
// the loop's own vertices in path order, so the result lists no vertices.)
func (s *searcher) selectVertices(g *searchGraph, vs []int) *searchGraph {
	in := setOfInts(vs)
	sub := &searchGraph{out: map[int][]arc{}}
	for v := range in {
		kept := map[int]rels{}
		var succ []int
		for _, a := range g.out[v] {
			if in[a.to] {
				kept[a.to] = a.rels
				succ = append(succ, a.to)
			}
		}
		for _, w := range s.bifurcanOrder(succ) {
			sub.out[v] = append(sub.out[v], arc{w, kept[w]})
		}
	}
	return sub
}

// find is elle.bfs/search: the first cycle matching spec found from each
// vertex of the spec's search graph in turn, as a list of vertices whose
// last repeats the first; nil if there is none.
func (s *searcher) find(spec cycleSpec) ([]int, error) {
	key := searchKey{graph: spec.searched(), legal: spec.legal, wantRW: spec.wantRW, mode: spec.mode}
	copy(key.required[:], spec.required)
	if r, ok := s.done[key]; ok {
		return r.cycle, s.spend(r.steps)
	}
	before := s.budget
	g := s.project(spec.searched())
	var cycle []int
	for _, v := range g.vertices {
		c, err := s.searchFrom(g, spec, v)
		if err != nil {
			return nil, err
		}
		if c != nil {
			cycle = c
			break
		}
	}
	s.done[key] = searchResult{cycle, before - s.budget}
	return cycle, nil
}

// searchFrom is elle.bfs/search-from-op: it grows every path from start
// one step at a time, in shells. A path that closes on its start and meets
// the spec is the answer; one that closes on an inner vertex is searched
// again within its loop (trimLoop); any other closed path is dropped.
func (s *searcher) searchFrom(g *searchGraph, spec cycleSpec, start int) ([]int, error) {
	paths := []*bfsPath{startPath(spec, start)}
	for len(paths) > 0 {
		var open []*bfsPath
		for _, p := range paths {
			if !p.isLoop() {
				open = append(open, p)
				continue
			}
			if !p.valid() {
				continue
			}
			ops := p.ops()
			if ops[0] == p.last {
				return ops, nil
			}
			c, err := s.trimLoop(g, spec, ops)
			if c != nil || err != nil {
				return c, err
			}
		}
		var next []*bfsPath
		for _, p := range open {
			for _, a := range g.out[p.last] {
				for _, np := range p.step(spec, a.rels, a.to) {
					if err := s.spend(1); err != nil {
						return nil, err
					}
					next = append(next, np)
				}
			}
		}
		paths = next
	}
	return nil, nil
}

// trimLoop is Elle's trim-loop: a valid path that closed on an inner vertex
// (a loop with a tail) is searched again, from each vertex of the loop in
// path order, within just the loop's vertices.
func (s *searcher) trimLoop(g *searchGraph, spec cycleSpec, ops []int) ([]int, error) {
	pin := ops[len(ops)-1]
	i := 0
	for ops[i] != pin {
		i++
	}
	loop := ops[i:]
	sub := s.selectVertices(g, loop)
	for _, v := range loop {
		c, err := s.searchFrom(sub, spec, v)
		if c != nil || err != nil {
			return c, err
		}
	}
	return nil, nil
}

// bfsPath is Elle's BFSPath: a walk and how much of the spec it still owes.
// Paths share their prefixes.
type bfsPath struct {
	last   int
	prev   *bfsPath // the path without its last vertex; nil for a start
	seen   uint64   // a bit per vertex on the path (by vertex mod 64), to skip most loop checks
	want   uint8    // bit i set: spec.required[i] still needs a step
	wantRW int8     // rw steps still needed
	mode   rwMode
	first  bool // the path is just its start vertex
}

func vertexBit(v int) uint64 { return 1 << (uint(v) % 64) }

func startPath(spec cycleSpec, start int) *bfsPath {
	return &bfsPath{last: start, seen: vertexBit(start), want: uint8(1)<<len(spec.required) - 1,
		wantRW: int8(spec.wantRW), mode: spec.mode, first: true}
}

// isLoop: the last vertex was visited before.
func (p *bfsPath) isLoop() bool {
	if p.prev == nil || p.prev.seen&vertexBit(p.last) == 0 {
		return false
	}
	for q := p.prev; q != nil; q = q.prev {
		if q.last == p.last {
			return true
		}
	}
	return false
}

// valid: nothing more is wanted, and the path did not end on an rw step
// that must not be adjacent to another (a nonadjacent walk starts with one).
func (p *bfsPath) valid() bool {
	return p.want == 0 && p.wantRW == 0 && p.mode != rwNonadjTaken
}

// ops lists the path's vertices from its start.
func (p *bfsPath) ops() []int {
	var out []int
	for q := p; q != nil; q = q.prev {
		out = append(out, q.last)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// wanted is the union of the required rels still owed.
func (p *bfsPath) wanted(spec cycleSpec) rels {
	var m rels
	for i, r := range spec.required {
		if p.want&(1<<i) != 0 {
			m |= r
		}
	}
	return m
}

// checkOff is checkOffRelInPackedSet: the first still-required set the
// step's rel belongs to is satisfied.
func (p *bfsPath) checkOff(spec cycleSpec, rel rels) uint8 {
	for i, r := range spec.required {
		if p.want&(1<<i) != 0 && r&rel != 0 {
			return p.want &^ (1 << i)
		}
	}
	return p.want
}

func (p *bfsPath) extend(to int, want uint8, wantRW int8, mode rwMode) *bfsPath {
	return &bfsPath{last: to, prev: p, seen: p.seen | vertexBit(to), want: want, wantRW: wantRW, mode: mode}
}

// step is BFSPath.step: the paths that extend p to vertex to along an
// edge carrying edge. rw rels come first (while rw steps are of
// interest), then rels still wanted, then one legal rel (legal steps all
// lead to the same state). A walk owing rw steps starts with one; a walk
// owing other rels starts with one of those.
func (p *bfsPath) step(spec cycleSpec, edge rels, to int) []*bfsPath {
	var rwMask rels
	if p.wantRW > 0 || p.mode == rwSingle || p.mode == rwNonadjFree {
		rwMask = relRW
	}
	wantMask := p.wanted(spec) &^ rwMask
	legalMask := spec.legal &^ rwMask &^ wantMask

	var out []*bfsPath
	for _, r := range singles(edge & rwMask) {
		if np := p.stepRel(spec, r, to); np != nil {
			out = append(out, np)
		}
	}
	if p.wantRW > 0 && p.first {
		return out
	}
	for _, r := range singles(edge & wantMask) {
		if np := p.stepRel(spec, r, to); np != nil {
			out = append(out, np)
		}
	}
	if p.want != 0 && p.first {
		return out
	}
	for _, r := range singles(edge & legalMask) {
		if np := p.stepRel(spec, r, to); np != nil {
			return append(out, np)
		}
	}
	return out
}

// singles splits a rel set into single rels, lowest bit first (BitRels.ALL
// order: ww, wr, rw, process, realtime).
func singles(r rels) []rels {
	var out []rels
	for r != 0 {
		low := r & -r
		out = append(out, low)
		r &^= low
	}
	return out
}

// stepRel is BFSPath.stepRel: one step along the single rel.
func (p *bfsPath) stepRel(spec cycleSpec, rel rels, to int) *bfsPath {
	isRW := rel == relRW
	if rel&spec.legal != 0 {
		wantRW := p.wantRW
		if isRW && wantRW > 0 {
			wantRW--
		}
		mode := p.mode
		if mode == rwNonadjTaken {
			mode = rwNonadjFree
		}
		return p.extend(to, p.checkOff(spec, rel), wantRW, mode)
	}
	if !isRW {
		return nil
	}
	switch p.mode {
	case rwSingle:
		return p.extend(to, p.checkOff(spec, rel), 0, rwNone)
	case rwNonadjFree:
		wantRW := p.wantRW
		if wantRW > 0 {
			wantRW--
		}
		return p.extend(to, p.checkOff(spec, rel), wantRW, rwNonadjTaken)
	}
	return nil
}

// fallbackCycle is Elle's fallback-cycle: a depth-first walk from the first
// vertex of a strongly connected graph (in Bifurcan order) until it meets
// its own path. Elle then takes successors in Clojure hash-set order, which
// depends on whole ops and cannot be reproduced; we take Bifurcan order.
func (s *searcher) fallbackCycle() []int {
	g := s.project(^relNone)
	if len(g.vertices) == 0 {
		return nil
	}
	start := g.vertices[0]
	path := []int{start}
	seen := map[int]int{start: 0}
	for {
		succ := g.out[path[len(path)-1]]
		for _, a := range succ {
			if i, ok := seen[a.to]; ok {
				return append(append([]int(nil), path[i:]...), path[i])
			}
		}
		if len(succ) == 0 {
			return nil
		}
		seen[succ[0].to] = len(path)
		path = append(path, succ[0].to)
	}
}
