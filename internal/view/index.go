package view

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// indexData is what index.html shows.
type indexData struct {
	Title        string
	When         string
	Verdict      string
	VerdictColor string
	Missing      string // why there is no results.json, if there is none
	CommandLine  string
	Checks       []checkRow
	Anomalies    []anomalyRow
	Failures     []failureRow
	Warnings     []string
	FinalMisses  []string
	Figures      []figureRow
	Latencies    []latencyRow
	Views        []link
	Plots        []link
	Files        []link
	NodeLogs     []link
	Params       []figureRow
	CheckerJSON  string
	RenderErrors []string
	WindowNote   string
}

type checkRow struct{ Name, Verdict, Color string }

type anomalyRow struct {
	Name    string
	Example string // the checker's figure of that name, if any
}

type failureRow struct {
	F, Type, Reason, Detail string
	Count                   string
	Example                 string // e.g. "n1 c4 msg 7"
	Link                    string // into the timeline
}

type figureRow struct{ Name, Value string }

type latencyRow struct{ F, Min, Median, P95, P99, Max string }

type link struct {
	Name, Href, Note string
}

var indexTemplate = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; font-size: 14px; margin: 16px; max-width: 1100px; }
h1 { font-size: 22px; margin: 0 0 4px 0; }
h2 { font-size: 17px; margin: 22px 0 6px 0; border-bottom: 1px solid #ddd; }
.verdict { display: inline-block; padding: 4px 12px; border-radius: 3px; font-weight: bold; }
code, pre { font-family: Menlo, Consolas, monospace; font-size: 12px; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
table { border-collapse: collapse; }
td, th { padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
th { color: #555; font-weight: normal; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #666; }
.err { color: #b00; }
img { max-width: 100%; border: 1px solid #eee; margin: 4px 0; }
</style></head>
<body>
<div><a href="/">all runs</a> (with glomers serve)</div>
<h1>{{.Title}}</h1>
<div class="note">{{.When}}</div>
<p><span class="verdict" id="verdict" style="background: {{.VerdictColor}}">{{.Verdict}}</span></p>
{{if .Missing}}<p class="err">{{.Missing}}</p>{{end}}
{{if .CommandLine}}<pre id="command">{{.CommandLine}}</pre>{{end}}
{{range .RenderErrors}}<p class="err">{{.}}</p>{{end}}

<h2>Views</h2>
<ul id="views">{{range .Views}}<li><a href="{{.Href}}">{{.Name}}</a>{{if .Note}} <span class="note">{{.Note}}</span>{{end}}</li>
{{end}}</ul>
{{if .WindowNote}}<p class="note">{{.WindowNote}}</p>{{end}}
<form action="messages.svg" method="get" class="note">Lamport diagram of a time window (works under glomers serve; else use glomers view DIR --viz-from S --viz-to S):
from <input name="from" size="6"> s to <input name="to" size="6"> s <button type="submit">draw</button></form>

{{if .Checks}}<h2>Verdict</h2>
<table id="checks"><tr><th>check</th><th>valid?</th></tr>
{{range .Checks}}<tr><td>{{.Name}}</td><td style="background: {{.Color}}">{{.Verdict}}</td></tr>
{{end}}</table>{{end}}
{{if .Anomalies}}<h2>Anomalies</h2>
<table id="anomalies">{{range .Anomalies}}<tr><td><b>{{.Name}}</b></td><td>{{if .Example}}<pre>{{.Example}}</pre>{{end}}</td></tr>
{{end}}</table>{{end}}
{{if .Failures}}<h2>Operations that did not complete ok</h2>
<table id="failures"><tr><th>f</th><th>type</th><th>reason</th><th class="num">count</th><th>first one</th><th>detail</th></tr>
{{range .Failures}}<tr><td>{{.F}}</td><td>{{.Type}}</td><td>{{.Reason}}</td><td class="num">{{.Count}}</td><td>{{if .Link}}<a href="{{.Link}}">{{.Example}}</a>{{else}}{{.Example}}{{end}}</td><td>{{.Detail}}</td></tr>
{{end}}</table>{{end}}
{{if .FinalMisses}}<h2>Final reads</h2><ul>{{range .FinalMisses}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Warnings}}<h2>Warnings</h2><ul>{{range .Warnings}}<li>{{.}}</li>{{end}}</ul>{{end}}

{{if .Figures}}<h2>Figures</h2>
<table id="figures">{{range .Figures}}<tr><th>{{.Name}}</th><td>{{.Value}}</td></tr>
{{end}}</table>{{end}}
{{if .Latencies}}<h3>Latency of ok operations (ms)</h3>
<table id="latencies"><tr><th>f</th><th class="num">min</th><th class="num">median</th><th class="num">p95</th><th class="num">p99</th><th class="num">max</th></tr>
{{range .Latencies}}<tr><td>{{.F}}</td><td class="num">{{.Min}}</td><td class="num">{{.Median}}</td><td class="num">{{.P95}}</td><td class="num">{{.P99}}</td><td class="num">{{.Max}}</td></tr>
{{end}}</table>{{end}}

{{if .Plots}}<h2>Plots</h2>
{{range .Plots}}<div><a href="{{.Href}}"><img src="{{.Href}}" alt="{{.Name}}"></a></div>
{{end}}{{end}}

<h2>Files</h2>
<ul id="files">{{range .Files}}<li><a href="{{.Href}}">{{.Name}}</a>{{if .Note}} <span class="note">{{.Note}}</span>{{end}}</li>
{{end}}</ul>
{{if .NodeLogs}}<p>Node logs: {{range .NodeLogs}}<a href="{{.Href}}">{{.Name}}</a>{{if .Note}} <span class="note">({{.Note}})</span>{{end}} {{end}}</p>{{end}}

{{if .Params}}<h2>Parameters</h2>
<table id="params">{{range .Params}}<tr><th>{{.Name}}</th><td><code>{{.Value}}</code></td></tr>
{{end}}</table>{{end}}
{{if .CheckerJSON}}<h2>Checker's figures</h2>
<details><summary>the workload checker's full output</summary><pre>{{.CheckerJSON}}</pre></details>{{end}}
</body></html>
`))

// buildIndex gathers index.html's content from the run folder as it is
// (after the other views are written: it links only what exists).
func buildIndex(dir string, s *Summary, summaryErr error, opts Options, renderErrs []error) indexData {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real // store/latest names no run
	}
	d := indexData{Title: filepath.Base(filepath.Dir(dir)) + " run " + filepath.Base(dir), Verdict: VerdictIncomplete}
	if t, ok := RunTime(dir); ok {
		d.When = "started " + t.Format("2006-01-02 15:04:05.000 MST")
	}
	if s != nil {
		if s.Workload != "" {
			d.Title = s.Workload + " run " + filepath.Base(dir)
		}
		d.Verdict = s.Verdict
		if s.AbortReason != "" {
			d.Missing = "The run stopped before its verdict: " + s.AbortReason
		}
		d.CommandLine = s.CommandLine()
		d.Checks = checkRows(s)
		d.Anomalies = anomalyRows(s)
		d.Failures = failureRows(s)
		d.Warnings = stringList(lookup(s.Raw, "warnings"))
		d.FinalMisses = stringList(lookup(s.Raw, "final_read_misses"))
		d.Figures = figureRows(s)
		d.Latencies = latencyRows(s)
		d.Params = paramRows(s)
		if checker, ok := lookup(s.Raw, "checker").(map[string]any); ok && len(checker) > 0 {
			b, _ := json.MarshalIndent(checker, "", "  ")
			d.CheckerJSON = string(b)
		}
	} else if summaryErr != nil {
		d.Missing = "No verdict: " + summaryErr.Error() + " (a run that aborted has no results.json; its node logs say why)."
	}
	d.VerdictColor = VerdictColor(d.Verdict)
	for _, err := range renderErrs {
		d.RenderErrors = append(d.RenderErrors, "Could not draw a view: "+err.Error())
	}
	if opts.From > 0 || opts.To > 0 {
		d.WindowNote = fmt.Sprintf("The diagram and the timeline show %s to %s of the run.", seconds(opts.From), endLabel(opts.To))
	}

	exists := func(name string) (os.FileInfo, bool) {
		fi, err := os.Stat(filepath.Join(dir, name))
		return fi, err == nil
	}
	for _, v := range []link{
		{Name: "Lamport diagram", Href: LamportFile, Note: "(messages.svg: who sent what to whom; the first 10,000 network events after init)"},
		{Name: "Timeline", Href: TimelineFile, Note: "(timeline.html: each process's operations)"},
	} {
		if _, ok := exists(v.Href); ok {
			d.Views = append(d.Views, v)
		}
	}
	for _, p := range []link{
		{Name: "latency (raw)", Href: LatencyRawFile},
		{Name: "latency quantiles", Href: LatencyQuantilesFile},
		{Name: "rate", Href: RateFile},
	} {
		if _, ok := exists(p.Href); ok {
			d.Plots = append(d.Plots, p)
			d.Views = append(d.Views, link{Name: "Plot: " + p.Name, Href: p.Href})
		}
	}
	for _, f := range []link{
		{Name: ResultsFile, Href: ResultsFile, Note: "verdict and figures"},
		{Name: HistoryFile, Href: HistoryFile, Note: "every operation"},
		{Name: JournalFile, Href: JournalFile, Note: "every message sent and delivered"},
	} {
		if fi, ok := exists(f.Href); ok {
			f.Note += ", " + byteSize(fi.Size())
			d.Files = append(d.Files, f)
		}
	}
	if entries, err := os.ReadDir(filepath.Join(dir, NodeLogsDir)); err == nil {
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			note := ""
			if fi, err := e.Info(); err == nil && fi.Size() == 0 {
				note = "empty"
			}
			d.NodeLogs = append(d.NodeLogs, link{Name: e.Name(), Href: NodeLogsDir + "/" + e.Name(), Note: note})
		}
	}
	return d
}

func writeIndex(w io.Writer, d indexData) error { return indexTemplate.Execute(w, d) }

func checkRows(s *Summary) []checkRow {
	checks, _ := lookup(s.Raw, "checks").(map[string]any)
	var rows []checkRow
	for _, name := range sortedKeys(checks) {
		v := verdictOf(map[string]any{"verdict": lookup(checks[name], "valid")})
		rows = append(rows, checkRow{Name: name, Verdict: v, Color: VerdictColor(v)})
	}
	return rows
}

// anomalyRows pairs each anomaly with the checker's figure that shows it:
// the figure of the same name (broadcast's "lost": the lost values), or
// the entry of that name under "anomalies" (Elle's examples).
func anomalyRows(s *Summary) []anomalyRow {
	checker := lookup(s.Raw, "checker")
	var rows []anomalyRow
	for _, name := range s.Anomalies {
		row := anomalyRow{Name: name}
		for _, ex := range []any{lookup(checker, name), lookup(checker, "anomalies", name)} {
			if ex != nil {
				b, _ := json.MarshalIndent(ex, "", "  ")
				row.Example = truncate(string(b), 4000)
				break
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func failureRows(s *Summary) []failureRow {
	list, _ := lookup(s.Raw, "failures").([]any)
	var rows []failureRow
	for _, f := range list {
		row := failureRow{
			F: plainOf(f, "f"), Type: plainOf(f, "type"), Reason: plainOf(f, "reason"),
			Count: plainOf(f, "count"), Detail: truncate(plainOf(f, "detail"), 300),
		}
		if code := plainOf(f, "code"); code != "" {
			row.Reason += " (code " + code + ")"
		}
		var where []string
		for _, k := range []string{"node", "client"} {
			if v := plainOf(f, "example", k); v != "" {
				where = append(where, v)
			}
		}
		if id := plainOf(f, "example", "msg_id"); id != "" {
			where = append(where, "msg_id "+id)
		}
		if idx := plainOf(f, "example", "index"); idx != "" {
			where = append([]string{"op " + idx}, where...)
			row.Link = TimelineFile + "#i" + idx
		}
		row.Example = strings.Join(where, ", ")
		rows = append(rows, row)
	}
	return rows
}

func plainOf(v any, keys ...string) string {
	x := lookup(v, keys...)
	if x == nil {
		return ""
	}
	return plainText(x)
}

func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, plainText(x))
	}
	return out
}

func figureRows(s *Summary) []figureRow {
	var rows []figureRow
	add := func(name string, v *float64, format string) {
		if v != nil {
			rows = append(rows, figureRow{name, fmt.Sprintf(format, *v)})
		}
	}
	rows = append(rows, figureRow{"nodes", strconv.Itoa(s.NodeCount)})
	rows = append(rows, figureRow{"client operations", fmt.Sprintf("%d invoked: %d ok, %d fail, %d info", s.Ops.Invoke, s.Ops.OK, s.Ops.Fail, s.Ops.Info)})
	add("servers msgs-per-op", s.ServersMsgsPerOp, "%.2f")
	add("all msgs-per-op", s.AllMsgsPerOp, "%.2f")
	for _, g := range []string{"all", "clients", "servers"} {
		if net, ok := lookup(s.Raw, "net", g).(map[string]any); ok {
			rows = append(rows, figureRow{"net " + g, fmt.Sprintf("%s sent, %s delivered, %s distinct",
				plainOf(net, "send_count"), plainOf(net, "recv_count"), plainOf(net, "msg_count"))})
		}
	}
	add("availability (ok fraction)", s.Availability, "%.4g")
	if s.StableMedian != nil || s.StableMax != nil {
		var parts []string
		for _, q := range []string{"0", "0.5", "0.95", "0.99", "1"} {
			if v := plainOf(s.Raw, "stable_latency_ms", q); v != "" {
				parts = append(parts, q+": "+v)
			}
		}
		rows = append(rows, figureRow{"stable latency (ms)", strings.Join(parts, ", ")})
	}
	return rows
}

func latencyRows(s *Summary) []latencyRow {
	row := func(name string, q any) latencyRow {
		return latencyRow{F: name, Min: plainOf(q, "min"), Median: plainOf(q, "median"), P95: plainOf(q, "p95"), P99: plainOf(q, "p99"), Max: plainOf(q, "max")}
	}
	var rows []latencyRow
	if q := lookup(s.Raw, "latency_ms"); q != nil {
		rows = append(rows, row("all", q))
	}
	byF, _ := lookup(s.Raw, "latency_by_f_ms").(map[string]any)
	for _, f := range sortedKeys(byF) {
		rows = append(rows, row(f, byF[f]))
	}
	return rows
}

func paramRows(s *Summary) []figureRow {
	params, _ := lookup(s.Raw, "params").(map[string]any)
	var rows []figureRow
	for _, k := range sortedKeys(params) {
		rows = append(rows, figureRow{k, plainText(params[k])})
	}
	return rows
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
