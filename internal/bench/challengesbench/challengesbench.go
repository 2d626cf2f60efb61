// Package challengesbench runs the whole challenges table one challenge
// after another and concurrently, several times each, and compares them:
// the wall time of each mode, and per challenge whether every verdict and
// every target agree and how far the headline figures (operations,
// latencies, msgs-per-op) spread across runs and modes.
package challengesbench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gossip-glomers/internal/bench/netbench"
	"gossip-glomers/internal/challenge"
	"gossip-glomers/internal/cli"
)

// Config is one benchmark invocation.
type Config struct {
	Runs     int // of each mode
	Parallel int // the concurrent mode's --parallel
	Only     []string
	BinDir   string // built node binaries ("": build them once)
	Store    string // the runs' store ("": a temporary folder, removed)
	Log      io.Writer
}

// Table is one run of the whole table.
type Table struct {
	Parallel int
	Index    int // 1, 2, ... within its mode
	Rows     []cli.Row
	Elapsed  time.Duration
	Load     string // 1-minute load average when it started
}

// Run builds the binaries once, then runs the table Runs times in each mode,
// alternating the modes so that both meet the same machine.
func Run(ctx context.Context, cfg Config) ([]Table, error) {
	log := cfg.Log
	if log == nil {
		log = io.Discard
	}
	tmp, err := os.MkdirTemp("", "glomers-bench-challenges-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if cfg.BinDir == "" {
		cfg.BinDir = filepath.Join(tmp, "bin")
		if err := cli.BuildBinaries(ctx, cfg.BinDir, cfg.Only, log); err != nil {
			return nil, err
		}
	}
	if cfg.Store == "" {
		cfg.Store = filepath.Join(tmp, "store")
	}
	var out []Table
	for i := range max(cfg.Runs, 1) {
		modes := []int{1, cfg.Parallel}
		if i%2 == 1 {
			modes = []int{cfg.Parallel, 1}
		}
		for _, parallel := range modes {
			store := filepath.Join(cfg.Store, fmt.Sprintf("parallel-%d-run-%d", parallel, i+1))
			if err := os.MkdirAll(store, 0o755); err != nil {
				return out, err
			}
			runLog, err := os.Create(filepath.Join(store, "challenges.log"))
			if err != nil {
				return out, err
			}
			t := Table{Parallel: parallel, Index: i + 1, Load: loadAverage()}
			fmt.Fprintf(log, "run %d, --parallel %d (load %s)...", i+1, parallel, t.Load)
			t.Rows, t.Elapsed, err = cli.RunTable(ctx, cli.TableOptions{
				BinDir: cfg.BinDir, Only: cfg.Only, Store: store, Parallel: parallel,
			}, runLog)
			runLog.Close()
			if err != nil {
				return out, err
			}
			fmt.Fprintf(log, " %s\n", t.Elapsed.Round(100*time.Millisecond))
			out = append(out, t)
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
		}
	}
	return out, nil
}

// loadAverage is netbench's, with "?" where there is none.
func loadAverage() string {
	if l := netbench.LoadAverage(); l != "" {
		return l
	}
	return "?"
}

// Render is the comparison in Markdown: the wall times, then one line per
// challenge and mode.
func Render(tables []Table) string {
	var b strings.Builder
	b.WriteString("| mode | runs | wall time per run | 1-minute load at each start |\n|---|---:|---|---|\n")
	for _, parallel := range modes(tables) {
		ts := of(tables, parallel)
		var walls, loads []string
		for _, t := range ts {
			walls = append(walls, t.Elapsed.Round(time.Second).String())
			loads = append(loads, t.Load)
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s |\n", modeName(parallel), len(ts), strings.Join(walls, ", "), strings.Join(loads, ", "))
	}
	b.WriteString("\nPer challenge, over every run of the mode: the verdicts and targets met (one entry per distinct outcome, " +
		"with its count), and each figure's range (min–max).\n\n")
	b.WriteString("| challenge | mode | valid | targets met | ops | servers msgs/op | latency median ms | latency p99 ms | latency max ms | stable latency median / max ms |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
	for _, c := range challenge.All {
		for _, parallel := range modes(tables) {
			var rows []cli.Row
			for _, t := range of(tables, parallel) {
				for _, r := range t.Rows {
					if r.Challenge.ID == c.ID {
						rows = append(rows, r)
					}
				}
			}
			if len(rows) == 0 {
				continue
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", c.ID, modeName(parallel), strings.Join(cells(c, rows), " | "))
		}
	}
	return b.String()
}

func cells(c challenge.Challenge, rows []cli.Row) []string {
	valid, met := counter{}, counter{}
	var ops, perOp, med, p99, mx, sMed, sMax []float64
	for _, r := range rows {
		switch {
		case r.Status != "":
			valid.add(r.Status)
			continue
		case r.Err != nil:
			valid.add("aborted")
			continue
		case r.Results == nil:
			valid.add("no results")
			continue
		}
		res := r.Results
		valid.add(map[bool]string{true: "yes", false: "NO"}[res.Valid])
		if c.Targets.Any() {
			ok, _ := cli.TargetsMet(c, res)
			met.add(map[bool]string{true: "yes", false: "NO"}[ok])
		}
		ops = append(ops, float64(res.Ops.Invoke))
		if res.Net != nil {
			perOp = append(perOp, res.Net.Servers.PerOp())
		}
		med, p99, mx = append(med, res.LatencyMS.Median), append(p99, res.LatencyMS.P99), append(mx, res.LatencyMS.Max)
		if m, x, ok := cli.StableLatency(res); ok {
			sMed, sMax = append(sMed, m), append(sMax, x)
		}
	}
	stable := ""
	if len(sMed) > 0 {
		stable = span(sMed, "%.0f") + " / " + span(sMax, "%.0f")
	}
	return []string{valid.String(), met.String(), span(ops, "%.0f"), span(perOp, "%.2f"),
		span(med, "%.1f"), span(p99, "%.1f"), span(mx, "%.1f"), stable}
}

// counter counts distinct outcomes in first-seen order.
type counter struct {
	keys []string
	n    map[string]int
}

func (c *counter) add(k string) {
	if c.n == nil {
		c.n = map[string]int{}
	}
	if c.n[k] == 0 {
		c.keys = append(c.keys, k)
	}
	c.n[k]++
}

func (c counter) String() string {
	var parts []string
	for _, k := range c.keys {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, c.n[k]))
	}
	return strings.Join(parts, ", ")
}

// span is "v" for equal values, else "min–max".
func span(vs []float64, format string) string {
	if len(vs) == 0 {
		return ""
	}
	lo, hi := slices.Min(vs), slices.Max(vs)
	if fmt.Sprintf(format, lo) == fmt.Sprintf(format, hi) {
		return fmt.Sprintf(format, lo)
	}
	return fmt.Sprintf(format+"–"+format, lo, hi)
}

func modes(tables []Table) []int {
	var ms []int
	for _, t := range tables {
		if !slices.Contains(ms, t.Parallel) {
			ms = append(ms, t.Parallel)
		}
	}
	slices.Sort(ms)
	return ms
}

func of(tables []Table, parallel int) []Table {
	var out []Table
	for _, t := range tables {
		if t.Parallel == parallel {
			out = append(out, t)
		}
	}
	return out
}

func modeName(parallel int) string {
	if parallel == 1 {
		return "one by one (--parallel 1)"
	}
	return fmt.Sprintf("concurrent (--parallel %d)", parallel)
}
