package runner

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/network"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/workload"
)

// Reanalyse checks a stored history as Run checks a run's (glomers
// analyze): cfg gives the workload and what its checkers read (the
// availability, the consistency models, ...); net is nil when there is no
// message journal to count, and the results then have no net statistics.
func Reanalyse(cfg *Config, h history.History, net *network.Stats) *report.Results {
	return analyse(cfg, h, net, cfg.Seed)
}

// analyse runs every check Maelstrom runs: the workload's checker, stats,
// availability and net (when net is not nil), and assembles results.json.
func analyse(cfg *Config, h history.History, net *network.Stats, seed uint64) *report.Results {
	res := &report.Results{
		Workload:  cfg.Workload.Name,
		NodeCount: len(cfg.Nodes),
		Checks:    map[string]report.Check{},
		Anomalies: []string{},
		Params:    params(cfg, seed),
	}

	// The checkers see the history as Maelstrom records it; the failure
	// table below uses the workbench's client and msg_id too.
	checked := h.WithoutTrace()
	wl := checkWorkload(cfg, checked)
	res.Checker = wl.Figures
	res.Extra = wl.Top
	res.Checks["workload"] = report.Check{Valid: wl.Valid, Anomalies: wl.Anomalies, Figures: wl.Figures}
	res.Anomalies = append(res.Anomalies, wl.Anomalies...)

	stats := checker.Stats(checked)
	res.Checks["stats"] = report.Check{Valid: stats.Valid, Anomalies: stats.Anomalies, Figures: stats.Figures}
	res.Anomalies = append(res.Anomalies, stats.Anomalies...)

	avail := checker.Availability(checked, cfg.Availability)
	res.Checks["availability"] = report.Check{Valid: avail.Valid, Anomalies: avail.Anomalies, Figures: avail.Figures}
	res.Anomalies = append(res.Anomalies, avail.Anomalies...)

	res.Ops = countOps(h)
	res.Failures = failures(h)
	if net != nil {
		res.Net = netStats(*net, res.Ops.Invoke)
		res.Checks["net"] = report.Check{Valid: checker.Valid}
	}
	res.LatencyMS, res.LatencyByF = latencies(h)

	res.Verdict = checker.Merge(wl.Valid, stats.Valid, avail.Valid)
	if wl.WholeResultUnknown {
		res.Verdict = checker.Unknown
		res.WholeResultUnknown = true
	}
	res.Valid = res.Verdict == checker.Valid
	return res
}

// checkWorkload runs the workload checker; a checker that panics gives an
// unknown verdict, as a Jepsen checker that throws does.
func checkWorkload(cfg *Config, h history.History) (res checker.Result) {
	defer func() {
		if p := recover(); p != nil {
			res = checker.Result{Valid: checker.Unknown, Anomalies: []string{"checker-error"},
				Figures: map[string]any{"error": fmt.Sprint(p)}}
		}
	}()
	res = cfg.Workload.Check(&cfg.Params, h)
	if res.Figures == nil {
		res.Figures = map[string]any{}
	}
	return res
}

func countOps(h history.History) report.OpCounts {
	var c report.OpCounts
	for _, op := range h {
		if !op.IsClient() {
			continue
		}
		switch op.Type {
		case history.Invoke:
			c.Invoke++
		case history.OK:
			c.OK++
		case history.Fail:
			c.Fail++
		case history.Info:
			c.Info++
		}
	}
	return c
}

func netStats(s network.Stats, invocations int) *report.NetStats {
	group := func(g network.GroupStats, perOp bool) report.NetGroup {
		out := report.NetGroup{SendCount: g.SendCount, RecvCount: g.RecvCount, MsgCount: g.MsgCount}
		if perOp && invocations > 0 {
			v := network.MsgsPerOp(g, invocations)
			out.MsgsPerOp = &v
		}
		return out
	}
	return &report.NetStats{All: group(s.All, true), Clients: group(s.Clients, false), Servers: group(s.Servers, true)}
}

