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
// the txn's final write of k unless that is null or false ("writes follow
// reads", bound with if-let). Every ww edge this yields is also a wr edge,
// and Elle names a step by its wr explanation first, so Maelstrom reports a
// write cycle as G1c plus PL-1-cycle-exists and never as G0; and it cannot
// see write cycles through values read after a txn's first access to a key
// (jepsen-io/maelstrom#56).
//
// The verdict, anomaly names and figures above are Maelstrom's alone. The
// checks this package adds on top (extended.go: a wider G0 inference) go to
// the separate figure "beyond_maelstrom" and never change the verdict.
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
	// MaelstromOnly skips the checks beyond Maelstrom's (the figure
	// "beyond_maelstrom"); the verdict is Maelstrom's either way.
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
	cyclic, err := a.versionGraphs()
	if err != nil {
		return unknown(err)
	}
	add("cyclic-versions", cyclic)

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
		cases, err := a.sccCases(comp, budget)
		if err != nil {
			return unknown(err)
		}
		for _, c := range cases {
			t := c["type"].(string)
			anomalies[t] = append(anomalies[t], c)
		}
	}

	// Elle's type-sanity assertion is checked only after the cycle search
	// (elle.rw-register/check derefs it after ct/cycles!), so the search's
	// own errors win. It throws an AssertionError, a java.lang.Error that
	// jepsen.checker/check-safe (catch Exception) lets through: the composed
	// checker throws and jepsen.core/analyze!'s check-safe makes Maelstrom's
	// whole result {:valid? :unknown :error ...}, not just the workload's.
	if err := a.keyTypeError(); err != nil {
		r := unknown(err)
		r.WholeResultUnknown = true
		return r
	}

	// What Elle reports, then what Maelstrom's wrapper makes of it: the
	// same, minus cycle-search-timeout, valid iff nothing is left.
	types := without(reportableTypes(anomalies, reportable), "cycle-search-timeout")

	figures := map[string]any{
		"valid?":             len(types) == 0,
		"anomaly_types":      types,
		"anomalies":          examples(anomalies, types),
		"consistency_models": models,
		"models":             modelReport(models, types),
		"inference":          a.inferenceReport(),
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
	if !opts.MaelstromOnly {
		figures["beyond_maelstrom"] = a.beyondMaelstrom()
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
