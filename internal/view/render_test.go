package view

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gossip-glomers/internal/view/viewtest"
)

// sampleDir lays viewtest's sample run out as store/broadcast/<time>.
func sampleDir(t *testing.T, run viewtest.Run) string {
	t.Helper()
	return run.Write(t, filepath.Join(t.TempDir(), "broadcast", "20260102T030405.678Z"))
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Render writes every view and leaves the run's own files as they were.
func TestRenderWritesEveryView(t *testing.T) {
	t.Parallel() // each Render draws three PNGs: slow under -race
	dir := sampleDir(t, viewtest.Sample())
	inputs := map[string]string{}
	for _, name := range []string{ResultsFile, HistoryFile, JournalFile} {
		inputs[name] = readFile(t, filepath.Join(dir, name))
	}
	if err := Render(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{LamportFile, TimelineFile, IndexFile, LatencyRawFile, LatencyQuantilesFile, RateFile} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s not written: %v", name, err)
		}
	}
	for name, before := range inputs {
		if readFile(t, filepath.Join(dir, name)) != before {
			t.Errorf("Render changed %s", name)
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "*.tmp*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	index := readFile(t, filepath.Join(dir, IndexFile))
	for _, want := range []string{
		`id="verdict" style="background: #6DB6FE">valid<`,
		"broadcast run 20260102T030405.678Z",
		"started 2026-01-02 03:04:05.678 UTC",
		"glomers test -w broadcast --bin /bin/maelstrom-broadcast --node-count 2 --time-limit 1 --rate 10 --concurrency 1 --latency 0 --nemesis partition --nemesis-interval 10 --topology grid --seed 7",
		`href="messages.svg"`, `href="timeline.html"`, `src="latency-raw.png"`, `src="rate.png"`,
		`href="results.json"`, `href="history.jsonl"`, `href="messages.jsonl"`,
		`href="node-logs/n0.log"`, `n1.log</a> <span class="note">(empty)`,
		"<th>servers msgs-per-op</th><td>1.50</td>",
		"stable latency (ms)</th><td>0: 3, 0.5: 3, 0.95: 3, 0.99: 3, 1: 3",
	} {
		if !strings.Contains(index, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	svg := readFile(t, filepath.Join(dir, LamportFile))
	if n := strings.Count(svg, `<g class="msg`); n != 8 {
		t.Errorf("messages.svg has %d messages, want 8", n)
	}
	if !strings.Contains(svg, "partition (halves)") {
		t.Errorf("messages.svg does not show the partition")
	}
	if n := strings.Count(readFile(t, filepath.Join(dir, TimelineFile)), `<div class="op `); n != 6 {
		t.Errorf("timeline.html has %d operations, want 6 (2 client ops, 4 nemesis entries)", n)
	}
}

// Bad or missing input never crashes: the views that can be drawn are,
// index.html always is, and the error names the file and line.
func TestRenderBadInput(t *testing.T) {
	t.Parallel() // each Render draws three PNGs: slow under -race
	for _, tc := range []struct {
		name      string
		edit      func(*viewtest.Run)
		wantErr   []string // "" for none
		written   []string
		notInDir  []string
		indexHave string
	}{
		{
			name:     "malformed history",
			edit:     func(r *viewtest.Run) { r.History[1] = "{oops" },
			wantErr:  []string{"history.jsonl line 2"},
			written:  []string{LamportFile, IndexFile},
			notInDir: []string{TimelineFile, RateFile},
		},
		{
			name:     "malformed journal",
			edit:     func(r *viewtest.Run) { r.Journal[3] = `{"type":"send","time":"soon"}` },
			wantErr:  []string{"messages.jsonl line 4"},
			written:  []string{TimelineFile, LatencyRawFile, IndexFile},
			notInDir: []string{LamportFile},
		},
		{
			name:      "no results.json (an aborted run)",
			edit:      func(r *viewtest.Run) { r.Results = "" },
			written:   []string{LamportFile, TimelineFile, IndexFile},
			indexHave: ">incomplete<",
		},
		{
			name: "an aborted run's results.json",
			edit: func(r *viewtest.Run) {
				r.Results = `{"workload": "echo", "verdict": "aborted", "abort_reason": "node n0 crashed: exit status 3"}`
			},
			written:   []string{LamportFile, TimelineFile, IndexFile},
			indexHave: "The run stopped before its verdict: node n0 crashed: exit status 3",
		},
		{
			name:      "results.json not JSON",
			edit:      func(r *viewtest.Run) { r.Results = "[1,2" },
			wantErr:   []string{"results.json"},
			written:   []string{LamportFile, TimelineFile, IndexFile},
			indexHave: "No verdict",
		},
		{
			name:     "nothing but node logs",
			edit:     func(r *viewtest.Run) { r.Results, r.History, r.Journal = "", nil, nil },
			wantErr:  []string{"history.jsonl", "messages.jsonl"},
			written:  []string{IndexFile},
			notInDir: []string{LamportFile, TimelineFile},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run := viewtest.Sample()
			run.History = append([]string(nil), run.History...)
			run.Journal = append([]string(nil), run.Journal...)
			tc.edit(&run)
			dir := sampleDir(t, run)
			err := Render(dir, Options{})
			if len(tc.wantErr) == 0 && err != nil {
				t.Errorf("error %v, want none", err)
			}
			for _, want := range tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("error %v, want one mentioning %q", err, want)
				}
			}
			for _, name := range tc.written {
				if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
					t.Errorf("%s not written", name)
				}
			}
			for _, name := range tc.notInDir {
				if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
					t.Errorf("%s written", name)
				}
			}
			if tc.indexHave != "" && !strings.Contains(readFile(t, filepath.Join(dir, IndexFile)), tc.indexHave) {
				t.Errorf("index.html lacks %q", tc.indexHave)
			}
		})
	}
}

