package runner

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/workload"
)

// A run's folder, store/<workload>/<timestamp>/, holds the workbench's
// files (results.json, history.jsonl, messages.jsonl, node-logs/) and
// Maelstrom's (results.edn, history.edn, history.txt), so that tools made
// for either read it.

// NewRunDir makes store/<workload>/<timestamp>/ under root ("" is
// "store"), Jepsen's layout.
func NewRunDir(root, workloadName string) (string, error) {
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

// writeHistory writes history.jsonl.
func writeHistory(path string, h history.History) error {
	return writeFile(path, func(w io.Writer) error { return history.WriteJSONL(w, h) })
}

// writeMaelstromHistories writes history.edn and history.txt as
// jepsen.store/write-history! does, values in wl's EDN form.
func writeMaelstromHistories(dir string, wl *workload.Workload, h history.History) error {
	if err := writeFile(filepath.Join(dir, "history.edn"), func(w io.Writer) error {
		return history.WriteEDN(w, h, wl.ValueToEDN)
	}); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "history.txt"), func(w io.Writer) error {
		return history.WriteText(w, h, wl.ValueToEDN)
	})
}

// writeMaelstromFiles writes what Maelstrom writes for a run that reached
// its verdict: results.edn, history.edn and history.txt.
func writeMaelstromFiles(dir string, wl *workload.Workload, h history.History, res *report.Results) error {
	if err := writeResultsEDN(dir, wl, res); err != nil {
		return err
	}
	return writeMaelstromHistories(dir, wl, h)
}

func writeResultsEDN(dir string, wl *workload.Workload, res *report.Results) error {
	return writeFile(filepath.Join(dir, "results.edn"), func(w io.Writer) error {
		return report.WriteEDN(w, res, wl.ValueToEDN)
	})
}

// writeResults writes results.json and points store/latest and
// store/<workload>/latest at the run.
func writeResults(root, dir string, res *report.Results) error {
	if err := writeResultsJSON(dir, res); err != nil {
		return err
	}
	return UpdateLatest(root, dir)
}

func writeResultsJSON(dir string, res *report.Results) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "results.json"), append(b, '\n'), 0o644)
}

// WriteAnalysis writes what glomers analyze makes of a history into dir:
// results.json and results.edn, and, when h is not nil (a folder of its
// own for a bare history file), the history in all three forms.
func WriteAnalysis(dir string, wl *workload.Workload, h history.History, res *report.Results) error {
	if err := writeResultsJSON(dir, res); err != nil {
		return err
	}
	if err := writeResultsEDN(dir, wl, res); err != nil {
		return err
	}
	if h == nil {
		return nil
	}
	if err := writeHistory(filepath.Join(dir, "history.jsonl"), h); err != nil {
		return err
	}
	return writeMaelstromHistories(dir, wl, h)
}

// latestSeq numbers the temporary links UpdateLatest makes.
var latestSeq atomic.Int64

// UpdateLatest points store/latest and store/<workload>/latest at dir, a
// run folder under root ("" is "store").
func UpdateLatest(root, dir string) error {
	if root == "" {
		root = "store"
	}
	relink := func(link, target string) error {
		rel, err := filepath.Rel(filepath.Dir(link), target)
		if err != nil {
			return err
		}
		// A temporary name of this run's own, so that runs finishing at
		// once (glomers challenges --parallel) never take each other's.
		tmp := fmt.Sprintf("%s.%d.%d.tmp", link, os.Getpid(), latestSeq.Add(1))
		if err := os.Symlink(rel, tmp); err != nil {
			return err
		}
		if err := os.Rename(tmp, link); err != nil {
			os.Remove(tmp)
			return err
		}
		return nil
	}
	if err := relink(filepath.Join(root, "latest"), dir); err != nil {
		return err
	}
	return relink(filepath.Join(filepath.Dir(dir), "latest"), dir)
}

// writeFile writes a file through a buffer with write, reporting the first
// error of either.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := write(w); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
