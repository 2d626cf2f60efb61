// Package serve is `glomers serve`, Maelstrom's `maelstrom serve` (Jepsen's
// jepsen/web.clj): a local web server over a store folder. Its home page
// lists every run, newest first, with its workload, time, node count,
// verdict (coloured as Jepsen's web UI colours it) and headline figures;
// /files/ serves the runs' files, a run's folder opening its index.html.
// The store is read on every request, so new runs appear without a
// restart, and only files inside the store are served.
package serve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gossip-glomers/internal/view"
)

// PageSize is how many runs the home page lists at a time (web.clj's
// page-limit).
const PageSize = 128

// Server serves one store folder.
type Server struct {
	store string // absolute

	mu    sync.Mutex
	cache map[string]cachedSummary // results.json path -> what it said
}

// cachedSummary is a results.json read once: the home page re-reads a
// file only when its size or time changes (as web.clj caches its tests).
type cachedSummary struct {
	size    int64
	modTime time.Time
	summary *view.Summary
	err     error
}

// New serves the store folder dir (it need not exist yet).
func New(dir string) (*Server, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	return &Server{store: abs, cache: map[string]cachedSummary{}}, nil
}

// Run is one run folder of the store, store/<workload>/<time>/.
type Run struct {
	Workload string
	Path     string // relative to the store, with slashes: broadcast/20260101T120000.000Z
	Time     time.Time
	Summary  *view.Summary // nil without a readable results.json
	Problem  string        // why Summary is nil
}

// Verdict is the run's verdict, incomplete without results.json.
func (r Run) Verdict() string {
	if r.Summary == nil {
		return view.VerdictIncomplete
	}
	return r.Summary.Verdict
}

// Runs lists the store's runs, newest first. A store that does not exist
// yet has none.
func (s *Server) Runs() ([]Run, error) {
	workloads, err := os.ReadDir(s.store)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var runs []Run
	for _, w := range workloads {
		if !w.IsDir() || strings.HasPrefix(w.Name(), ".") { // latest is a symlink: not a folder here
			continue
		}
		entries, err := os.ReadDir(filepath.Join(s.store, w.Name()))
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			dir := filepath.Join(s.store, w.Name(), e.Name())
			if !isRunDir(dir) {
				continue
			}
			run := Run{Workload: w.Name(), Path: w.Name() + "/" + e.Name()}
			if t, ok := view.RunTime(dir); ok {
				run.Time = t
			} else if fi, err := e.Info(); err == nil {
				run.Time = fi.ModTime()
			}
			run.Summary, err = s.summary(dir)
			if err != nil {
				run.Problem = err.Error()
			}
			runs = append(runs, run)
		}
	}
	sort.Slice(runs, func(i, j int) bool {
		if !runs[i].Time.Equal(runs[j].Time) {
			return runs[i].Time.After(runs[j].Time)
		}
		return runs[i].Path > runs[j].Path
	})
	return runs, nil
}

// isRunDir reports whether a folder holds a run's files.
func isRunDir(dir string) bool {
	for _, name := range []string{view.ResultsFile, view.HistoryFile, view.JournalFile, view.NodeLogsDir} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

func (s *Server) summary(dir string) (*view.Summary, error) {
	path := filepath.Join(dir, view.ResultsFile)
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("no %s (the run aborted, or is still going)", view.ResultsFile)
	}
	s.mu.Lock()
	c, ok := s.cache[path]
	s.mu.Unlock()
	if ok && c.size == fi.Size() && c.modTime.Equal(fi.ModTime()) {
		return c.summary, c.err
	}
	summary, err := view.LoadSummary(dir)
	s.mu.Lock()
	s.cache[path] = cachedSummary{size: fi.Size(), modTime: fi.ModTime(), summary: summary, err: err}
	s.mu.Unlock()
	return summary, err
}

// ServeHTTP serves the home page at / and the store's files under /files/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "only GET and HEAD", http.StatusMethodNotAllowed)
		return
	}
	switch {
	case r.URL.Path == "/":
		s.home(w, r)
	case r.URL.Path == "/files":
		http.Redirect(w, r, "/files/", http.StatusMovedPermanently)
	case strings.HasPrefix(r.URL.Path, "/files/"):
		s.files(w, r, strings.TrimPrefix(r.URL.Path, "/files/"))
	default:
		http.NotFound(w, r)
	}
}

// homeRow is one run on the home page.
type homeRow struct {
	Run
	Href, Verdict, Color, When        string
	Nodes, Ops, MsgsPerOp, Latency    string
	Availability, Stable, Anomalies   string
	HasIndex, HasTimeline, HasLamport bool
}

