// Package broadcastbench sweeps maelstrom-broadcast's batching interval at
// challenge 3d/3e's parameters: one run with no flags (as Maelstrom runs
// it) and one per interval, optionally each again under partitions, and
// renders the sweep as a Markdown table (with the read latency the
// interval costs, since reads wait for the next batch) and a plot of
// msgs-per-op against stable latency.
package broadcastbench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gossip-glomers/internal/challenge"
	"gossip-glomers/internal/cli"
	"gossip-glomers/internal/plots"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/runner"
)

// DefaultSetting is the row of the run with no flags.
const DefaultSetting = "default"

// Config is one sweep.
type Config struct {
	Bin       string          // maelstrom-broadcast ("" builds ./maelstrom-broadcast)
	Intervals []time.Duration // passed to the binary as -interval
	TimeLimit int             // seconds per run
	Partition bool            // also run every setting with --nemesis partition
	Log       io.Writer       // progress
}

// Row is one setting of the sweep.
type Row struct {
	Label          string // the -interval value, or DefaultSetting for a run with no flags
	MsgsPerOp      float64
	Median, Max    float64          // stable latency quantiles 0.5 and 1, ms
	Read           report.Quantiles // ok read latency, ms
	Valid          bool
	PartitionValid *bool // nil when partitions were not run
	Err            error
}

// Run runs every setting, one after the other, in a temporary store.
func Run(ctx context.Context, cfg Config) ([]Row, error) {
	log := cfg.Log
	if log == nil {
		log = io.Discard
	}
	bin := cfg.Bin
	if bin == "" {
		var err error
		if bin, err = buildBroadcast(ctx, log); err != nil {
			return nil, err
		}
	}
	store, err := os.MkdirTemp("", "glomers-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(store)

	settings := []string{DefaultSetting}
	for _, iv := range cfg.Intervals {
		settings = append(settings, iv.String())
	}
	var rows []Row
	for _, s := range settings {
		row := Row{Label: s}
		fmt.Fprintf(log, "bench-broadcast: %s...\n", describe(s))
		res, err := runSetting(ctx, bin, store, s, cfg.TimeLimit, false)
		if err != nil {
			row.Err = err
		} else {
			if res.Net != nil {
				row.MsgsPerOp = res.Net.Servers.PerOp()
			}
			row.Median, row.Max, _ = cli.StableLatency(res)
			row.Read = res.LatencyByF["read"]
			row.Valid = res.Valid
		}
		if cfg.Partition {
			fmt.Fprintf(log, "bench-broadcast: %s with partitions...\n", describe(s))
			pres, err := runSetting(ctx, bin, store, s, cfg.TimeLimit, true)
			ok := err == nil && pres.Valid
			row.PartitionValid = &ok
		}
		fmt.Fprintf(log, "bench-broadcast: %s\n", row.Summary())
		rows = append(rows, row)
	}
	return rows, nil
}

// Summary is the row as one progress line.
func (r Row) Summary() string {
	if r.Err != nil {
		return fmt.Sprintf("%s: error: %v", r.Label, oneLine(r.Err.Error()))
	}
	s := fmt.Sprintf("%s: msgs-per-op %.2f, stable latency median %.0f ms, max %.0f ms, read latency median %.0f ms, max %.0f ms, valid %s",
		r.Label, r.MsgsPerOp, r.Median, r.Max, r.Read.Median, r.Read.Max, yesNo(r.Valid))
	if r.PartitionValid != nil {
		s += ", valid with partitions " + yesNo(*r.PartitionValid)
	}
	return s
}

func describe(setting string) string {
	if setting == DefaultSetting {
		return "no flags (as Maelstrom runs it)"
	}
	return "-interval " + setting
}

// Challenge3dArgs are challenge 3d/3e's official flags.
func Challenge3dArgs() []string {
	c, _ := challenge.Lookup("3d")
	return c.Args
}

// runSetting runs one setting at 3d/3e's parameters.
func runSetting(ctx context.Context, bin, store, setting string, timeLimit int, partition bool) (*report.Results, error) {
	args := []string{"--bin", bin, "-w", "broadcast"}
	args = append(args, Challenge3dArgs()...)
	args = append(args, "--time-limit", strconv.Itoa(timeLimit), "--store", store)
	if partition {
		args = append(args, "--nemesis", "partition")
	}
	if setting != DefaultSetting {
		args = append(args, "--", "-interval", setting)
	}
	cfg, err := cli.ParseTest(args)
	if err != nil {
		return nil, err
	}
	cfg.Log = io.Discard
	return runner.Run(ctx, cfg)
}

// buildBroadcast builds ./maelstrom-broadcast of this checkout.
func buildBroadcast(ctx context.Context, log io.Writer) (string, error) {
	root, err := cli.ModuleRoot()
	if err != nil {
		return "", fmt.Errorf("%v (or pass --bin)", err)
	}
	dir, err := os.MkdirTemp("", "glomers-bench-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "maelstrom-broadcast")
	fmt.Fprintln(log, "bench-broadcast: building maelstrom-broadcast...")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./maelstrom-broadcast")
	build.Dir = root
	var out bytes.Buffer
	build.Stdout, build.Stderr = &out, &out
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("building maelstrom-broadcast: %v\n%s", err, out.String())
	}
	return bin, nil
}

// Table renders the sweep as Markdown.
func Table(rows []Row) string {
	var b strings.Builder
	withPartition := false
	for _, r := range rows {
		withPartition = withPartition || r.PartitionValid != nil
	}
	b.WriteString("| interval | servers msgs-per-op | stable latency median (ms) | stable latency max (ms) | read latency median / max (ms) | valid |")
	if withPartition {
		b.WriteString(" valid with partitions |")
	}
	b.WriteString("\n|---|---:|---:|---:|---:|---|")
	if withPartition {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range rows {
		label := r.Label
		if label == DefaultSetting {
			label = "default (no flags)"
		}
		if r.Err != nil {
			fmt.Fprintf(&b, "| %s | - | - | - | - | error: %s |", label, oneLine(r.Err.Error()))
		} else {
			fmt.Fprintf(&b, "| %s | %.2f | %.0f | %.0f | %.0f / %.0f | %s |", label, r.MsgsPerOp, r.Median, r.Max,
				r.Read.Median, r.Read.Max, yesNo(r.Valid))
		}
		if withPartition {
			if r.PartitionValid == nil {
				b.WriteString(" - |")
			} else {
				fmt.Fprintf(&b, " %s |", yesNo(*r.PartitionValid))
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Plot draws the sweep (every interval that ran; the no-flags row is the
// table's reference, not a point of the curve) with plots.BroadcastSweep.
func Plot(rows []Row, path string) error {
	var pts []plots.SweepPoint
	for _, r := range rows {
		if r.Err == nil && r.Label != DefaultSetting {
			pts = append(pts, plots.SweepPoint{Label: r.Label, MsgsPerOp: r.MsgsPerOp, Median: r.Median, Max: r.Max})
		}
	}
	return plots.BroadcastSweep(pts, path)
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.ReplaceAll(s, "|", "/")
}

// JoinDurations writes intervals as the --intervals flag takes them.
func JoinDurations(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}
