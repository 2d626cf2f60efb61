package elle

import (
	"sort"
	"strings"

	"gossip-glomers/internal/checker"
)

// unknownTypes are elle.txn/unknown-anomaly-types: always reported, and on
// their own they make Elle's verdict unknown rather than false.
var unknownTypes = map[string]bool{"empty-transaction-graph": true, "cycle-search-timeout": true}

// settings are the options with defaults filled in, and what the models
// make of the anomaly types.
type settings struct {
	models     []string
	budget     int
	prohibited map[string]bool // elle.txn/prohibited-anomaly-types
	reportable map[string]bool // elle.txn/reportable-anomaly-types: prohibited plus unknownTypes
}

// resolve fills in the defaults and rejects model names Elle does not know.
func (o Options) resolve() (settings, error) {
	s := settings{models: o.ConsistencyModels, budget: o.CycleSearchBudget}
	if len(s.models) == 0 {
		s.models = DefaultModels
	}
	if s.budget <= 0 {
		s.budget = DefaultBudget
	}
	if err := ValidateModels(s.models); err != nil {
		return s, err
	}
	s.prohibited = ProhibitedBy(s.models)
	s.reportable = map[string]bool{}
	for t := range s.prohibited {
		s.reportable[t] = true
	}
	for t := range unknownTypes {
		s.reportable[t] = true
	}
	return s, nil
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

// reportFigures are the figures both analyses give: the anomaly types
// reported with examples, each model's report and, whenever Elle reports
// anything (anyReported), the models the anomalies rule out. Like Elle's
// friendly-boundary, "not" and "also_not" count every anomaly found,
// reportable or not.
func reportFigures(models []string, anomalies map[string][]any, types []string, anyReported bool) map[string]any {
	figures := map[string]any{
		"anomaly_types":      types,
		"anomalies":          examples(anomalies, types),
		"consistency_models": models,
		"models":             modelReport(models, types),
	}
	if anyReported {
		var all []string
		for t := range anomalies {
			all = append(all, t)
		}
		figures["not"], figures["also_not"] = boundary(all)
	}
	return figures
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

func (g *digraph) edgeCount() int {
	n := 0
	for _, m := range g.out {
		n += len(m)
	}
	return n
}
