package runner

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/report"
)

// SummaryTo returns a Config.Log that sends the human summary of the run to
// summary and everything else (progress, waits, node output) to log. The CLI
// passes (stderr, stdout), so that `glomers test ... > out` captures the
// result and the terminal still shows the progress.
func SummaryTo(log, summary io.Writer) io.Writer { return splitLog{log, summary} }

// splitLog is what SummaryTo returns: it writes to log, and printSummary
// finds the summary's writer in it.
type splitLog struct {
	io.Writer
	summary io.Writer
}

// Fd lets the progress line see whether log is a terminal; a log that is
// not a file gets an invalid descriptor, which is no terminal.
func (s splitLog) Fd() uintptr {
	if f, ok := s.Writer.(interface{ Fd() uintptr }); ok {
		return f.Fd()
	}
	return ^uintptr(0)
}

// maxFailureRows caps the failure table; results.json has every row.
const maxFailureRows = 8

// PrintSummary writes the human summary of a run's results, as Run does:
// glomers analyze prints its results with it. cfg describes the run (its
// time limit zero when the history came without its run's record).
func PrintSummary(log io.Writer, cfg *Config, res *report.Results) { printSummary(log, cfg, res) }

// printSummary writes the human summary of a run, ending with the verdict,
// to log or, if log came from SummaryTo, to its summary writer.
func printSummary(log io.Writer, cfg *Config, res *report.Results) {
	w := log
	if s, ok := log.(splitLog); ok {
		w = s.summary
	}
	switch {
	case res.AnalysedFrom != "" && cfg.TimeLimit == 0: // a history without its run's record
		nodes := ""
		if res.NodeCount > 0 { // Maelstrom's histories do not name the nodes
			nodes = fmt.Sprintf(" on %d node(s)", res.NodeCount)
		}
		fmt.Fprintf(w, "\n%s%s, analysed from %s\n", res.Workload, nodes, res.AnalysedFrom)
	default:
		fmt.Fprintf(w, "\n%s on %d node(s): %v, rate %g/s, concurrency %d, latency %v %s",
			res.Workload, res.NodeCount, cfg.TimeLimit, cfg.Rate, cfg.Concurrency, cfg.Latency, cfg.LatencyDist)
		if cfg.Partitions() {
			fmt.Fprintf(w, ", partitions every ~%v", cfg.NemesisInterval)
		}
		fmt.Fprintln(w)
		if res.AnalysedFrom != "" {
			fmt.Fprintf(w, "  analysed   %s\n", res.AnalysedFrom)
		}
	}
	fmt.Fprintf(w, "  ops        %d invoked: %d ok, %d fail, %d info\n", res.Ops.Invoke, res.Ops.OK, res.Ops.Fail, res.Ops.Info)
	for _, line := range failureLines(res.Failures) {
		fmt.Fprintf(w, "  not ok     %s\n", line)
	}
	finalReads, _ := textLines(res.Extra[report.FinalReadMissesKey])
	for _, line := range finalReads {
		fmt.Fprintf(w, "  final read %s\n", line)
	}
	l := res.LatencyMS
	fmt.Fprintf(w, "  latency    min %.1f, median %.1f, p95 %.1f, p99 %.1f, max %.1f ms (ok ops)\n", l.Min, l.Median, l.P95, l.P99, l.Max)
	if n := res.Net; n != nil {
		fmt.Fprintf(w, "  messages   servers %d (%.2f per op), clients %d, all %d (%.2f per op)\n",
			n.Servers.MsgCount, n.Servers.PerOp(), n.Clients.MsgCount, n.All.MsgCount, n.All.PerOp())
	} else {
		fmt.Fprintln(w, "  messages   not counted: no message journal (messages.jsonl) came with the history")
	}
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
	printExtra(w, res.Extra)
	warnings := append(append([]string(nil), res.Warnings...), derivedWarnings(res)...)
	for _, warn := range warnings {
		fmt.Fprintf(w, "  warning    %s\n", warn)
	}
	fmt.Fprintf(w, "  results    %s\n", filepath.Join(res.Dir, "results.json"))
	if index := filepath.Join(res.Dir, "index.html"); fileExists(index) {
		fmt.Fprintf(w, "  views      %s (or glomers serve)\n", index)
	}
	anomalies := explainAnomalies(res)
	switch {
	case res.Verdict == checker.Valid && len(warnings) > 0:
		fmt.Fprintf(w, "Verdict: VALID, with %d warning(s) above.\n", len(warnings))
	case res.Verdict == checker.Valid:
		fmt.Fprintln(w, "Verdict: VALID. Everything looks good!")
	case res.Verdict == checker.Invalid:
		fmt.Fprintf(w, "Verdict: INVALID: %s\n", anomalies)
	default:
		fmt.Fprintf(w, "Verdict: UNKNOWN: the checkers could not decide (%s)\n", anomalies)
	}
}

