package analyze_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/edn"
	"gossip-glomers/internal/report"
)

// TestUsageErrors: what analyze cannot work with exits 254 with one line
// saying why, as glomers test does for bad flags.
func TestUsageErrors(t *testing.T) {
	history := "testdata/histories/broadcast/valid.edn"
	empty := t.TempDir()
	run := maelstromRunFolder(t, "testdata/histories/broadcast/lost.edn")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no path", nil, "accepts 1 arg(s)"},
		{"two paths", []string{history, history}, "accepts 1 arg(s)"},
		{"no such path", []string{"-w", "broadcast", "testdata/nothing-here.edn"}, "no such file or directory"},
		{"a folder without a history", []string{empty}, "holds no history (history.jsonl or history.edn)"},
		{"a history file without -w", []string{history}, "-w/--workload is required: " + history + " does not record its workload"},
		{"an unknown workload", []string{"-w", "paxos", history}, `unknown workload "paxos"`},
		{"-w against the folder's workload", []string{"-w", "echo", run}, "-w echo, but " + run + " records workload broadcast"},
		{"a bad --availability", []string{"-w", "broadcast", "--availability", "2", history}, "--availability must be total or a number between 0 and 1"},
		{"models split as Maelstrom does not", []string{"-w", "txn-rw-register", "--consistency-models", "serializable,read-committed",
			"testdata/histories/txn-rw-register/valid.edn"}, "--consistency-models"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := glomers(t, append([]string{"analyze"}, tc.args...)...)
			if code != 254 || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 || stdout != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want 254 and one line with %q", code, stderr, stdout, tc.want)
			}
		})
	}
}

// maelstromRunFolder lays out a run folder as Maelstrom stores one,
// store/<workload>/<time>/ with history.edn and results.edn, the history
// copied from a hand-made one of that workload.
func maelstromRunFolder(t *testing.T, historyPath string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "store", filepath.Base(filepath.Dir(historyPath)), "20240101T000000.000-0000")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(historyPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "history.edn"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "results.edn"), []byte("{:valid? true}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestMaelstromRunFolder: a run folder as Maelstrom writes it is analysed
// in place without -w (its workload is the store's folder name); with no
// journal, the net statistics are absent from results.json, results.edn
// and the summary, not zero.
func TestMaelstromRunFolder(t *testing.T) {
	dir := maelstromRunFolder(t, "testdata/histories/broadcast/lost.edn")
	code, stdout, stderr := glomers(t, "analyze", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (a lost broadcast)\n%s%s", code, stdout, stderr)
	}
	res, err := report.Load(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Workload != "broadcast" || res.Verdict != checker.Invalid || res.Net != nil || res.AnalysedFrom != filepath.Join(dir, "history.edn") {
		t.Errorf("results: workload %s, verdict %v, net %+v, analysed from %s", res.Workload, res.Verdict, res.Net, res.AnalysedFrom)
	}
	if _, ok := res.Checks["net"]; ok {
		t.Error("a net check without a journal")
	}
	resultsEDN, err := os.ReadFile(filepath.Join(dir, "results.edn"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(resultsEDN), ":net") || !strings.Contains(string(resultsEDN), ":lost [0]") {
		t.Errorf("results.edn:\n%s", resultsEDN)
	}
	if !strings.Contains(stdout, "messages   not counted") || !strings.Contains(stdout, "broadcast, analysed from "+dir) {
		t.Errorf("summary:\n%s", stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "history.jsonl")); err == nil {
		t.Error("analysing Maelstrom's folder in place added a history.jsonl to it")
	}
}

// TestHistoryFileGetsItsOwnRunFolder: a history file's results go to a new
// store/<workload>/<time>/ folder, with store/latest pointed at it and the
// history in all three forms; analysing that folder again keeps the
// checker parameters it records unless a flag overrides them.
func TestHistoryFileGetsItsOwnRunFolder(t *testing.T) {
	store := filepath.Join(t.TempDir(), "store")
	// G2-item: invalid under serializable models, valid under read-committed.
	g2 := "testdata/histories/txn-rw-register/G2-item.edn"
	code, stdout, stderr := glomers(t, "analyze", "-w", "txn-rw-register", "--consistency-models", "read-committed", "--store", store, g2)
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s%s", code, stdout, stderr)
	}
	latest, err := filepath.EvalSymlinks(filepath.Join(store, "latest"))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(filepath.Dir(latest)) != "txn-rw-register" {
		t.Errorf("store/latest is %s, want a folder in store/txn-rw-register", latest)
	}
	for _, name := range []string{"results.json", "results.edn", "history.jsonl", "history.edn", "history.txt"} {
		if _, err := os.Stat(filepath.Join(latest, name)); err != nil {
			t.Errorf("the new folder lacks %s", name)
		}
	}

	for _, tc := range []struct {
		flags []string
		exit  int
		model string
	}{
		{nil, 0, "read-committed"}, // the recorded model
		{[]string{"--consistency-models", "serializable"}, 1, "serializable"}, // overridden
	} {
		code, stdout, stderr := glomers(t, append(append([]string{"analyze"}, tc.flags...), latest)...)
		res, err := report.Load(filepath.Join(latest, "results.json"))
		if err != nil {
			t.Fatal(err)
		}
		models, _ := res.Params["consistency_models"].([]any)
		if code != tc.exit || len(models) != 1 || models[0] != tc.model {
			t.Errorf("flags %v: exit %d, models %v; want exit %d, [%s]\n%s%s", tc.flags, code, models, tc.exit, tc.model, stdout, stderr)
		}
	}
}

// TestResultsEDN: results.edn reads back as EDN, with Maelstrom's keys in
// Maelstrom's order and the verdicts of results.json.
func TestResultsEDN(t *testing.T) {
	out := t.TempDir()
	if code, stdout, stderr := glomers(t, "analyze", "-w", "kafka", "--out", out, "testdata/histories/kafka/lost-write.edn"); code != 1 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	data, err := os.ReadFile(filepath.Join(out, "results.edn"))
	if err != nil {
		t.Fatal(err)
	}
	items, err := edn.ReadAll(data)
	if err != nil || len(items) != 1 {
		t.Fatalf("results.edn does not read back: %v\n%s", err, data)
	}
	m, _ := items[0].Value.(edn.Map)
	var keys []string // in the order printed: a top-level key starts its line at column 1
	for _, line := range strings.Split(string(data), "\n") {
		if len(line) > 1 && line[1] == ':' {
			key, _, _ := strings.Cut(line[1:], " ")
			keys = append(keys, key)
		}
	}
	if got, want := strings.Join(keys, " "), ":perf :timeline :exceptions :stats :availability :workload :valid?"; got != want {
		t.Errorf("top-level keys %s, want %s", got, want)
	}
	workload, _ := m.Get(edn.Keyword("workload"))
	valid, _ := workload.(edn.Map).Get(edn.Keyword("valid?"))
	top, _ := m.Get(edn.Keyword("valid?"))
	if valid != false || top != false {
		t.Errorf(":workload :valid? %v, :valid? %v, want false", valid, top)
	}
	if !strings.Contains(string(data), "\n            :error-types [\"lost-write\" \"unseen\"],\n") {
		t.Errorf("results.edn lacks the kafka checker's :error-types line:\n%s", data)
	}
}
