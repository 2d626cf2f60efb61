package runner

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/report"
)

// printSummary writes the human summary of a run, ending with the verdict.
func printSummary(w io.Writer, cfg *Config, res *report.Results) {
	fmt.Fprintf(w, "\n%s on %d node(s): %v, rate %g/s, concurrency %d, latency %v %s",
		res.Workload, res.NodeCount, cfg.TimeLimit, cfg.Rate, cfg.Concurrency, cfg.Latency, cfg.LatencyDist)
	if cfg.Partitions() {
		fmt.Fprintf(w, ", partitions every ~%v", cfg.NemesisInterval)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  ops        %d invoked: %d ok, %d fail, %d info\n", res.Ops.Invoke, res.Ops.OK, res.Ops.Fail, res.Ops.Info)
	l := res.LatencyMS
	fmt.Fprintf(w, "  latency    min %.1f, median %.1f, p95 %.1f, p99 %.1f, max %.1f ms (ok ops)\n", l.Min, l.Median, l.P95, l.P99, l.Max)
	fmt.Fprintf(w, "  messages   servers %d (%.2f per op), clients %d, all %d (%.2f per op)\n",
		res.Net.Servers.MsgCount, res.Net.Servers.PerOp(), res.Net.Clients.MsgCount, res.Net.All.MsgCount, res.Net.All.PerOp())
	var names []string
	for name := range res.Checks {
		names = append(names, name)
	}
	sort.Strings(names)
	var checks []string
	for _, name := range names {
		checks = append(checks, fmt.Sprintf("%s %s", name, res.Checks[name].Valid))
	}
	fmt.Fprintf(w, "  checks     %s\n", strings.Join(checks, ", "))
	for _, line := range figureLines(res.Checker) {
		fmt.Fprintf(w, "  checker    %s\n", line)
	}
	for k, v := range res.Extra {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "  %-10s %s\n", k, b)
	}
	for _, warn := range res.Warnings {
		fmt.Fprintf(w, "  warning    %s\n", warn)
	}
	fmt.Fprintf(w, "  results    %s\n", filepath.Join(res.Dir, "results.json"))
	switch res.Verdict {
	case checker.Valid:
		fmt.Fprintln(w, "Verdict: VALID. Everything looks good!")
	case checker.Invalid:
		fmt.Fprintf(w, "Verdict: INVALID: %s\n", strings.Join(res.Anomalies, ", "))
	default:
		fmt.Fprintf(w, "Verdict: UNKNOWN: the checkers could not decide (%s)\n", strings.Join(res.Anomalies, ", "))
	}
}

// figureLines renders the checker's scalar figures compactly, one line each,
// clipping long values; the full figures are in results.json.
func figureLines(figs map[string]any) []string {
	var keys []string
	for k := range figs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var lines []string
	for _, k := range keys {
		b, err := json.Marshal(figs[k])
		if err != nil {
			continue
		}
		s := string(b)
		if len(s) > 160 {
			s = s[:160] + "..."
		}
		lines = append(lines, fmt.Sprintf("%s: %s", k, s))
	}
	return lines
}
