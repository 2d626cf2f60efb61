package analyze_test

import (
	"os"
	"path/filepath"
	"testing"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/registry"
)

// FuzzParse: no input makes reading a history crash or hang, whatever the
// workload converting its values: it is a history or an error. The seeds
// are the hand-made and malformed histories.
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*/*/*.edn")
	more, _ := filepath.Glob("testdata/malformed/*.*")
	for _, p := range append(paths, more...) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range registry.Names() {
			wl, _ := registry.Lookup(name)
			history.Parse(data, wl.ValueFromEDN)
		}
	})
}
