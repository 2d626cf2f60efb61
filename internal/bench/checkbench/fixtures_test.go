package checkbench

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the checkers' fixtures from the current implementation")

// fixtureCases are checkers whose implementation was made faster: their
// results on these simulated histories were recorded with the earlier
// implementation (testdata/*.json, written with -update before the change)
// and must not change.
var fixtureCases = []struct {
	spec string
	ops  int
}{
	{"kafka", 20_000},
	{"kafka-lossy", 10_000},
	{"unique-ids", 20_000},
	{"unique-ids-duplicates", 20_000},
	// set-full's histories grow with the square of their length, and the
	// implementation these were recorded with took seconds at 3000 ops.
	{"broadcast (set-full)", 3000},
	{"g-set (set-full)", 3000},
	{"broadcast-lossy (set-full)", 3000},
}

func fixturePath(spec string, ops int) string {
	name := strings.NewReplacer(" ", "-", "(", "", ")", "").Replace(spec)
	return filepath.Join("testdata", name+"-"+itoa(ops)+".json")
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestCheckersMatchFixtures: the same results as before the optimisation,
// to the byte (figures, anomalies, examples and their order).
func TestCheckersMatchFixtures(t *testing.T) {
	for _, tc := range fixtureCases {
		t.Run(tc.spec, func(t *testing.T) {
			spec, ok := SpecNamed(tc.spec)
			if !ok {
				t.Fatalf("no spec %q", tc.spec)
			}
			h, err := Simulate(spec, tc.ops, 1)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Check(spec, h)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			path := fixturePath(tc.spec, tc.ops)
			if *update {
				if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
				t.Errorf("result differs from %s:\n%s", path, firstDifference(got, want))
			}
		})
	}
}

// firstDifference shows where two texts part.
func firstDifference(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(i-200, 0)
	return "got:  ..." + string(got[from:min(i+200, len(got))]) + "\nwant: ..." + string(want[from:min(i+200, len(want))])
}
