package analyze_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/report"
)

// TestHandMadeHistories analyses every testdata/histories/<workload>/
// <case>.edn, each a history in Maelstrom's own format for one outcome of
// the workload's checker (valid, each anomaly it reports, unknown), with
// the flags of the <case>.expect.json beside it, and compares the verdict,
// the workload check's verdict, every anomaly and the exit code with it.
func TestHandMadeHistories(t *testing.T) {
	cases, _ := filepath.Glob("testdata/histories/*/*.edn")
	if len(cases) == 0 {
		t.Fatal("no hand-made histories in testdata/histories")
	}
	for _, path := range cases {
		wl := filepath.Base(filepath.Dir(path))
		t.Run(wl+"/"+strings.TrimSuffix(filepath.Base(path), ".edn"), func(t *testing.T) {
			var want struct {
				Flags         []string         `json:"flags"`
				Exit          int              `json:"exit"`
				Valid         checker.Validity `json:"valid"`
				WorkloadValid checker.Validity `json:"workload_valid"`
				Anomalies     []string         `json:"anomalies"`
			}
			raw, err := os.ReadFile(strings.TrimSuffix(path, ".edn") + ".expect.json")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			res, code, out := analyze(t, append(append([]string{"-w", wl}, want.Flags...), path)...)
			if res == nil {
				t.Fatalf("exit %d, no results:\n%s", code, out)
			}
			if code != want.Exit || res.Verdict != want.Valid || res.Checks["workload"].Valid != want.WorkloadValid ||
				!slices.Equal(res.Anomalies, want.Anomalies) {
				t.Errorf("exit %d, verdict %v, workload %v, anomalies %v; want exit %d, %v, %v, %v\n%s",
					code, res.Verdict, res.Checks["workload"].Valid, res.Anomalies,
					want.Exit, want.Valid, want.WorkloadValid, want.Anomalies, out)
			}
		})
	}
}

// TestMalformedHistories: every file in testdata/malformed is refused with
// exit 254 and one line, "glomers: FILE line N: REASON", as the
// <case>.expect.json beside it says, and no results are written.
func TestMalformedHistories(t *testing.T) {
	files, _ := filepath.Glob("testdata/malformed/*.*")
	n := 0
	for _, path := range files {
		if strings.HasSuffix(path, ".expect.json") {
			continue
		}
		n++
		t.Run(filepath.Base(path), func(t *testing.T) {
			var want struct {
				Workload string `json:"workload"`
				Line     int    `json:"line"`
				Reason   string `json:"reason"`
			}
			raw, err := os.ReadFile(strings.TrimSuffix(path, filepath.Ext(path)) + ".expect.json")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			code, stdout, stderr := glomers(t, "analyze", "-w", want.Workload, "--out", out, path)
			wantErr := "glomers: " + path + " line " + itoa(want.Line) + ": " + want.Reason + "\n"
			if code != 254 || stderr != wantErr || stdout != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want 254 and %q", code, stderr, stdout, wantErr)
			}
			if _, err := report.Load(filepath.Join(out, "results.json")); err == nil {
				t.Error("results were written for a history that could not be read")
			}
		})
	}
	if n == 0 {
		t.Fatal("no malformed histories in testdata/malformed")
	}
}
