package runner

import (
	"os"
	"path/filepath"
	"testing"
)

// checkerFiles stands for a checker's Top value that carries files.
type checkerFiles map[string][]byte

func (f checkerFiles) RunFiles() map[string][]byte { return f }

func TestWriteRunFiles(t *testing.T) {
	dir := t.TempDir()
	extra := map[string]any{
		"visualisations":    checkerFiles{"independent/0/linear.html": []byte("<html>0</html>")},
		"final_read_misses": []string{"not a file"},
	}
	if err := writeRunFiles(dir, extra); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "independent", "0", "linear.html"))
	if err != nil || string(got) != "<html>0</html>" {
		t.Fatalf("read %q, %v", got, err)
	}

	for _, bad := range []string{"../outside.html", "/abs.html", ""} {
		if err := writeRunFiles(dir, map[string]any{"x": checkerFiles{bad: nil}}); err == nil {
			t.Errorf("a checker file named %q was written", bad)
		}
	}
}
