// Package analyze finds what glomers analyze checks again: a run folder
// (the workbench's, with results.json, history.jsonl and messages.jsonl, or
// Maelstrom's, with history.edn) or a history file (history.jsonl, or
// Jepsen's EDN history), and reads its history and message journal. The
// checking itself is the runner's (runner.Reanalyse), so a history gets the
// same verdict here as in the run that made it.
package analyze

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/network"
	"gossip-glomers/internal/registry"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/workload"
)

// The files of a run folder that analyze reads.
const (
	ResultsFile = "results.json"
	JSONLFile   = "history.jsonl"
	EDNFile     = "history.edn"
	JournalFile = "messages.jsonl"
)

// Source is what one PATH gives glomers analyze.
type Source struct {
	// Dir is the run folder PATH names ("" when PATH is a history file).
	Dir string
	// HistoryPath is the history read: a folder's history.jsonl, else its
	// history.edn, or PATH itself.
	HistoryPath string
	// Record is the folder's results.json, when it has one: the workload
	// and the parameters the run was made with.
	Record *report.Results
	// Workload is the workload the folder records: its results.json's, or
	// the name of the folder it sits in (Jepsen's store/<test>/<time>/,
	// where Maelstrom names the test after the workload) when that is one
	// of Maelstrom's workloads. Empty for a history file.
	Workload string
	// JournalPath is the folder's messages.jsonl, when it has one.
	JournalPath string
}

// UsageError is a PATH analyze cannot work with; glomers exits 254 on it.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error { return &UsageError{fmt.Sprintf(format, args...)} }

// Open looks at path: a run folder or a history file.
func Open(path string) (*Source, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, usagef("%v", err)
	}
	if !info.IsDir() {
		return &Source{HistoryPath: path}, nil
	}
	src := &Source{Dir: path}
	has := func(name string) bool {
		_, err := os.Stat(filepath.Join(path, name))
		return err == nil
	}
	switch {
	case has(JSONLFile):
		src.HistoryPath = filepath.Join(path, JSONLFile)
	case has(EDNFile):
		src.HistoryPath = filepath.Join(path, EDNFile)
	default:
		return nil, usagef("%s holds no history (%s or %s): is it a run folder?", path, JSONLFile, EDNFile)
	}
	if has(JournalFile) {
		src.JournalPath = filepath.Join(path, JournalFile)
	}
	if has(ResultsFile) {
		if src.Record, err = report.Load(filepath.Join(path, ResultsFile)); err != nil {
			return nil, usagef("%s: %v", filepath.Join(path, ResultsFile), err)
		}
		src.Workload = src.Record.Workload
	} else if abs, err := filepath.Abs(path); err == nil && registry.Known(filepath.Base(filepath.Dir(abs))) {
		src.Workload = filepath.Base(filepath.Dir(abs))
	}
	return src, nil
}

// History reads the source's history, either form; values read from EDN
// are converted to wl's. A history that cannot be read is a
// *history.ParseError naming the file and line.
func (s *Source) History(wl *workload.Workload) (history.History, error) {
	data, err := os.ReadFile(s.HistoryPath)
	if err != nil {
		return nil, usagef("%v", err)
	}
	h, _, err := history.Parse(data, wl.ValueFromEDN)
	var pe *history.ParseError
	if errors.As(err, &pe) {
		return nil, usagef("%s line %d: %s", s.HistoryPath, pe.Line, pe.Reason)
	}
	return h, err
}

// NetStats counts the folder's message journal as Maelstrom's net checker
// counts its own (see network.ReadStats). It is nil when there is no
// journal: the statistics are then absent, not zero.
func (s *Source) NetStats() (*network.Stats, error) {
	if s.JournalPath == "" {
		return nil, nil
	}
	f, err := os.Open(s.JournalPath)
	if err != nil {
		return nil, usagef("%v", err)
	}
	defer f.Close()
	stats, err := network.ReadStats(f)
	if err != nil {
		return nil, usagef("%s %v", s.JournalPath, err)
	}
	return &stats, nil
}

// NodeCount is how many nodes the history's clients talked to: Maelstrom's
// histories do not say, and give 0.
func NodeCount(h history.History) int {
	nodes := map[string]bool{}
	for _, op := range h {
		if op.Node != "" {
			nodes[op.Node] = true
		}
	}
	return len(nodes)
}
