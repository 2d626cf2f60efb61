package elle

import (
	"fmt"
	"sort"
	"strings"
)

// This file is Elle's consistency-model algebra (elle.consistency-model at
// v0.2.2, the version Maelstrom 0.2.x runs): which models imply which, which
// anomalies each model proscribes, and which anomalies imply which. The
// tables are Elle's; the code that walks them is ours.

// canonicalNames maps friendly model names to Elle's canonical ones.
var canonicalNames = map[string]string{
	"consistent-view":                 "PL-2+",
	"conflict-serializable":           "PL-3",
	"cursor-stability":                "PL-CS",
	"forward-consistent-view":         "PL-FCV",
	"monotonic-snapshot-read":         "PL-MSR",
	"monotonic-view":                  "PL-2L",
	"read-committed":                  "PL-2",
	"read-uncommitted":                "PL-1",
	"repeatable-read":                 "PL-2.99",
	"serializable":                    "PL-3",
	"snapshot-isolation":              "PL-SI",
	"strict-serializable":             "PL-SS",
	"strong-serializable":             "PL-SS",
	"update-serializable":             "PL-3U",
	"strong-session-read-uncommitted": "strong-session-PL-1",
	"strong-session-read-committed":   "strong-session-PL-2",
	"strong-read-uncommitted":         "strong-PL-1",
	"strong-read-committed":           "strong-PL-2",
}

// friendlyNames is the inverse of canonicalNames. Elle builds it from a hash
// map, so for PL-SS (strict- or strong-serializable) the winner depends on
// Clojure's hash order; we say strict-serializable, the name Maelstrom
// documents. PL-3 is explicitly serializable in Elle.
var friendlyNames = func() map[string]string {
	m := map[string]string{}
	for f, c := range canonicalNames {
		m[c] = f
	}
	m["PL-3"] = "serializable"
	m["PL-SS"] = "strict-serializable"
	return m
}()

func canonical(model string) string {
	if c, ok := canonicalNames[model]; ok {
		return c
	}
	return model
}

func friendly(model string) string {
	if f, ok := friendlyNames[model]; ok {
		return f
	}
	return model
}

// dag is a small directed graph over names.
type dag struct {
	out map[string][]string
	in  map[string][]string
	all map[string]bool
}

func newDAG(edges map[string][]string, rename func(string) string) *dag {
	g := &dag{out: map[string][]string{}, in: map[string][]string{}, all: map[string]bool{}}
	keys := make([]string, 0, len(edges))
	for k := range edges {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, from := range keys {
		for _, to := range edges[from] {
			g.link(rename(from), rename(to))
		}
	}
	return g
}

func (g *dag) link(a, b string) {
	g.all[a], g.all[b] = true, true
	for _, x := range g.out[a] {
		if x == b {
			return
		}
	}
	g.out[a] = append(g.out[a], b)
	g.in[b] = append(g.in[b], a)
}

// reach is every vertex reachable from starts along next, starts included
// (Bifurcan's bfsVertices), in a stable order.
func reach(next map[string][]string, starts []string) []string {
	seen := map[string]bool{}
	var out []string
	queue := append([]string(nil), starts...)
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		if seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
		queue = append(queue, next[v]...)
	}
	return out
}

func same(s string) string { return s }

