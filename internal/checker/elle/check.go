// Package elle checks transaction histories the way Maelstrom 0.2.x does,
// with Elle (jepsen-io/elle v0.2.2): Check is txn-rw-register's analysis,
// CheckListAppend (listappend.go) txn-list-append's. Both build a
// dependency graph their own way and share the rest: the cycle search over
// its strongly connected components (depgraph.go, cycles.go), cycle naming,
// the consistency models (model.go) and the result (result.go).
//
// The rw-register analysis, as Maelstrom configures it:
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
// checks this package adds on top of rw-register (extended.go: a wider G0 inference) go to
// the separate figure "beyond_maelstrom" and never change the verdict.
package elle

import (
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

// Check analyses a history of txn-rw-register operations (values: lists of
// [f k v] micro-ops, f "r" or "w").
func Check(h history.History, opts Options) checker.Result {
	set, err := opts.resolve()
	if err != nil {
		return unknown(err)
	}
	a, err := loadRW(h)
	if err != nil {
		return unknown(err)
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

	extra := extraEdges(set.reportable)
	if err := a.buildGraph(extra); err != nil {
		return unknown(err)
	}
	deps := &depGraph{log: a.opLog, g: a.graph, extra: extra, explainDeps: a.explainDeps}
	graphFigures, err := deps.findCycles(set.budget, anomalies)
	if err != nil {
		return unknown(err)
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

	// What Elle reports, then what Maelstrom's wrapper
	// (maelstrom.workload.txn-rw-register/checker) makes of it: the same,
	// minus cycle-search-timeout, valid iff nothing is left.
	reported := reportableTypes(anomalies, set.reportable)
	types := without(reported, "cycle-search-timeout")

	figures := reportFigures(set.models, anomalies, types, len(reported) > 0)
	figures["valid?"] = len(types) == 0
	figures["inference"] = a.inferenceReport()
	figures["txns"] = a.txnCounts()
	figures["graph"] = graphFigures
	if !opts.MaelstromOnly {
		figures["beyond_maelstrom"] = a.beyondMaelstrom()
	}
	return checker.Result{Valid: checker.Of(len(types) == 0), Anomalies: types, Figures: figures}
}