var homeTemplate = template.Must(template.New("home").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>glomers runs</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; font-size: 14px; margin: 16px; }
h1 { font-size: 22px; }
table { border-collapse: separate; border-spacing: 3px; }
td, th { padding: 3px 6px; text-align: left; }
th { color: #555; font-weight: normal; border-bottom: 1px solid #ddd; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #666; }
</style></head>
<body>
<h1>glomers runs</h1>
<p class="note">{{.Store}}: {{.Total}} run(s), newest first. Verdicts coloured as Jepsen's: valid, unknown, invalid, incomplete.</p>
{{if .Rows}}<table id="runs">
<thead><tr><th>Workload</th><th>Time</th><th>Nodes</th><th>Valid?</th><th>Ops</th><th>msgs-per-op</th><th>latency ms (median / p99)</th><th>availability</th><th>stable latency ms (median / max)</th><th>anomalies</th><th>Files</th></tr></thead>
<tbody>
{{range .Rows}}<tr class="run">
<td><a href="{{.Href}}">{{.Workload}}</a></td>
<td><a href="{{.Href}}">{{.When}}</a></td>
<td class="num">{{.Nodes}}</td>
<td class="verdict" style="background: {{.Color}}" title="{{.Problem}}">{{.Verdict}}</td>
<td class="num">{{.Ops}}</td>
<td class="num">{{.MsgsPerOp}}</td>
<td class="num">{{.Latency}}</td>
<td class="num">{{.Availability}}</td>
<td class="num">{{.Stable}}</td>
<td>{{.Anomalies}}</td>
<td>{{if .HasIndex}}<a href="{{.Href}}index.html">run</a> {{end}}{{if .HasLamport}}<a href="{{.Href}}messages.svg">messages.svg</a> {{end}}{{if .HasTimeline}}<a href="{{.Href}}timeline.html">timeline</a> {{end}}<a href="{{.Href}}results.json">results.json</a> <a href="{{.Href}}history.jsonl">history</a> <a href="{{.Href}}node-logs/">logs</a></td>
</tr>
{{end}}</tbody></table>
{{else}}<p>No runs yet: run a test (glomers test ... --store {{.Store}}) and reload.</p>{{end}}
{{if .Older}}<p><a href="/?skip={{.Older}}">older runs</a></p>{{end}}
</body></html>
`))

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	runs, err := s.Runs()
	if err != nil {
		http.Error(w, "reading the store: "+err.Error(), http.StatusInternalServerError)
		return
	}
	skip := 0
	if v := r.URL.Query().Get("skip"); v != "" {
		if skip, err = strconv.Atoi(v); err != nil || skip < 0 {
			http.Error(w, "skip must be a number of runs", http.StatusBadRequest)
			return
		}
	}
	total := len(runs)
	runs = runs[min(skip, len(runs)):]
	older := 0
	if len(runs) > PageSize {
		runs, older = runs[:PageSize], skip+PageSize
	}
	data := struct {
		Store        string
		Total, Older int
		Rows         []homeRow
	}{Store: s.store, Total: total, Older: older}
	for _, run := range runs {
		data.Rows = append(data.Rows, s.homeRow(run))
	}
	var buf bytes.Buffer
	if err := homeTemplate.Execute(&buf, data); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

func (s *Server) homeRow(run Run) homeRow {
	row := homeRow{Run: run, Href: "/files/" + escapePath(run.Path) + "/", Verdict: run.Verdict(),
		When: run.Time.UTC().Format("2006-01-02 15:04:05 MST")}
	row.Color = view.VerdictColor(row.Verdict)
	dir := filepath.Join(s.store, filepath.FromSlash(run.Path))
	_, err := os.Stat(filepath.Join(dir, view.IndexFile))
	row.HasIndex = err == nil
	_, err = os.Stat(filepath.Join(dir, view.TimelineFile))
	row.HasTimeline = err == nil
	_, err = os.Stat(filepath.Join(dir, view.LamportFile))
	row.HasLamport = err == nil
	sum := run.Summary
	if sum == nil {
		return row
	}
	row.Nodes = strconv.Itoa(sum.NodeCount)
	row.Ops = strconv.Itoa(sum.Ops.Invoke)
	row.MsgsPerOp = figure(sum.ServersMsgsPerOp, "%.2f")
	if sum.LatencyMedian != nil {
		row.Latency = figure(sum.LatencyMedian, "%.1f") + " / " + figure(sum.LatencyP99, "%.1f")
	}
	row.Availability = figure(sum.Availability, "%.3g")
	if sum.StableMedian != nil {
		row.Stable = figure(sum.StableMedian, "%.0f") + " / " + figure(sum.StableMax, "%.0f")
	}
	row.Anomalies = strings.Join(sum.Anomalies, ", ")
	if sum.AbortReason != "" {
		row.Anomalies = "stopped: " + sum.AbortReason
	}
	return row
}

func figure(v *float64, format string) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf(format, *v)
}

// files serves a file or folder of the store. rel is the URL path after
// /files/; anything that resolves outside the store (.., or a symlink out
// of it) is refused.
func (s *Server) files(w http.ResponseWriter, r *http.Request, rel string) {
	clean := path.Clean("/" + rel) // no .. survives this
	full := filepath.Join(s.store, filepath.FromSlash(clean))
	real, err := filepath.EvalSymlinks(full)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	storeReal, err := filepath.EvalSymlinks(s.store)
	if err != nil || !within(storeReal, real) {
		http.Error(w, "not in the store", http.StatusForbidden)
		return
	}
	fi, err := os.Stat(real)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if fi.IsDir() {
		if !strings.HasSuffix(r.URL.Path, "/") { // relative links inside need the slash
			http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
			return
		}
		if _, err := os.Stat(filepath.Join(real, view.IndexFile)); err == nil {
			s.serveFile(w, r, filepath.Join(real, view.IndexFile))
			return
		}
		s.listing(w, r, real, clean)
		return
	}
	q := r.URL.Query()
	if (fi.Name() == view.LamportFile || fi.Name() == view.TimelineFile) && (q.Has("from") || q.Has("to")) {
		s.window(w, r, filepath.Dir(real), fi.Name())
		return
	}
	s.serveFile(w, r, real)
}

// within reports whether path is root or inside it.
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// contentTypes are given explicitly so that the journal, the history and
// the logs show as text in the browser.
var contentTypes = map[string]string{
	".jsonl": "text/plain; charset=utf-8",
	".log":   "text/plain; charset=utf-8",
	".txt":   "text/plain; charset=utf-8",
	".json":  "application/json",
	".svg":   "image/svg+xml",
	".html":  "text/html; charset=utf-8",
	".png":   "image/png",
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, path string) {
	f, err := os.Open(path)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if ct, ok := contentTypes[strings.ToLower(filepath.Ext(path))]; ok {
		w.Header().Set("Content-Type", ct)
	}
	http.ServeContent(w, r, fi.Name(), fi.ModTime(), f)
}

// window draws the Lamport diagram or the timeline of a time window, from
// and to in seconds since the start of the run (either may be empty).
func (s *Server) window(w http.ResponseWriter, r *http.Request, runDir, name string) {
	var opts view.Options
	q := r.URL.Query()
	for _, p := range []struct {
		key string
		dst *time.Duration
	}{{"from", &opts.From}, {"to", &opts.To}} {
		v := strings.TrimSpace(q.Get(p.key))
		if v == "" {
			continue
		}
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(secs) || math.IsInf(secs, 0) {
			http.Error(w, fmt.Sprintf("%s=%q is not a number of seconds", p.key, v), http.StatusBadRequest)
			return
		}
		*p.dst = time.Duration(secs * float64(time.Second))
	}
	if err := opts.Validate(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var buf bytes.Buffer
	var err error
	if name == view.LamportFile {
		err = view.WriteLamport(&buf, runDir, opts)
	} else {
		err = view.WriteTimeline(&buf, runDir, opts)
	}
	if err != nil {
		http.Error(w, "drawing "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentTypes[filepath.Ext(name)])
	w.Write(buf.Bytes())
}

var listingTemplate = template.Must(template.New("listing").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Path}}</title>
<style>body { font-family: Helvetica, Arial, sans-serif; font-size: 14px; margin: 16px; } td { padding: 2px 12px 2px 0; } td.num { text-align: right; }</style></head>
<body><p><a href="/">all runs</a></p><h1>{{.Path}}</h1>
{{if .RunWithoutViews}}<p>This run has no views yet: <code>glomers view {{.Dir}}</code> draws them.</p>{{end}}
<table id="listing">{{if .Up}}<tr><td><a href="../">../</a></td><td></td></tr>{{end}}
{{range .Entries}}<tr><td><a href="{{.Href}}">{{.Name}}</a></td><td class="num">{{.Size}}</td></tr>
{{end}}</table></body></html>
`))

