package elle

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gossip-glomers/internal/checker"
)

// listAppendConformanceDir holds upstream list-append histories with the
// results Elle's tests assert; it is not part of this repository.
const listAppendConformanceDir = "/work/shared/conformance/txn-list-append"

// Every upstream list-append case gives Elle's verdict, anomaly types and
// ruled-out models, and each pinned anomaly case field by field: the ops
// involved, the elements, and for cycles every step's explanation.
func TestListAppendConformance(t *testing.T) {
	cases, _ := filepath.Glob(filepath.Join(listAppendConformanceDir, "*.edn"))
	if len(cases) == 0 {
		t.Skipf("conformance histories not found in %s", listAppendConformanceDir)
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
			r := CheckListAppend(h, Options{ConsistencyModels: modelsOfFlags(want.Flags)})

			if want.Valid != nil {
				wantValid := map[any]checker.Validity{true: checker.Valid, false: checker.Invalid, "unknown": checker.Unknown}[want.Valid]
				if r.Valid != wantValid {
					t.Errorf("valid %v, want %v (anomalies %v, figures %v)", r.Valid, want.Valid, r.Anomalies, r.Figures)
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
			for field, value := range want.Fields {
				switch field {
				case "valid?": // compared above
				case "anomaly-types":
					if names := keywords(value); !slices.Equal(r.Anomalies, names) {
						t.Errorf("anomaly types %v, want exactly %v", r.Anomalies, names)
					}
				case "not":
					if got, _ := r.Figures["not"].([]string); !slices.Equal(got, keywords(value)) {
						t.Errorf("not %v, want %v", r.Figures["not"], keywords(value))
					}
				case "anomalies":
					for typ, cases := range value.(map[string]any) {
						compareCases(t, r, strings.TrimPrefix(typ, ":"), cases)
					}
				default: // a function-level test pins one anomaly type's cases
					compareCases(t, r, field, value)
				}
			}
		})
	}
}

// keywords reads a list of EDN keywords (":x") as names.
func keywords(v any) []string {
	var out []string
	for _, k := range v.([]any) {
		out = append(out, strings.TrimPrefix(k.(string), ":"))
	}
	return out
}

// compareCases checks our examples of typ against the expected cases: the
// same number, and every field the expectation gives equal to ours.
func compareCases(t *testing.T, r checker.Result, typ string, want any) {
	t.Helper()
	anomalies, _ := r.Figures["anomalies"].(map[string]any)
	entry, ok := anomalies[typ].(map[string]any)
	if !ok {
		t.Errorf("no %s reported (anomalies %v)", typ, r.Anomalies)
		return
	}
	got := comparable(entry["examples"]).([]any)
	wantCases, isList := want.([]any)
	if !isList { // empty-transaction-graph: true
		wantCases = []any{want}
	}
	if len(got) != len(wantCases) {
		t.Errorf("%s: %d cases %v, want %d %v", typ, len(got), got, len(wantCases), wantCases)
		return
	}
	for i := range got {
		if err := subset(fromEDN(wantCases[i]), got[i]); err != nil {
			t.Errorf("%s case %d: %v\n got  %v\n want %v", typ, i, err, got[i], wantCases[i])
		}
	}
}

// comparable renders our figures as the expect files write results: plain
// JSON values, with every op replaced by its index.
func comparable(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		panic(err)
	}
	return opsToIndices(out)
}

func opsToIndices(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if _, isOp := x["process"]; isOp && x["index"] != nil && x["type"] != nil {
			return x["index"]
		}
		for k, e := range x {
			x[k] = opsToIndices(e)
		}
	case []any:
		for i, e := range x {
			x[i] = opsToIndices(e)
		}
	}
	return v
}

// fromEDN turns the expect files' keywords (":x") into their names, as the
// EDN reader reads keys.
func fromEDN(v any) any {
	switch x := v.(type) {
	case string:
		return strings.TrimPrefix(x, ":")
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[strings.TrimPrefix(k, ":")] = fromEDN(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fromEDN(e)
		}
		return out
	}
	return v
}

// subset reports where got lacks or differs from something want has: maps
// need want's keys, lists the same elements, anything else equality.
func subset(want, got any) error {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%v is not a map", got)
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return fmt.Errorf("no %q", k)
			}
			if err := subset(wv, gv); err != nil {
				return fmt.Errorf("%s: %v", k, err)
			}
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("%v, want %v", got, want)
		}
		for i := range w {
			if err := subset(w[i], g[i]); err != nil {
				return fmt.Errorf("[%d]: %v", i, err)
			}
		}
		return nil
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Errorf("%v, want %v", got, want)
	}
	return nil
}
