package elle

import (
	"fmt"
	"sort"
	"strings"
)

// This file is what both analyses share once they have built their
// dependency graph: elle.txn/cycles and cycle-cases-in-scc (Elle 0.2.2).
// Each strongly connected component is checked for which models' subgraphs
// are cyclic, then searched for every cycle anomaly type (cycles.go), and
// each cycle found is explained step by step and named.

// depGraph is what an Elle analyzer hands to the cycle search: a graph of
// dependencies between completions (txn ids) and the explainer that says
// why one txn depends on another.
type depGraph struct {
	log *opLog
	g   *digraph
	// extra is the additional graph merged in, "realtime", "process" or ""
	// (elle.txn/additional-graphs); its explainer comes last.
	extra string
	// explainDeps is the workload's own explainers (ww, wr, rw) in the
	// order its analyzer combines them: the first that applies names a step.
	explainDeps func(x, y *txn) map[string]any
}

// extraEdges is elle.txn/additional-graphs: realtime edges when a
// reportable anomaly needs them (process anomalies then come along),
// process edges when only process anomalies do, else none.
func extraEdges(reportable map[string]bool) string {
	process := false
	for t := range reportable {
		if !cycleTypes[t] {
			continue
		}
		if strings.HasSuffix(t, "-realtime") {
			return "realtime"
		}
		process = process || strings.HasSuffix(t, "-process")
	}
	if process {
		return "process"
	}
	return ""
}

// addExtraEdges merges the additional graph into g.
func (l *opLog) addExtraEdges(g *digraph, extra string) {
	switch extra {
	case "realtime":
		l.realtimeEdges(g)
	case "process":
		l.processEdges(g)
	}
}

// explainPair says why txn y depends on txn x: Elle's combined explainer,
// the workload's explainers first, then the additional graph's (realtime or
// process). nil if none applies.
func (d *depGraph) explainPair(x, y *txn) map[string]any {
	if ex := d.explainDeps(x, y); ex != nil {
		return ex
	}
	switch d.extra {
	case "realtime":
		if y.invIndex >= 0 && x.index < y.invIndex {
			return map[string]any{"type": "realtime", "a'": x.index, "b": y.invIndex}
		}
	case "process":
		if x.process == y.process && x.index < y.index {
			return map[string]any{"type": "process", "process": x.process}
		}
	}
	return nil
}

// findCycles is the graph half of elle.txn/cycles: empty-transaction-graph
// when the graph has no vertex, then every strongly connected component's
// cycle anomalies, each component with its own step budget, all added to
// anomalies. It returns the graph's figures.
func (d *depGraph) findCycles(budget int, anomalies map[string][]any) (map[string]any, error) {
	if len(d.g.verts) == 0 {
		anomalies["empty-transaction-graph"] = append(anomalies["empty-transaction-graph"], true)
	}
	comps := d.g.sccs(false)
	largest := 0
	for _, comp := range comps {
		largest = max(largest, len(comp))
		cases, err := d.sccCases(comp, budget)
		if err != nil {
			return nil, err
		}
		for _, c := range cases {
			t := c["type"].(string)
			anomalies[t] = append(anomalies[t], c)
		}
	}
	return map[string]any{"vertices": len(d.g.verts), "edges": d.g.edgeCount(),
		"sccs": len(comps), "largest_scc": largest, "extra_edges": d.extra,
		"cycle_search_timeouts": len(anomalies["cycle-search-timeout"])}, nil
}

// explainCycle explains each step of a cycle (a list of txn ids whose last
// element repeats the first) and classifies it as Elle's cycle explainer
// does: by how many steps of each kind it has.
func (d *depGraph) explainCycle(cycle []int) (map[string]any, error) {
	var steps []any
	counts := map[string]int{}
	var kinds []string
	for i := 0; i+1 < len(cycle); i++ {
		ex := d.explainPair(d.log.txns[cycle[i]], d.log.txns[cycle[i+1]])
		if ex == nil {
			return nil, fmt.Errorf("no explanation for the dependency of op %d on op %d",
				d.log.txns[cycle[i+1]].index, d.log.txns[cycle[i]].index)
		}
		kind := ex["type"].(string)
		counts[kind]++
		kinds = append(kinds, kind)
		steps = append(steps, ex)
	}
	// Elle pairs each step with the next, the last with the first (so a
	// one-step rw cycle counts as adjacent).
	rwAdjacent := false
	for i := range kinds {
		if kinds[i] == "rw" && kinds[(i+1)%len(kinds)] == "rw" {
			rwAdjacent = true
		}
	}
	var typ string
	switch {
	case counts["rw"] == 1:
		typ = "G-single-item"
	case counts["rw"] > 1 && rwAdjacent:
		typ = "G2-item"
	case counts["rw"] > 1:
		typ = "G-nonadjacent-item"
	case counts["wr"] > 0:
		typ = "G1c"
	case counts["ww"] > 0:
		typ = "G0"
	default:
		return nil, fmt.Errorf("cannot classify a cycle of %v", kinds)
	}
	switch {
	case counts["realtime"] > 0:
		typ += "-realtime"
	case counts["process"] > 0:
		typ += "-process"
	}
	ops := make([]any, len(cycle))
	for i, id := range cycle {
		ops[i] = d.log.txns[id].json()
	}
	return map[string]any{"type": typ, "cycle": ops, "steps": steps}, nil
}

