package runner

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/report"
)

// newRunDir makes store/<workload>/<timestamp>/, Jepsen's layout.
func newRunDir(root, workloadName string) (string, error) {
	if root == "" {
		root = "store"
	}
	base := filepath.Join(root, workloadName, time.Now().UTC().Format("20060102T150405.000Z"))
	dir := base
	for i := 1; ; i++ {
		err := os.MkdirAll(filepath.Dir(dir), 0o755)
		if err == nil {
			err = os.Mkdir(dir, 0o755)
		}
		if err == nil {
			return dir, nil
		}
		if !os.IsExist(err) {
			return "", fmt.Errorf("creating the run folder: %w", err)
		}
		dir = fmt.Sprintf("%s-%d", base, i) // two runs in the same millisecond
	}
}

// writeHistory writes one JSON object per history entry.
func writeHistory(path string, h history.History) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, op := range h {
		if err := enc.Encode(op); err != nil {
			f.Close()
			return fmt.Errorf("writing history: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeResults writes results.json and points store/latest and
// store/<workload>/latest at the run.
func writeResults(root, dir string, res *report.Results) error {
	if root == "" {
		root = "store"
	}
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	relink := func(link, target string) error {
		rel, err := filepath.Rel(filepath.Dir(link), target)
		if err != nil {
			return err
		}
		tmp := link + ".tmp"
		os.Remove(tmp)
		if err := os.Symlink(rel, tmp); err != nil {
			return err
		}
		return os.Rename(tmp, link)
	}
	if err := relink(filepath.Join(root, "latest"), dir); err != nil {
		return err
	}
	return relink(filepath.Join(filepath.Dir(dir), "latest"), dir)
}
