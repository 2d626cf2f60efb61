// Package view draws a finished run for people, from the files in its
// folder alone: the Lamport diagram messages.svg (Maelstrom's
// src/maelstrom/net/viz.clj), the timeline timeline.html (Jepsen's
// jepsen/checker/timeline.clj), the perf plots latency-raw.png,
// latency-quantiles.png and rate.png (jepsen/checker/perf.clj, drawn by
// internal/plots), and index.html, the run at a glance with links to
// everything. Render is a pure function of the folder's results.json,
// history.jsonl and messages.jsonl: it never changes them, so no verdict
// depends on it, and it can be run again later (glomers view, glomers
// serve) with a time window.
package view

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// The files of a run folder: what the runner writes, then what Render adds.
const (
	ResultsFile  = "results.json"
	HistoryFile  = "history.jsonl"
	JournalFile  = "messages.jsonl"
	NodeLogsDir  = "node-logs"
	LamportFile  = "messages.svg"
	TimelineFile = "timeline.html"
	IndexFile    = "index.html"

	LatencyRawFile       = "latency-raw.png"
	LatencyQuantilesFile = "latency-quantiles.png"
	RateFile             = "rate.png"
)

// Op is one history entry as the views read it from history.jsonl. Only
// what they show is decoded; unknown fields are ignored and missing ones
// stay zero, so the views keep working while the history gains fields.
type Op struct {
	Index   int
	Time    time.Duration // since the start of the run
	Type    string        // invoke, ok, fail, info
	Process string        // "0", "1", ... or "nemesis"
	F       string
	Value   json.RawMessage // nil when absent
	Error   json.RawMessage
	Final   bool
	Node    string
	Client  string
	MsgID   int64
}

// Nemesis reports whether the entry is the nemesis's.
func (o Op) Nemesis() bool { return o.Process == "nemesis" }

// historyLine is the JSON shape of one history.jsonl line.
type historyLine struct {
	Index   *int            `json:"index"`
	Time    int64           `json:"time"`
	Type    string          `json:"type"`
	Process json.RawMessage `json:"process"`
	F       string          `json:"f"`
	Value   json.RawMessage `json:"value"`
	Error   json.RawMessage `json:"error"`
	Final   bool            `json:"final"`
	Node    string          `json:"node"`
	Client  string          `json:"client"`
	MsgID   int64           `json:"msg_id"`
}

// ReadHistory reads a history.jsonl. A line that is not a history entry is
// an error naming the file and line.
func ReadHistory(path string) ([]Op, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ops []Op
	err = eachLine(f, func(n int, line []byte) error {
		var l historyLine
		if err := json.Unmarshal(line, &l); err != nil {
			return fmt.Errorf("%s line %d: %v", path, n, err)
		}
		op := Op{Index: len(ops), Time: time.Duration(l.Time), Type: l.Type, F: l.F, Final: l.Final,
			Node: l.Node, Client: l.Client, MsgID: l.MsgID, Value: nullToNil(l.Value), Error: nullToNil(l.Error)}
		if l.Index != nil {
			op.Index = *l.Index
		}
		op.Process, err = processName(l.Process)
		if err != nil {
			return fmt.Errorf("%s line %d: %v", path, n, err)
		}
		ops = append(ops, op)
		return nil
	})
	return ops, err
}

// processName reads a process: a number, or a name such as "nemesis".
func processName(raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "", errors.New("no process")
	}
	if _, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return string(raw), nil
	}
	var name string
	if err := json.Unmarshal(raw, &name); err != nil || name == "" {
		return "", fmt.Errorf("process %s is neither a number nor a name", raw)
	}
	return name, nil
}

func nullToNil(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return raw
}

// eachLine calls fn with every non-blank line of r (numbered from 1),
// however long the line.
func eachLine(r io.Reader, fn func(n int, line []byte) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			if ferr := fn(n, line); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// processLess orders processes as Jepsen's util/polysort does for the
// timeline's columns: the nemesis (a keyword) before the numbered client
// processes, which go in numeric order.
func processLess(a, b string) bool {
	na, errA := strconv.Atoi(a)
	nb, errB := strconv.Atoi(b)
	switch {
	case errA == nil && errB == nil:
		return na < nb
	case errA != nil && errB != nil:
		return a < b
	default:
		return errA != nil // names first
	}
}
