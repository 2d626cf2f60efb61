package analyze_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/registry"
	"gossip-glomers/internal/report"
)

// conformanceDir holds upstream test histories (Jepsen's, Elle's, Knossos's
// and Maelstrom's own suites) with the results their tests assert, one
// folder per workload (see its README); it is not part of this repository.
const conformanceDir = "/work/shared/conformance"

// expectation is a case's <case>.expect.json, as far as verdicts go.
type expectation struct {
	Flags     []string `json:"flags"`
	Valid     any      `json:"valid"` // true, false, "unknown" or null (not pinned)
	Anomalies []string `json:"anomalies"`
	Absent    []string `json:"absent"`
}

// TestConformance runs every upstream case of every workload glomers
// implements through `glomers analyze -w WORKLOAD FLAGS... CASE.edn` and
// compares the workload check with what the upstream test asserts: its
// verdict (where the case pins one) and the anomaly names it must and must
// not report. It logs how many cases agree per workload.
func TestConformance(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join(conformanceDir, "*"))
	if len(dirs) == 0 {
		t.Skipf("the conformance histories are not here (%s): nothing to compare", conformanceDir)
	}
	agree := map[string]int{}
	total := map[string]int{}
	for _, dir := range dirs {
		wl := filepath.Base(dir)
		if _, ok := registry.Lookup(wl); !ok {
			continue
		}
		cases, _ := filepath.Glob(filepath.Join(dir, "*.edn"))
		for _, path := range cases {
			name := strings.TrimSuffix(filepath.Base(path), ".edn")
			total[wl]++
			t.Run(wl+"/"+name, func(t *testing.T) {
				var want expectation
				raw, err := os.ReadFile(strings.TrimSuffix(path, ".edn") + ".expect.json")
				if err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(raw, &want); err != nil {
					t.Fatal(err)
				}
				args := append(append([]string{"-w", wl}, want.Flags...), path)
				res, code, out := analyze(t, args...)
				if res == nil {
					t.Fatalf("exit %d, no results:\n%s", code, out)
				}
				got := res.Checks["workload"]
				names := reportedNames(got)
				failed := false
				if want.Valid != nil {
					wantValid := map[any]checker.Validity{true: checker.Valid, false: checker.Invalid, "unknown": checker.Unknown}[want.Valid]
					if got.Valid != wantValid {
						t.Errorf("workload valid %v, want %v (anomalies %v)", got.Valid, want.Valid, got.Anomalies)
						failed = true
					}
				}
				for _, a := range want.Anomalies {
					if !slices.Contains(names, a) {
						t.Errorf("anomalies %v lack %s", names, a)
						failed = true
					}
				}
				for _, a := range want.Absent {
					if slices.Contains(names, a) {
						t.Errorf("anomalies %v include %s", names, a)
						failed = true
					}
				}
				if !failed {
					agree[wl]++
				}
			})
		}
	}
	var names []string
	for wl := range total {
		names = append(names, wl)
	}
	sort.Strings(names)
	var lines []string
	for _, wl := range names {
		lines = append(lines, wl+": "+itoa(agree[wl])+"/"+itoa(total[wl]))
	}
	t.Logf("cases that agree with upstream, per workload: %s", strings.Join(lines, ", "))
}

// reportedNames are the anomaly names a workload check reports: those that
// decide its verdict, and, for kafka, every error type its analysis found
// (its :error-types, which include the types Maelstrom allows, such as
// int-send-skip, that upstream tests assert too).
func reportedNames(c report.Check) []string {
	names := slices.Clone(c.Anomalies)
	if types, ok := c.Figures["error-types"].([]any); ok {
		for _, ty := range types {
			if s, ok := ty.(string); ok && !slices.Contains(names, s) {
				names = append(names, s)
			}
		}
	}
	return names
}
