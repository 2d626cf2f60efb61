package elle

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/workload"
)

// conformanceDir holds upstream test histories with the results Elle's
// tests assert (see its README); it is not part of this repository.
const conformanceDir = "/work/shared/conformance/txn-rw-register"

// expectation is a case's <case>.expect.json.
type expectation struct {
	Flags     []string       `json:"flags"`
	Valid     any            `json:"valid"` // true, false, "unknown" or null (not pinned)
	Anomalies []string       `json:"anomalies"`
	Absent    []string       `json:"absent"`
	Fields    map[string]any `json:"fields"`
}

// Every upstream rw-register case gives Elle's verdict, anomaly names and
// ruled-out models, and for cycle anomalies the cycle Elle found and its
// step types.
func TestConformance(t *testing.T) {
	cases, _ := filepath.Glob(filepath.Join(conformanceDir, "*.edn"))
	if len(cases) == 0 {
		t.Skipf("conformance histories not found in %s", conformanceDir)
	}
	for _, path := range cases {
		name := strings.TrimSuffix(filepath.Base(path), ".edn")
		t.Run(name, func(t *testing.T) {
			h, err := readEDNHistory(path)
			if err != nil {
				t.Fatal(err)
			}
			var want expectation
			raw, err := os.ReadFile(strings.TrimSuffix(path, ".edn") + ".expect.json")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			r := Check(h, Options{ConsistencyModels: modelsOfFlags(want.Flags), MaelstromOnly: true})

			if want.Valid != nil {
				wantValid := map[any]checker.Validity{true: checker.Valid, false: checker.Invalid, "unknown": checker.Unknown}[want.Valid]
				if r.Valid != wantValid {
					t.Errorf("valid %v, want %v (anomalies %v)", r.Valid, want.Valid, r.Anomalies)
				}
			}
			for _, a := range want.Anomalies {
				if !slices.Contains(r.Anomalies, a) {
					t.Errorf("anomalies %v lack %s", r.Anomalies, a)
				}
			}
			for _, a := range want.Absent {
				if slices.Contains(r.Anomalies, a) {
					t.Errorf("anomalies %v include %s", r.Anomalies, a)
				}
			}
			if types, ok := want.Fields["anomaly-types"].([]any); ok {
				var names []string
				for _, ty := range types {
					names = append(names, strings.TrimPrefix(ty.(string), ":"))
				}
				if !slices.Equal(r.Anomalies, names) {
					t.Errorf("anomaly types %v, want exactly %v", r.Anomalies, names)
				}
			}
			if nots, ok := want.Fields["not"].([]any); ok {
				var names []string
				for _, m := range nots {
					names = append(names, strings.TrimPrefix(m.(string), ":"))
				}
				if got, _ := r.Figures["not"].([]string); !slices.Equal(got, names) {
					t.Errorf("not %v, want %v", r.Figures["not"], names)
				}
			}
			expected, _ := want.Fields["anomalies"].(map[string]any)
			for typ, cases := range expected {
				typ = strings.TrimPrefix(typ, ":")
				if !cycleTypes[typ] {
					continue
				}
				if got, want := cycleShapes(r, typ), expectedShapes(cases); !slices.Equal(got, want) {
					t.Errorf("%s cycles %v, want %v", typ, got, want)
				}
			}
		})
	}
}

// modelsOfFlags reads --consistency-models from Maelstrom flags, split as
// Maelstrom splits it (on " , ").
func modelsOfFlags(flags []string) []string {
	for i, f := range flags {
		if f == "--consistency-models" && i+1 < len(flags) {
			return strings.Split(flags[i+1], " , ")
		}
	}
	return nil
}

// cycleShapes renders our examples of a cycle type as "indices / step types".
func cycleShapes(r checker.Result, typ string) []string {
	anomalies, _ := r.Figures["anomalies"].(map[string]any)
	entry, _ := anomalies[typ].(map[string]any)
	examples, _ := entry["examples"].([]any)
	var out []string
	for _, ex := range examples {
		c := ex.(map[string]any)
		var idx, kinds []string
		for _, op := range c["cycle"].([]any) {
			idx = append(idx, fmt.Sprint(op.(map[string]any)["index"]))
		}
		for _, s := range c["steps"].([]any) {
			kinds = append(kinds, fmt.Sprint(s.(map[string]any)["type"]))
		}
		out = append(out, strings.Join(idx, " ")+" / "+strings.Join(kinds, " "))
	}
	return out
}

// expectedShapes renders the expect file's cycles the same way (ops there
// are their indices, types keywords).
func expectedShapes(cases any) []string {
	var out []string
	for _, c := range cases.([]any) {
		m := c.(map[string]any)
		var idx, kinds []string
		for _, i := range m["cycle"].([]any) {
			idx = append(idx, fmt.Sprint(i))
		}
		for _, s := range m["steps"].([]any) {
			kinds = append(kinds, strings.TrimPrefix(s.(map[string]any)["type"].(string), ":"))
		}
		out = append(out, strings.Join(idx, " ")+" / "+strings.Join(kinds, " "))
	}
	return out
}

// readEDNHistory reads an upstream history.edn with the workbench's EDN
// history reader, micro-ops as the txn workloads read them (f a string, a
// read [:r k] that Elle's parser writes as [r k nil]).
func readEDNHistory(path string) (history.History, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	h, err := history.ReadEDN(data, func(op history.Op) (any, error) {
		return workload.ReadMicroOps(op.Value, "r", "w", "append")
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return h, nil
}
