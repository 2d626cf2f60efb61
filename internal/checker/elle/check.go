// Package elle checks histories of read/write-register transactions the way
// Maelstrom's txn-rw-register workload does, with Elle's rw-register
// analysis (jepsen-io/elle v0.2.2, as configured by Maelstrom 0.2.x):
//
//   - non-cycle anomalies: G1a (an ok txn read a value a failed txn wrote),
//     G1b (it read a value another txn later overwrote within itself),
//     internal (a read that disagrees with the txn's own earlier read or
//     write), lost-update, cyclic-versions and empty-transaction-graph;
//   - a graph of ok transactions with wr edges (T2 read T1's write), and ww
//     and rw edges derived from each key's inferred version order, plus
//     realtime or process edges when the requested models need them;
//   - for each strongly connected component, which models' subgraphs are
//     cyclic (<model>-cycle-exists) and a named cycle for each reportable
//     type: G0, G1c, G-single-item, G-nonadjacent-item, G2-item and their
//     -process / -realtime variants;
//   - the verdict for the requested consistency models, through Maelstrom's
//     wrapper: cycle-search-timeout is ignored, then the history is valid
//     iff no reportable anomaly remains (so empty-transaction-graph, which
//     alone makes Elle say unknown, makes Maelstrom say invalid).
//
// Version order, as Maelstrom configures Elle: nil precedes every value, and
// within an ok txn an external read of k (its first access to k) precedes
// the txn's final write of k ("writes follow reads"). Every ww edge this
// yields is also a wr edge, and Elle names a step by its wr explanation
// first, so Maelstrom reports a write cycle as G1c plus PL-1-cycle-exists
// and never as G0; and it cannot see write cycles through values read after
// a txn's first access to a key (jepsen-io/maelstrom#56). See extended.go
// for the additional, sound G0 inference this package adds on top.
package elle

import (
	"sort"
	"strings"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
)

// DefaultModels is Maelstrom's --consistency-models default.
var DefaultModels = []string{"strict-serializable"}

// DefaultBudget is the number of search steps one strongly connected
// component may use before the search gives up as Elle's 1 s
// cycle-search-timeout does (a step is one extension of one path).
const DefaultBudget = 2_000_000

// maxExamples caps the examples kept per anomaly type in the figures.
const maxExamples = 8

// Options configure a check.
type Options struct {
	// ConsistencyModels the history must satisfy (default strict-serializable).
	ConsistencyModels []string
	// CycleSearchBudget caps the search steps per component (default DefaultBudget).
	CycleSearchBudget int
	// MaelstromOnly turns off the additional G0 inference, leaving exactly
	// Maelstrom's analysis.
	MaelstromOnly bool
}

var unknownTypes = map[string]bool{"empty-transaction-graph": true, "cycle-search-timeout": true}

