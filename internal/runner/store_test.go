package runner

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestUpdateLatestConcurrently: runs that finish at once (glomers
// challenges --parallel) each move store/latest without failing, and it
// ends pointing at one of them.
func TestUpdateLatestConcurrently(t *testing.T) {
	root := t.TempDir()
	var dirs []string
	for i := range 8 {
		dir := filepath.Join(root, "echo", "run"+string(rune('a'+i)))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(dirs)*20)
	for _, dir := range dirs {
		wg.Add(1)
		go func(dir string) {
			defer wg.Done()
			for range 20 {
				if err := UpdateLatest(root, dir); err != nil {
					errs <- err
				}
			}
		}(dir)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	target, err := filepath.EvalSymlinks(filepath.Join(root, "latest"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, dir := range dirs {
		if d, _ := filepath.EvalSymlinks(dir); d == target {
			found = true
		}
	}
	if !found {
		t.Fatalf("store/latest points at %s, not at a run", target)
	}
	leftovers, _ := filepath.Glob(filepath.Join(root, "*.tmp"))
	if len(leftovers) > 0 {
		t.Fatalf("temporary links left: %v", leftovers)
	}
}
