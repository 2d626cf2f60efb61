package linkv

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
)

// conformanceDir holds Knossos's test histories in lin-kv's form, with the
// results its tests assert (see its README); it is not part of this
// repository.
const conformanceDir = "/work/shared/conformance/lin-kv"

// TestConformance: every upstream case gets Knossos's verdict, and the op
// it reports as :op (results 0 linearizable op, "linearizable/op-index").
func TestConformance(t *testing.T) {
	cases, _ := filepath.Glob(filepath.Join(conformanceDir, "*.edn"))
	if len(cases) == 0 {
		t.Skipf("conformance histories not found in %s", conformanceDir)
	}
	for _, path := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".edn"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			h, err := history.ReadEDN(data, New().ValueFromEDN)
			if err != nil {
				t.Fatal(err)
			}
			var want struct {
				Valid  any            `json:"valid"`
				Fields map[string]any `json:"fields"`
			}
			raw, err := os.ReadFile(strings.TrimSuffix(path, ".edn") + ".expect.json")
			if err == nil {
				err = json.Unmarshal(raw, &want)
			}
			if err != nil {
				t.Fatal(err)
			}
			res := Check(h, Options{})
			wantValid := map[any]checker.Validity{true: checker.Valid, false: checker.Invalid, "unknown": checker.Unknown}[want.Valid]
			if want.Valid != nil && res.Valid != wantValid {
				t.Fatalf("valid %v, want %v", res.Valid, want.Valid)
			}
			if index, ok := want.Fields["linearizable/op-index"].(float64); ok {
				op, _ := keyFigures(t, res, "0")["op"].(history.Op)
				if op.Index != int(index) {
					t.Errorf(":op is history index %d, want %v", op.Index, index)
				}
			}
		})
	}
}