// models relates models so that a -> b means a history satisfying a also
// satisfies b. Vertices are canonical names.
var models = newDAG(map[string][]string{
	"causal-cerone":                     {"read-atomic"},
	"consistent-view":                   {"cursor-stability", "monotonic-view"},
	"conflict-serializable":             {"view-serializable"},
	"cursor-stability":                  {"read-committed", "PL-2"},
	"forward-consistent-view":           {"consistent-view"},
	"PL-2":                              {"PL-1"},
	"PL-3":                              {"repeatable-read", "update-serializable"},
	"update-serializable":               {"forward-consistent-view"},
	"monotonic-atomic-view":             {"read-committed"},
	"monotonic-view":                    {"PL-2"},
	"monotonic-snapshot-read":           {"PL-2"},
	"parallel-snapshot-isolation":       {"causal-cerone", "update-atomic"},
	"prefix":                            {"causal-cerone"},
	"read-atomic":                       {"monotonic-atomic-view"},
	"read-committed":                    {"read-uncommitted"},
	"repeatable-read":                   {"cursor-stability", "monotonic-atomic-view"},
	"update-atomic":                     {"read-atomic"},
	"serializable":                      {"repeatable-read", "snapshot-isolation", "view-serializable"},
	"session-serializable":              {"1SR"},
	"snapshot-isolation":                {"forward-consistent-view", "monotonic-atomic-view", "monotonic-snapshot-read", "parallel-snapshot-isolation", "prefix"},
	"strict-serializable":               {"PL-3", "serializable", "linearizable", "snapshot-isolation", "strong-snapshot-isolation", "strong-session-serializable"},
	"strong-session-PL-1":               {"PL-1"},
	"strong-session-PL-2":               {"PL-2", "strong-session-PL-1"},
	"strong-PL-1":                       {"strong-session-PL-1"},
	"strong-PL-2":                       {"strong-session-PL-2", "strong-PL-1"},
	"strong-session-serializable":       {"serializable", "strong-session-snapshot-isolation"},
	"strong-session-snapshot-isolation": {"snapshot-isolation", "strong-session-PL-2"},
	"strong-serializable":               {"session-serializable"},
	"strong-snapshot-isolation":         {"strong-session-snapshot-isolation", "strong-PL-2"},
	"linearizable":                      {"sequential"},
	"sequential":                        {"causal"},
	"causal":                            {"writes-follow-reads", "PRAM"},
	"PRAM":                              {"monotonic-reads", "monotonic-writes", "read-your-writes"},
}, canonical)

// proscribed relates canonical models to the anomalies they directly forbid
// (on top of those of the models they imply).
var proscribed = newDAG(map[string][]string{
	"causal-cerone":                     {"internal", "G1a"},
	"cursor-stability":                  {"G1", "G-cursor", "lost-update"},
	"monotonic-view":                    {"G1", "G-monotonic"},
	"monotonic-snapshot-read":           {"G1", "G-MSR"},
	"consistent-view":                   {"G1", "G-single"},
	"forward-consistent-view":           {"G1", "G-SIb"},
	"parallel-snapshot-isolation":       {"internal", "G1a"},
	"PL-3":                              {"G1", "G2", "predicate-read-miss", "PL-3-cycle-exists"},
	"PL-2":                              {"G1", "PL-2-cycle-exists"},
	"PL-1":                              {"G0", "duplicate-elements", "cyclic-versions", "PL-1-cycle-exists"},
	"prefix":                            {"internal", "G1a"},
	"serializable":                      {"internal"},
	"snapshot-isolation":                {"internal", "G1", "G-SI", "G-nonadjacent", "PL-SI-cycle-exists"},
	"read-atomic":                       {"internal", "G1a", "future-read"},
	"repeatable-read":                   {"G1", "G2-item", "PL-2.99-cycle-exists", "lost-update"},
	"update-atomic":                     {"lost-update"},
	"strict-serializable":               {"G1", "G1c-realtime", "G2-realtime", "PL-SS-cycle-exists"},
	"strong-session-PL-1":               {"strong-session-PL-1-cycle-exists", "G0-process"},
	"strong-session-PL-2":               {"strong-session-PL-2-cycle-exists", "G1c-process"},
	"strong-PL-1":                       {"strong-PL-1-cycle-exists", "G0-realtime"},
	"strong-PL-2":                       {"strong-PL-2-cycle-exists", "G1c-realtime"},
	"strong-session-snapshot-isolation": {"internal", "G1-process", "G-nonadjacent-process", "strong-session-snapshot-isolation-cycle-exists"},
	"strong-snapshot-isolation":         {"internal", "G1-realtime", "G-nonadjacent-realtime", "strong-snapshot-isolation-cycle-exists"},
	"strong-session-serializable":       {"G1-process", "G2-process", "strong-session-serializable-cycle-exists"},
	"update-serializable":               {"G1", "G-update"},
}, func(s string) string {
	// Only the model side is canonicalised; anomaly names pass through.
	return canonical(s)
})