func (s *Server) listing(w http.ResponseWriter, r *http.Request, dir, clean string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	type entry struct{ Name, Href, Size string }
	data := struct {
		Path, Dir       string
		Up              bool
		RunWithoutViews bool
		Entries         []entry
	}{Path: clean, Dir: dir, Up: clean != "/", RunWithoutViews: isRunDir(dir)}
	for _, e := range entries {
		row := entry{Name: e.Name(), Href: url.PathEscape(e.Name())}
		if e.IsDir() {
			row.Name += "/"
			row.Href += "/"
		} else if fi, err := e.Info(); err == nil {
			row.Size = strconv.FormatInt(fi.Size(), 10)
		}
		data.Entries = append(data.Entries, row)
	}
	var buf bytes.Buffer
	if err := listingTemplate.Execute(&buf, data); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, part := range parts {
		parts[i] = url.PathEscape(part)
	}
	return strings.Join(parts, "/")
}

// Config is where to listen.
type Config struct {
	Store string
	Host  string // "" means localhost
	Port  int    // 0 picks a free port
}

// ListenAndServe serves cfg.Store until ctx ends, after printing its URL to
// out.
func ListenAndServe(ctx context.Context, cfg Config, out io.Writer) error {
	srv, err := New(cfg.Store)
	if err != nil {
		return err
	}
	host := cfg.Host
	if host == "" {
		host = "localhost"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(cfg.Port)))
	if err != nil {
		return err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	fmt.Fprintf(out, "Serving %s at http://%s/ (Ctrl-C to stop)\n", srv.store, net.JoinHostPort(host, strconv.Itoa(port)))
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(shutdown)
		<-done
		return nil
	}
}