// A time window narrows the diagram and the timeline (not the plots).
func TestRenderWindow(t *testing.T) {
	t.Parallel() // each Render draws three PNGs: slow under -race
	dir := sampleDir(t, viewtest.Sample())
	opts := Options{From: 20 * time.Millisecond, To: 35 * time.Millisecond}
	if err := Render(dir, opts); err != nil {
		t.Fatal(err)
	}
	svg := readFile(t, filepath.Join(dir, LamportFile))
	if n := strings.Count(svg, `<g class="msg`); n != 3 { // the lost gossip, read, read_ok
		t.Errorf("windowed messages.svg has %d messages, want 3", n)
	}
	if !strings.Contains(readFile(t, filepath.Join(dir, IndexFile)), "0.020 s to 0.035 s") {
		t.Errorf("index.html does not say which window it shows")
	}
	var buf bytes.Buffer
	if err := WriteTimeline(&buf, dir, opts); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), `<div class="op `); n != 3 { // 2 start-partition entries and the read
		t.Errorf("windowed timeline has %d operations, want 3", n)
	}
	for _, bad := range []Options{{From: -time.Second}, {From: 2 * time.Second, To: time.Second}, {MaxEvents: -1}} {
		if err := Render(dir, bad); err == nil {
			t.Errorf("Render accepted %+v", bad)
		}
		if err := WriteLamport(&buf, dir, bad); err == nil {
			t.Errorf("WriteLamport accepted %+v", bad)
		}
	}
}

func TestSummary(t *testing.T) {
	for _, tc := range []struct {
		results, verdict, command string
	}{
		{`{"verdict": true}`, VerdictValid, ""},
		{`{"verdict": false}`, VerdictInvalid, ""},
		{`{"verdict": "unknown"}`, VerdictUnknown, ""},
		{`{"verdict": "aborted", "abort_reason": "node n0 crashed"}`, "aborted", ""},
		{`{"valid": false}`, VerdictInvalid, ""},
		{`{"workload": "echo", "verdict": true, "params": {"bin": "/b/my echo", "nodes": ["a", "b"], "rate": 5, "nemesis": [], "latency_dist": "uniform"}}`,
			VerdictValid, "glomers test -w echo --bin '/b/my echo' --nodes a,b --rate 5 --latency-dist uniform"},
		{`{"params": {"command_line": "glomers test -w echo --bin x"}}`, VerdictUnknown, "glomers test -w echo --bin x"},
	} {
		s, err := parseSummary([]byte(tc.results))
		if err != nil {
			t.Fatalf("%s: %v", tc.results, err)
		}
		if s.Verdict != tc.verdict {
			t.Errorf("%s: verdict %q, want %q", tc.results, s.Verdict, tc.verdict)
		}
		if tc.command != "" && s.CommandLine() != tc.command {
			t.Errorf("%s: command line %q, want %q", tc.results, s.CommandLine(), tc.command)
		}
	}
	for _, bad := range []string{"", "null", "[1]", "{"} {
		if _, err := parseSummary([]byte(bad)); err == nil {
			t.Errorf("parsed %q", bad)
		}
	}
	for verdict, color := range map[string]string{VerdictValid: "#6DB6FE", VerdictUnknown: "#FFAA26", VerdictInvalid: "#FEB5DA", VerdictIncomplete: "#eaeaea", "aborted": "#eaeaea"} {
		if got := VerdictColor(verdict); got != color {
			t.Errorf("%s is %s, want Jepsen's %s", verdict, got, color)
		}
	}
}

// The index shows anomalies with the checker's examples, and links each
// failure kind's first operation into the timeline.
func TestIndexAnomaliesAndFailures(t *testing.T) {
	t.Parallel() // each Render draws three PNGs: slow under -race
	run := viewtest.Sample()
	run.Results = `{"workload": "broadcast", "verdict": false,
  "anomalies": ["lost"],
  "checker": {"lost": [7, 9], "lost-count": 2},
  "failures": [{"f": "read", "type": "info", "reason": "net-timeout", "count": 3,
                "example": {"index": 5, "node": "n1", "client": "c2", "msg_id": 2}},
               {"f": "broadcast", "type": "fail", "reason": "temporarily-unavailable", "code": 11, "count": 1, "example": {"index": 1}}],
  "warnings": ["n0 replied late"]}`
	dir := sampleDir(t, run)
	if err := Render(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	index := readFile(t, filepath.Join(dir, IndexFile))
	for _, want := range []string{
		">invalid<", "#FEB5DA",
		"<b>lost</b></td><td><pre>[\n  7,\n  9\n]</pre>",
		`<a href="timeline.html#i5">op 5, n1, c2, msg_id 2</a>`,
		"temporarily-unavailable (code 11)",
		"n0 replied late",
	} {
		if !strings.Contains(index, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
}