// Check analyses a history of txn operations (values: lists of [f k v]
// micro-ops, f "r" or "w").
func Check(h history.History, opts Options) checker.Result {
	models := opts.ConsistencyModels
	if len(models) == 0 {
		models = DefaultModels
	}
	budget := opts.CycleSearchBudget
	if budget <= 0 {
		budget = DefaultBudget
	}
	if err := ValidateModels(models); err != nil {
		return unknown(err)
	}
	a, err := load(h)
	if err != nil {
		return unknown(err)
	}
	if err := a.keyTypeError(); err != nil {
		return unknown(err)
	}

	prohibited := ProhibitedBy(models)
	reportable := map[string]bool{}
	for t := range prohibited {
		reportable[t] = true
	}
	for t := range unknownTypes {
		reportable[t] = true
	}

	anomalies := map[string][]any{}
	add := func(typ string, cases []any) {
		if len(cases) > 0 {
			anomalies[typ] = append(anomalies[typ], cases...)
		}
	}
	add("internal", a.internal())
	add("G1a", a.g1a())
	add("G1b", a.g1b())
	add("lost-update", a.lostUpdate())
	add("cyclic-versions", a.versionGraphs())

	extra := ""
	for t := range reportable {
		if cycleTypes[t] && strings.HasSuffix(t, "-realtime") {
			extra = "realtime"
		}
	}
	if extra == "" {
		for t := range reportable {
			if cycleTypes[t] && strings.HasSuffix(t, "-process") {
				extra = "process"
			}
		}
	}
	if err := a.buildGraph(extra); err != nil {
		return unknown(err)
	}
	if len(a.graph.verts) == 0 {
		add("empty-transaction-graph", []any{true})
	}
	comps := a.graph.sccs(false)
	largest := 0
	for _, comp := range comps {
		largest = max(largest, len(comp))
		cases, err := a.sccCases(comp, reportable, budget)
		if err != nil {
			return unknown(err)
		}
		for _, c := range cases {
			t := c["type"].(string)
			anomalies[t] = append(anomalies[t], c)
		}
	}

	// What Elle reports, then what Maelstrom's wrapper makes of it.
	elleTypes := reportableTypes(anomalies, reportable)
	maelstromTypes := without(elleTypes, "cycle-search-timeout")

	// Our additional G0 inference.
	var ext *extendedResult
	if !opts.MaelstromOnly {
		ext = a.extendedG0()
		if len(ext.cycles) > 0 && !containsStr(maelstromTypes, "G0") {
			add("G0", ext.cycles)
		}
	}
	types := without(reportableTypes(anomalies, reportable), "cycle-search-timeout")

	figures := map[string]any{
		"valid?":             len(types) == 0,
		"anomaly_types":      types,
		"anomalies":          examples(anomalies, types),
		"consistency_models": models,
		"models":             modelReport(models, types),
		"inference":          a.inferenceReport(ext),
		"maelstrom":          map[string]any{"valid?": len(maelstromTypes) == 0, "anomaly_types": maelstromTypes},
		"txns":               a.txnCounts(),
		"graph": map[string]any{"vertices": len(a.graph.verts), "edges": a.graph.edgeCount(),
			"sccs": len(comps), "largest_scc": largest, "extra_edges": extra,
			"cycle_search_timeouts": len(anomalies["cycle-search-timeout"])},
	}
	if len(anomalies["cycle-search-timeout"]) > 0 || len(types) > 0 {
		// Like Elle, the models every anomaly found rules out (reportable or
		// not), whenever something is reported.
		var all []string
		for t := range anomalies {
			all = append(all, t)
		}
		figures["not"], figures["also_not"] = boundary(all)
	}
	return checker.Result{Valid: checker.Of(len(types) == 0), Anomalies: types, Figures: figures}
}

func unknown(err error) checker.Result {
	return checker.Result{Valid: checker.Unknown, Figures: map[string]any{"valid?": "unknown", "error": err.Error()}}
}

// reportableTypes is Elle's result-map: the reportable anomaly types, minus
// <model>-cycle-exists types that another reportable anomaly already rules
// out, sorted.
func reportableTypes(anomalies map[string][]any, reportable map[string]bool) []string {
	var other []string
	for t := range anomalies {
		if reportable[t] && !strings.HasSuffix(t, "-cycle-exists") {
			other = append(other, t)
		}
	}
	impossible := impossibleFromAnomalies(other)
	var out []string
	for t := range anomalies {
		if !reportable[t] {
			continue
		}
		if m, ok := strings.CutSuffix(t, "-cycle-exists"); ok && impossible[m] {
			continue
		}
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

func without(xs []string, drop string) []string {
	out := []string{}
	for _, x := range xs {
		if x != drop {
			out = append(out, x)
		}
	}
	return out
}

func containsStr(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// examples keeps the first few cases of each reported type, with counts.
func examples(anomalies map[string][]any, types []string) map[string]any {
	out := map[string]any{}
	for _, t := range types {
		cases := anomalies[t]
		entry := map[string]any{"count": len(cases)}
		if len(cases) > maxExamples {
			cases = cases[:maxExamples]
		}
		entry["examples"] = cases
		out[t] = entry
	}
	return out
}

// modelReport says, for each requested model, which anomalies it forbids
// and which of those were found.
func modelReport(models, found []string) map[string]any {
	out := map[string]any{}
	for _, m := range models {
		p := ProhibitedBy([]string{m})
		var f []string
		for _, t := range found {
			if p[t] || unknownTypes[t] {
				f = append(f, t)
			}
		}
		if f == nil {
			f = []string{}
		}
		out[m] = map[string]any{"prohibits": sortedKeys(p), "found": f}
	}
	return out
}

func (a *analysis) txnCounts() map[string]int {
	c := map[string]int{"ok": 0, "info": 0, "fail": 0}
	for _, t := range a.txns {
		c[string(t.typ)]++
	}
	return c
}

func (g *digraph) edgeCount() int {
	n := 0
	for _, m := range g.out {
		n += len(m)
	}
	return n
}