// latencies are the quantiles of ok client operations' latencies, in ms,
// overall and per f.
func latencies(h history.History) (report.Quantiles, map[string]report.Quantiles) {
	var all []float64
	byF := map[string][]float64{}
	for _, p := range h.Pairs() {
		if p.Complete && p.Completion.Type == history.OK {
			ms := float64(p.Completion.Time-p.Invoke.Time) / float64(time.Millisecond)
			all = append(all, ms)
			byF[p.Invoke.F] = append(byF[p.Invoke.F], ms)
		}
	}
	out := map[string]report.Quantiles{}
	for f, ms := range byF {
		out[f] = quantiles(ms)
	}
	return quantiles(all), out
}

// quantiles uses Maelstrom's index rule: sorted[min(n-1, floor(n*q))].
func quantiles(ms []float64) report.Quantiles {
	if len(ms) == 0 {
		return report.Quantiles{}
	}
	sort.Float64s(ms)
	q := func(f float64) float64 {
		i := min(int(math.Floor(float64(len(ms))*f)), len(ms)-1)
		return math.Round(ms[i]*100) / 100
	}
	return report.Quantiles{Min: q(0), Median: q(0.5), P95: q(0.95), P99: q(0.99), Max: q(1)}
}

// params records how the run was made, in results.json; StoredConfig reads
// it back.
func params(cfg *Config, seed uint64) map[string]any {
	return map[string]any{
		"bin":                    cfg.Bin,
		"nodes":                  cfg.Nodes,
		"concurrency":            cfg.Concurrency,
		"rate":                   cfg.Rate,
		"time_limit":             cfg.TimeLimit.Seconds(),
		"latency":                cfg.Latency.Milliseconds(),
		"latency_dist":           cfg.LatencyDist,
		"nemesis":                cfg.Nemesis,
		"nemesis_interval":       cfg.NemesisInterval.Seconds(),
		"availability":           cfg.Availability,
		"topology":               cfg.Topology,
		"consistency_models":     cfg.ConsistencyModels,
		"linearizability_budget": cfg.LinearizabilityBudget.Seconds(),
		"seed":                   strconv.FormatUint(seed, 10),
	}
}

// StoredConfig is the configuration a run's results.json records (its
// params), for glomers analyze: what a summary describes and the checkers
// read. Params it lacks keep their zero values (a run recorded before
// consistency_models was: nil, the checkers' default).
func StoredConfig(res *report.Results, wl *workload.Workload) Config {
	p := res.Params
	str := func(k string) string { s, _ := p[k].(string); return s }
	num := func(k string) float64 {
		switch n := p[k].(type) {
		case float64:
			return n
		case json.Number:
			f, _ := n.Float64()
			return f
		}
		return 0
	}
	strs := func(k string) []string {
		var out []string
		list, _ := p[k].([]any)
		for _, x := range list {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	seconds := func(k string) time.Duration { return time.Duration(num(k) * float64(time.Second)) }
	seed, _ := strconv.ParseUint(str("seed"), 10, 64)
	cfg := Config{
		Params: workload.Params{
			Nodes:             strs("nodes"),
			Concurrency:       int(num("concurrency")),
			Rate:              num("rate"),
			TimeLimit:         seconds("time_limit"),
			Latency:           time.Duration(num("latency") * float64(time.Millisecond)),
			Topology:          str("topology"),
			ConsistencyModels: strs("consistency_models"),
			Availability:      str("availability"),
		},
		Workload:        wl,
		Bin:             str("bin"),
		LatencyDist:     str("latency_dist"),
		Nemesis:         strs("nemesis"),
		NemesisInterval: seconds("nemesis_interval"),
		Seed:            seed,
	}
	cfg.LinearizabilityBudget = seconds("linearizability_budget")
	return cfg
}

// runFiles is implemented by a checker's Top value that carries files for
// the run's folder, such as lin-kv's drawings of the keys that are not
// linearizable (linkv.Visualisations): RunFiles maps each path, relative
// to the folder, to its contents. results.json shows the value as its
// MarshalJSON writes it (lin-kv: the paths).
type runFiles interface{ RunFiles() map[string][]byte }

// writeRunFiles writes into dir every file the checkers' Top values carry.
func writeRunFiles(dir string, extra map[string]any) error {
	for _, v := range extra {
		files, ok := v.(runFiles)
		if !ok {
			continue
		}
		for name, data := range files.RunFiles() {
			if !filepath.IsLocal(filepath.FromSlash(name)) {
				return fmt.Errorf("checker file %q is not a path inside the run's folder", name)
			}
			path := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
