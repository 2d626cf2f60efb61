package runner

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/network"
	"gossip-glomers/internal/report"
)

// analyse runs every check Maelstrom runs: the workload's checker, stats,
// availability and net, and assembles results.json.
func analyse(cfg *Config, h history.History, net network.Stats, seed uint64) *report.Results {
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
	res.Checks["workload"] = report.Check{Valid: wl.Valid, Figures: wl.Figures}
	res.Anomalies = append(res.Anomalies, wl.Anomalies...)

	stats := checker.Stats(checked)
	res.Checks["stats"] = report.Check{Valid: stats.Valid, Figures: stats.Figures}
	res.Anomalies = append(res.Anomalies, stats.Anomalies...)

	avail := checker.Availability(checked, cfg.Availability)
	res.Checks["availability"] = report.Check{Valid: avail.Valid, Figures: avail.Figures}
	res.Anomalies = append(res.Anomalies, avail.Anomalies...)

	res.Ops = countOps(h)
	res.Failures = failures(h)
	res.Net = netStats(net, res.Ops.Invoke)
	res.Checks["net"] = report.Check{Valid: checker.Valid}
	res.LatencyMS, res.LatencyByF = latencies(h)

	res.Verdict = checker.Merge(wl.Valid, stats.Valid, avail.Valid)
	if wl.WholeResultUnknown {
		res.Verdict = checker.Unknown
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

func netStats(s network.Stats, invocations int) report.NetStats {
	group := func(g network.GroupStats, perOp bool) report.NetGroup {
		out := report.NetGroup{SendCount: g.SendCount, RecvCount: g.RecvCount, MsgCount: g.MsgCount}
		if perOp && invocations > 0 {
			v := network.MsgsPerOp(g, invocations)
			out.MsgsPerOp = &v
		}
		return out
	}
	return report.NetStats{All: group(s.All, true), Clients: group(s.Clients, false), Servers: group(s.Servers, true)}
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

func params(cfg *Config, seed uint64) map[string]any {
	return map[string]any{
		"bin":              cfg.Bin,
		"nodes":            cfg.Nodes,
		"concurrency":      cfg.Concurrency,
		"rate":             cfg.Rate,
		"time_limit":       cfg.TimeLimit.Seconds(),
		"latency":          cfg.Latency.Milliseconds(),
		"latency_dist":     cfg.LatencyDist,
		"nemesis":          cfg.Nemesis,
		"nemesis_interval": cfg.NemesisInterval.Seconds(),
		"availability":     cfg.Availability,
		"topology":         cfg.Topology,
		"seed":             strconv.FormatUint(seed, 10),
	}
}
