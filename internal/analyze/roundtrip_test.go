package analyze_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/edn"
	"gossip-glomers/internal/report"
)

// TestRoundTrips runs every workload briefly with its real node, then
// analyses the run three ways: its folder (in place), its history.jsonl and
// its history.edn. Each must reproduce the run's verdict, anomalies, checks
// and workload figures exactly, and the folder's also its net statistics
// (a history file comes without its journal, so has none).
func TestRoundTrips(t *testing.T) {
	for _, tc := range []struct {
		workload, node string
		flags          string // the run's flags; the checker ones go to the file analyses too
		checkerFlags   string
	}{
		{"echo", "maelstrom-echo", "--node-count 1 --rate 20", ""},
		{"unique-ids", "maelstrom-unique-ids", "--node-count 3 --rate 100 --nemesis partition --nemesis-interval 1", "--availability total"},
		{"broadcast", "maelstrom-broadcast", "--node-count 3 --rate 20 --nemesis partition --nemesis-interval 1", ""},
		{"g-counter", "maelstrom-counter", "--node-count 3 --rate 50", ""},
		{"kafka", "maelstrom-kafka", "--node-count 2 --concurrency 2n --rate 100", ""},
		{"txn-rw-register", "maelstrom-txn", "--node-count 2 --concurrency 2n --rate 100",
			"--consistency-models read-committed --availability total"},
		{"g-set", "maelstrom-g-set", "--node-count 2 --rate 20", ""},
		{"pn-counter", "maelstrom-pn-counter", "--node-count 2 --rate 20", ""},
		{"txn-list-append", "maelstrom-txn-list-append", "--node-count 2 --rate 50", ""},
		{"lin-kv", "maelstrom-lin-kv", "--node-count 3 --concurrency 2n --rate 30", ""},
	} {
		t.Run(tc.workload, func(t *testing.T) {
			t.Parallel()
			checkerFlags := strings.Fields(tc.checkerFlags)
			args := append([]string{"-w", tc.workload, "--time-limit", "1"}, strings.Fields(tc.flags)...)
			run := e2e.RunQuick(t, e2e.Build(t, tc.node), 200*time.Millisecond, append(args, checkerFlags...)...)
			if run.Err != nil {
				t.Fatalf("the run aborted: %v\n%s", run.Err, run.Stderr)
			}
			want := run.Results
			for _, name := range []string{"results.edn", "history.edn", "history.txt"} {
				if _, err := os.Stat(filepath.Join(want.Dir, name)); err != nil {
					t.Errorf("the run wrote no %s: %v", name, err)
				}
			}
			checkResultsEDN(t, want)

			// The folder last: analysing it in place rewrites its results.json.
			for _, file := range []string{"history.jsonl", "history.edn"} {
				fileArgs := append(append([]string{"-w", tc.workload}, checkerFlags...), filepath.Join(want.Dir, file))
				got, code, out := analyze(t, fileArgs...)
				if got == nil {
					t.Fatalf("analyze %s: exit %d, no results\n%s", file, code, out)
				}
				sameResults(t, "analyze "+file, got, want, false)
			}
			code, stdout, stderr := glomers(t, "analyze", want.Dir)
			got, err := report.Load(filepath.Join(want.Dir, "results.json"))
			if err != nil {
				t.Fatalf("analyze on the folder: exit %d, %v\n%s%s", code, err, stdout, stderr)
			}
			sameResults(t, "analyze on the folder", got, want, true)
			if wantCode := exitCodes[want.Verdict]; code != wantCode {
				t.Errorf("analyze on the folder exited %d for verdict %v, want %d", code, want.Verdict, wantCode)
			}
		})
	}
}

// checkResultsEDN: the run's results.edn reads back as EDN, and the line
// greps people run on Maelstrom's find its verdict and its two
// msgs-per-op figures (all and servers).
func checkResultsEDN(t *testing.T, res *report.Results) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(res.Dir, "results.edn"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := edn.ReadAll(data); err != nil {
		t.Errorf("results.edn does not read back: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if last, want := lines[len(lines)-1], " :valid? "+edn.String(map[checker.Validity]any{
		checker.Valid: true, checker.Invalid: false, checker.Unknown: edn.Keyword("unknown")}[res.Verdict])+"}"; last != want {
		t.Errorf("results.edn ends with %q, want %q", last, want)
	}
	if n := strings.Count(string(data), ":msgs-per-op "); n != 2 {
		t.Errorf("results.edn has %d :msgs-per-op lines, want 2", n)
	}
}

// sameResults compares what a history determines: verdict, anomalies,
// every check with its figures, the workload's own top-level fields, op
// counts, latencies and failures; and, when withNet, the net statistics.
func sameResults(t *testing.T, what string, got, want *report.Results, withNet bool) {
	t.Helper()
	checks := func(r *report.Results) map[string]report.Check {
		out := map[string]report.Check{}
		for k, c := range r.Checks {
			if k != "net" || withNet {
				out[k] = c
			}
		}
		return out
	}
	fields := []struct {
		name      string
		got, want any
	}{
		{"verdict", got.Verdict, want.Verdict},
		{"anomalies", got.Anomalies, want.Anomalies},
		{"checks", checks(got), checks(want)},
		{"checker figures", got.Checker, want.Checker},
		{"top-level fields", got.Extra, want.Extra},
		{"ops", got.Ops, want.Ops},
		{"latency", got.LatencyMS, want.LatencyMS},
		{"latency by f", got.LatencyByF, want.LatencyByF},
		{"failures", got.Failures, want.Failures},
	}
	if withNet {
		fields = append(fields, struct {
			name      string
			got, want any
		}{"net", got.Net, want.Net})
	} else if got.Net != nil {
		t.Errorf("%s: net statistics %+v without a journal", what, got.Net)
	}
	for _, f := range fields {
		if g, w := jsonOf(f.got), jsonOf(f.want); g != w {
			t.Errorf("%s: %s differ:\n got  %s\n want %s", what, f.name, clip(g), clip(w))
		}
	}
}

// exitCodes are glomers' exit codes for each verdict.
var exitCodes = map[checker.Validity]int{checker.Valid: 0, checker.Invalid: 1, checker.Unknown: 2}

// jsonOf is v's JSON with every object's keys sorted, so that figures made
// of Go structs and the same figures read back from results.json compare.
func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "error: " + err.Error()
	}
	var plain any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&plain); err != nil {
		return "error: " + err.Error()
	}
	b, _ = json.Marshal(plain)
	return string(b)
}

func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "..."
	}
	return s
}