// sccCases finds the cycle anomalies of one strongly connected component,
// as Elle's cycle-cases-in-scc: first which models' subgraphs have cycles
// at all (cheap and exact), then a search for every cycle type in Elle's
// order, reportable or not (Elle reports only the reportable ones, but the
// others still rule models out and take search time), skipping types that
// no possible model's cycle could form and types implied by one already
// found. The first cycle a search finds is explained and named by its
// explanation; a type that must match its name and does not is given up.
// When the step budget runs out the component also yields
// cycle-search-timeout and Elle's fallback cycle.
func (d *depGraph) sccCases(comp []int, budget int) ([]map[string]any, error) {
	g := d.g.sub(comp, ^relNone)
	exists := d.cycleExists(g)
	var cases []map[string]any
	var nots []string
	for _, c := range exists {
		cases = append(cases, c)
		nots = append(nots, c["not"].(string))
	}
	impossible := setOf(impossibleModels(nots))
	var possible []string
	for _, s := range existsSpecs {
		if !impossible[s.model] {
			possible = append(possible, s.model)
		}
	}
	redundant := map[string]bool{}
	for t := range ProhibitedBy(possible) {
		if cycleTypes[t] {
			redundant[t] = true
		}
	}
	s := newSearcher(g, func(id int) int { return d.log.txns[id].index }, budget)
	var searched []string
	var found []map[string]any
	for _, spec := range cycleSpecs {
		if redundant[spec.name] {
			continue
		}
		searched = append(searched, spec.name)
		cyc, err := s.find(spec)
		if err == errBudget {
			return d.timedOut(s, comp, spec.name, searched, cases, found)
		}
		if err != nil {
			return nil, err
		}
		if cyc == nil {
			continue
		}
		ex, err := d.explainCycle(cyc)
		if err != nil {
			return nil, err
		}
		if spec.typed && ex["type"] != spec.name {
			continue // cycle-in-scc-of-type: the found cycle is another type; give up
		}
		found = append(found, ex)
		for _, t := range impliedAnomalies([]string{spec.name}) {
			redundant[t] = true
		}
	}
	return append(cases, found...), nil
}

func (d *depGraph) timedOut(s *searcher, comp []int, typ string, searched []string, cases, found []map[string]any) ([]map[string]any, error) {
	foundTypes := map[string]bool{}
	for _, f := range found {
		foundTypes[f["type"].(string)] = true
	}
	var notContain []string
	for _, t := range searched[:len(searched)-1] {
		if !foundTypes[t] {
			notContain = append(notContain, t)
		}
	}
	out := []map[string]any{{"type": "cycle-search-timeout", "anomaly-spec-type": typ,
		"does-not-contain": notContain, "scc-size": len(comp)}}
	if fb := s.fallbackCycle(); fb != nil {
		ex, err := d.explainCycle(fb)
		if err != nil {
			return nil, err
		}
		out = append(out, ex)
	}
	out = append(out, cases...)
	return append(out, found...), nil
}

// cycleExists is Elle's cycle-exists-cases: for each model's subgraph in
// turn (skipping models already ruled out), the smallest cyclic component.
func (d *depGraph) cycleExists(g *digraph) []map[string]any {
	var out []map[string]any
	ruledOut := map[string]bool{}
	vs := g.vertices()
	for _, spec := range existsSpecs {
		if ruledOut[spec.model] {
			continue
		}
		sg := g.sub(vs, spec.base)
		if spec.ext != 0 {
			sg = extension(sg, g.sub(vs, spec.ext))
		}
		var best []int
		for _, c := range sg.sccs(true) {
			if sg.nontrivial(c) && (best == nil || len(c) < len(best)) {
				best = c
			}
		}
		if best == nil {
			continue
		}
		idx := make([]int, len(best))
		for i, id := range best {
			idx[i] = d.log.txns[id].index
		}
		sort.Ints(idx)
		out = append(out, map[string]any{"type": spec.typ(), "not": friendly(spec.model),
			"subgraph": spec.subgraphName(), "scc-size": len(best), "scc": idx})
		for _, m := range impossibleModels([]string{spec.model}) {
			ruledOut[m] = true
		}
	}
	return out
}