// implied: a -> b means an a anomaly is also a b anomaly.
var implied = newDAG(map[string][]string{
	"G0":                          {"G1c", "G0-process"},
	"G0-process":                  {"G1c-process", "G0-realtime"},
	"G0-realtime":                 {"G1c-realtime"},
	"G1a":                         {"G1"},
	"G1b":                         {"G1"},
	"G1c":                         {"G1", "G1c-process"},
	"G1c-process":                 {"G1c-realtime", "G1-process"},
	"G1c-realtime":                {"G1-realtime"},
	"G1":                          {"G1-process"},
	"G1-process":                  {"G1-realtime"},
	"G-single-item":               {"G-single", "G-single-item-process", "G-nonadjacent-item"},
	"G-single-item-process":       {"G-single-process", "G-single-item-realtime", "G-nonadjacent-item-process"},
	"G-single-item-realtime":      {"G-single-realtime", "G-nonadjacent-item-realtime"},
	"G-single":                    {"G-nonadjacent", "GSIb", "G-single-process"},
	"G-single-process":            {"G-nonadjacent-process", "G-single-realtime"},
	"G-single-realtime":           {"G-nonadjacent-realtime"},
	"G-nonadjacent-item":          {"G-nonadjacent", "G2-item", "G-nonadjacent-item-process"},
	"G-nonadjacent-item-process":  {"G-nonadjacent-process", "G2-item-process", "G-nonadjacent-item-realtime"},
	"G-nonadjacent-item-realtime": {"G2-item-realtime", "G-nonadjacent-realtime"},
	"G-nonadjacent":               {"G2", "G-nonadjacent-process"},
	"G-nonadjacent-process":       {"G2-process", "G-nonadjacent-realtime"},
	"G-nonadjacent-realtime":      {"G2-realtime"},
	"G2":                          {"G2-process"},
	"G2-item":                     {"G2", "G2-item-process"},
	"G2-item-process":             {"G2-process", "G2-item-realtime"},
	"G2-item-realtime":            {"G2-realtime"},
	"G2-process":                  {"G2-realtime"},
	"GSIa":                        {"GSI"},
	"GSIb":                        {"GSI"},
	"incompatible-order":          {"G1a"},
	"future-read":                 {"G1c"},
	"dirty-update":                {"G1a"},
	"lost-update":                 {"write-skew", "G2-item"},
	"write-skew":                  {"G2"},
}, same)

// severity orders anomalies by how bad they are, for the search order only.
var severity = newDAG(map[string][]string{
	"G0":           {"G1c"},
	"G0-process":   {"G1c-process"},
	"G0-realtime":  {"G1c-realtime"},
	"G1c":          {"G-single", "G2-item"},
	"G1c-process":  {"G-single-process", "G2-item-process"},
	"G1c-realtime": {"G-single-realtime", "G2-item-realtime"},
	"G2":           {"G0-process"},
	"G2-process":   {"G0-realtime"},
}, same)

// anomalyDepth is Elle's topological depth of each anomaly in the union of
// the implication and severity graphs; directly proscribed anomalies outside
// those graphs have depth 0. Cycle searches run in increasing depth.
var anomalyDepth = func() map[string]int {
	union := &dag{out: map[string][]string{}, in: map[string][]string{}, all: map[string]bool{}}
	for _, g := range []*dag{implied, severity} {
		for a, bs := range g.out {
			for _, b := range bs {
				union.link(a, b)
			}
		}
	}
	depth := map[string]int{}
	indeg := map[string]int{}
	for v := range union.all {
		indeg[v] = len(union.in[v])
	}
	var layer []string
	for v, d := range indeg {
		if d == 0 {
			layer = append(layer, v)
		}
	}
	for d := 0; len(layer) > 0; d++ {
		var next []string
		for _, v := range layer {
			depth[v] = d
			for _, w := range union.out[v] {
				if indeg[w]--; indeg[w] == 0 {
					next = append(next, w)
				}
			}
		}
		layer = next
	}
	for _, as := range proscribed.out {
		for _, a := range as {
			if _, ok := depth[a]; !ok {
				depth[a] = 0
			}
		}
	}
	return depth
}()