// failureLines renders the failure table, one row a line:
//
//	echo  info  84  not-supported (code 10): "no handler" (first: op 3, c5 -> n0 msg_id 1)
func failureLines(rows []report.Failure) []string {
	shown := rows[:min(len(rows), maxFailureRows)]
	fWidth, countWidth := 0, 0
	for _, r := range shown {
		fWidth = max(fWidth, len(r.F))
		countWidth = max(countWidth, len(fmt.Sprint(r.Count)))
	}
	var lines []string
	for _, r := range shown {
		lines = append(lines, fmt.Sprintf("%-*s  %-4s  %*d  %s (first: %s)",
			fWidth, r.F, r.Type, countWidth, r.Count, describeFailure(r), pointer(r.Example)))
	}
	if rest := len(rows) - len(shown); rest > 0 {
		lines = append(lines, fmt.Sprintf("... and %d more kinds, every one in results.json (failures)", rest))
	}
	return lines
}

// describeFailure is a failure's reason, its code and its error text.
func describeFailure(r report.Failure) string {
	s := r.Reason
	if r.Code != nil {
		s += fmt.Sprintf(" (code %d)", *r.Code)
	}
	if r.Detail != "" {
		s += ": " + clipText(r.Detail, 120)
	}
	return s
}

// pointer says where an operation is: its history index, and the client,
// node and msg_id of its request, which find it in messages.jsonl.
func pointer(p report.OpPointer) string {
	s := fmt.Sprintf("op %d", p.Index)
	switch {
	case p.Client != "" && p.Node != "":
		s += fmt.Sprintf(", %s -> %s", p.Client, p.Node)
	case p.Node != "":
		s += ", " + p.Node
	}
	if p.MsgID != 0 {
		s += fmt.Sprintf(" msg_id %d", p.MsgID)
	}
	return s
}

func clipText(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// printExtra prints the workload's other top-level results (broadcast's
// stable_latency_ms): lists of text one line each, anything else as JSON.
func printExtra(w io.Writer, extra map[string]any) {
	var keys []string
	for k := range extra {
		if k != report.FinalReadMissesKey { // printed near the top
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if lines, ok := textLines(extra[k]); ok {
			for _, line := range lines {
				fmt.Fprintf(w, "  %-10s %s\n", k, line)
			}
			continue
		}
		b, _ := json.Marshal(extra[k])
		fmt.Fprintf(w, "  %-10s %s\n", k, b)
	}
}

// textLines reads a list of strings, as a checker returns it ([]string) or
// as results.json gives it back ([]any).
func textLines(v any) ([]string, bool) {
	switch v := v.(type) {
	case []string:
		return v, true
	case []any:
		lines := make([]string, 0, len(v))
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, false
			}
			lines = append(lines, s)
		}
		return lines, true
	}
	return nil, false
}

// derivedWarnings are what the results show that a user should know even
// when the verdict does not say it.
func derivedWarnings(res *report.Results) []string {
	var warns []string
	if res.Ops.Invoke == 0 {
		warns = append(warns, "no client operation was invoked, so the checks had nothing to judge")
	}
	if res.Verdict == checker.Valid {
		badReplies := 0
		var first *report.Failure
		for i, r := range res.Failures {
			if r.Reason == reasonBadReply {
				badReplies += r.Count
				if first == nil {
					first = &res.Failures[i]
				}
			}
		}
		if first != nil {
			warns = append(warns, fmt.Sprintf("%d replies broke Maelstrom's reply schema and were recorded as info, which Maelstrom does not fail; e.g. %s: %s (%s)",
				badReplies, first.F, clipText(first.Detail, 120), pointer(first.Example)))
		}
	}
	return warns
}

// explainAnomalies lists the anomalies, saying why for those the results
// can explain: no-ok-F (what became of every F) and unavailable.
func explainAnomalies(res *report.Results) string {
	var parts []string
	for _, a := range res.Anomalies {
		if f, ok := strings.CutPrefix(a, "no-ok-"); ok {
			if why := whyNoOK(f, res.Failures); why != "" {
				a += " (" + why + ")"
			}
		}
		if a == "unavailable" {
			figs := res.Checks["availability"].Figures
			if frac, ok := figs["ok_fraction"]; ok {
				a += fmt.Sprintf(" (ok fraction %v, expected %v)", frac, figs["expected"])
			}
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, ", ")
}

// whyNoOK says how every op of f ended: "every echo failed: 84 info
// not-supported (code 10)", naming the two most frequent reasons.
func whyNoOK(f string, rows []report.Failure) string {
	var reasons []string
	for _, r := range rows {
		if r.F != f {
			continue
		}
		if len(reasons) == 2 {
			reasons = append(reasons, "...")
			break
		}
		reason := r.Reason
		if r.Code != nil {
			reason += fmt.Sprintf(" (code %d)", *r.Code)
		}
		reasons = append(reasons, fmt.Sprintf("%d %s %s", r.Count, r.Type, reason))
	}
	if len(reasons) == 0 {
		return ""
	}
	return fmt.Sprintf("no %s was ok: %s", f, strings.Join(reasons, ", "))
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

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