// lessAnomaly is Elle's anomaly-depth-compare: depth, then name.
func lessAnomaly(a, b string) bool {
	if da, db := anomalyDepth[a], anomalyDepth[b]; da != db {
		return da < db
	}
	return a < b
}

// allModels is every model name Elle knows, friendly and canonical.
var allModels = func() map[string]bool {
	m := map[string]bool{}
	for v := range models.all {
		m[v] = true
	}
	for f, c := range canonicalNames {
		m[f], m[c] = true, true
	}
	return m
}()

// KnownModels lists every consistency model name Elle accepts.
func KnownModels() []string {
	out := make([]string, 0, len(allModels))
	for m := range allModels {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// ValidateModels rejects model names Elle does not know, as Elle does when
// the checker starts (Maelstrom's CLI lets them through, so there the
// workload checker fails instead).
func ValidateModels(names []string) error {
	var unknown []string
	for _, n := range names {
		if !allModels[n] {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		return fmt.Errorf("unknown consistency model(s) %s; known models are: %s",
			strings.Join(unknown, ", "), strings.Join(KnownModels(), ", "))
	}
	return nil
}

func setOf(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k, ok := range m {
		if ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func canonicalAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = canonical(n)
	}
	return out
}

// impliedModels: every model implied by any of names (names included).
func impliedModels(names []string) []string { return reach(models.out, canonicalAll(names)) }

// impossibleModels: every model that cannot hold if names cannot.
func impossibleModels(names []string) []string { return reach(models.in, canonicalAll(names)) }

// anomaliesImplying: anomalies that imply any of as (as included).
func anomaliesImplying(as []string) []string { return reach(implied.in, as) }

// impliedAnomalies: anomalies implied by any of as (as included).
func impliedAnomalies(as []string) []string { return reach(implied.out, as) }

// ProhibitedBy is the set of anomalies that cannot be present if all the
// given models hold (Elle's anomalies-prohibited-by).
func ProhibitedBy(modelNames []string) map[string]bool {
	var direct []string
	for _, m := range impliedModels(modelNames) {
		direct = append(direct, proscribed.out[m]...)
	}
	return setOf(anomaliesImplying(direct))
}

// impossibleFromAnomalies is Elle's anomalies->impossible-models.
func impossibleFromAnomalies(anomalies []string) map[string]bool {
	var direct []string
	for _, a := range impliedAnomalies(anomalies) {
		direct = append(direct, proscribed.in[a]...)
	}
	return setOf(impossibleModels(direct))
}

// weakest keeps the models no other member of ms is implied by (Elle's
// weakest-models).
func weakest(ms map[string]bool) map[string]bool {
	out := map[string]bool{}
	for m := range ms {
		out[m] = true
	}
	for _, m := range sortedKeys(ms) {
		for _, w := range reach(models.out, []string{m}) {
			if w != m && out[w] {
				delete(out, m)
				break
			}
		}
	}
	return out
}

// boundary is Elle's friendly-boundary: the weakest models the anomalies rule
// out (not) and the stronger ones they also rule out (also-not).
func boundary(anomalies []string) (not, alsoNot []string) {
	imp := impossibleFromAnomalies(anomalies)
	weak := weakest(imp)
	notSet, alsoSet := map[string]bool{}, map[string]bool{}
	for m := range imp {
		if weak[m] {
			notSet[friendly(m)] = true
		} else {
			alsoSet[friendly(m)] = true
		}
	}
	return sortedKeys(notSet), sortedKeys(alsoSet)
}
