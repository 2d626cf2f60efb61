package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"gossip-glomers/internal/challenge"
	"gossip-glomers/internal/cli"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/runner"
)

// benchRow is one setting of the broadcast sweep.
type benchRow struct {
	Label          string // the -interval value, or "default" for a run with no flags
	MsgsPerOp      float64
	Median, Max    float64 // stable latency quantiles 0.5 and 1, ms
	Valid          bool
	PartitionValid *bool // nil when partitions were not run
	Err            error
}

// newBenchBroadcastCmd is `glomers bench-broadcast`: it sweeps
// maelstrom-broadcast's batching interval at challenge 3d/3e's parameters
// and writes a Markdown table and a plot of msgs-per-op against stable
// latency.
func newBenchBroadcastCmd() *cobra.Command {
	var (
		bin       string
		outDir    string
		intervals []time.Duration
		timeLimit int
		partition bool
	)
	cmd := &cobra.Command{
		Use:   "bench-broadcast",
		Short: "Sweep maelstrom-broadcast's batching interval at 3d/3e's parameters: table and plot",
		Long: `Runs maelstrom-broadcast at challenge 3d/3e's parameters (25 nodes, --latency 100,
--rate 100) once with no flags (as Maelstrom runs it) and once per -interval value, then writes
OUT-DIR/broadcast.md (interval, servers msgs-per-op, median and max stable latency, validity)
and OUT-DIR/broadcast.svg (msgs-per-op against median/max stable latency). With --partition
every setting is also run with --nemesis partition and must stay valid.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			log := cmd.ErrOrStderr()
			if bin == "" {
				var err error
				if bin, err = buildBroadcast(ctx, log); err != nil {
					return err
				}
			}
			store, err := os.MkdirTemp("", "glomers-bench-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(store)

			settings := []string{"default"}
			for _, iv := range intervals {
				settings = append(settings, iv.String())
			}
			var rows []benchRow
			for _, s := range settings {
				row := benchRow{Label: s}
				fmt.Fprintf(log, "bench-broadcast: %s...\n", describe(s))
				res, err := benchRun(ctx, bin, store, s, timeLimit, false)
				if err != nil {
					row.Err = err
				} else {
					row.MsgsPerOp = res.Net.Servers.PerOp()
					row.Median, row.Max, _ = cli.StableLatency(res)
					row.Valid = res.Valid
				}
				if partition {
					fmt.Fprintf(log, "bench-broadcast: %s with partitions...\n", describe(s))
					pres, err := benchRun(ctx, bin, store, s, timeLimit, true)
					ok := err == nil && pres.Valid
					row.PartitionValid = &ok
				}
				fmt.Fprintf(log, "bench-broadcast: %s\n", row.summary())
				rows = append(rows, row)
			}

			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return err
			}
			table := benchTable(rows)
			cmdline := fmt.Sprintf("glomers bench-broadcast --time-limit %d --intervals %s", timeLimit, joinDurations(intervals))
			if partition {
				cmdline += " --partition"
			}
			md := fmt.Sprintf("Broadcast batching sweep at challenge 3d/3e parameters (%s), produced by `%s`.\n\n%s",
				strings.Join(challenge3d().Args, " "), cmdline, table)
			mdPath := filepath.Join(outDir, "broadcast.md")
			if err := os.WriteFile(mdPath, []byte(md), 0o644); err != nil {
				return err
			}
			plotPath := filepath.Join(outDir, "broadcast.svg")
			if err := benchPlot(rows, plotPath); err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), table)
			fmt.Fprintf(log, "wrote %s and %s\n", mdPath, plotPath)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&bin, "bin", "", "maelstrom-broadcast binary (default: build ./maelstrom-broadcast)")
	f.StringVar(&outDir, "out-dir", "bench", "where to write broadcast.md and broadcast.svg")
	f.DurationSliceVar(&intervals, "intervals",
		[]time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 150 * time.Millisecond, 200 * time.Millisecond,
			250 * time.Millisecond, 300 * time.Millisecond, 400 * time.Millisecond, 500 * time.Millisecond},
		"batching intervals to try (passed to the binary as -interval)")
	f.IntVar(&timeLimit, "time-limit", 20, "seconds per run (the challenge's is 20)")
	f.BoolVar(&partition, "partition", false, "also run every setting with --nemesis partition")
	return cmd
}

func (r benchRow) summary() string {
	if r.Err != nil {
		return fmt.Sprintf("%s: error: %v", r.Label, oneLine(r.Err.Error()))
	}
	s := fmt.Sprintf("%s: msgs-per-op %.2f, stable latency median %.0f ms, max %.0f ms, valid %s",
		r.Label, r.MsgsPerOp, r.Median, r.Max, yesNo(r.Valid))
	if r.PartitionValid != nil {
		s += ", valid with partitions " + yesNo(*r.PartitionValid)
	}
	return s
}

func describe(setting string) string {
	if setting == "default" {
		return "no flags (as Maelstrom runs it)"
	}
	return "-interval " + setting
}

func challenge3d() challenge.Challenge {
	c, _ := challenge.Lookup("3d")
	return c
}

// benchRun runs one setting at 3d/3e's parameters.
func benchRun(ctx context.Context, bin, store, setting string, timeLimit int, partition bool) (*report.Results, error) {
	args := []string{"--bin", bin, "-w", "broadcast"}
	args = append(args, challenge3d().Args...)
	args = append(args, "--time-limit", strconv.Itoa(timeLimit), "--store", store)
	if partition {
		args = append(args, "--nemesis", "partition")
	}
	if setting != "default" {
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

// benchTable renders the sweep as Markdown.
func benchTable(rows []benchRow) string {
	var b strings.Builder
	withPartition := false
	for _, r := range rows {
		withPartition = withPartition || r.PartitionValid != nil
	}
	b.WriteString("| interval | servers msgs-per-op | stable latency median (ms) | stable latency max (ms) | valid |")
	if withPartition {
		b.WriteString(" valid with partitions |")
	}
	b.WriteString("\n|---|---:|---:|---:|---|")
	if withPartition {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range rows {
		label := r.Label
		if label == "default" {
			label = "default (no flags)"
		}
		if r.Err != nil {
			fmt.Fprintf(&b, "| %s | - | - | - | error: %s |", label, oneLine(r.Err.Error()))
		} else {
			fmt.Fprintf(&b, "| %s | %.2f | %.0f | %.0f | %s |", label, r.MsgsPerOp, r.Median, r.Max, yesNo(r.Valid))
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

func joinDurations(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}

// benchPlot draws msgs-per-op (x) against median and max stable latency (y),
// one point per interval, with 3d's latency targets and the 3-msgs-per-op
// goal as reference lines. The format follows the file's extension.
func benchPlot(rows []benchRow, path string) error {
	var pts []benchRow
	for _, r := range rows {
		if r.Err == nil && r.Label != "default" {
			pts = append(pts, r)
		}
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].MsgsPerOp < pts[j].MsgsPerOp })

	p := plot.New()
	p.Title.Text = "maelstrom-broadcast at 3d/3e parameters: batching interval sweep"
	p.X.Label.Text = "servers msgs-per-op"
	p.Y.Label.Text = "stable latency (ms)"
	p.Add(plotter.NewGrid())

	median := make(plotter.XYs, len(pts))
	maxes := make(plotter.XYs, len(pts))
	labels := make([]string, len(pts))
	top, right := 650.0, 3.5
	for i, r := range pts {
		median[i] = plotter.XY{X: r.MsgsPerOp, Y: r.Median}
		maxes[i] = plotter.XY{X: r.MsgsPerOp, Y: r.Max}
		labels[i] = r.Label
		top = math.Max(top, r.Max*1.1)
		right = math.Max(right, r.MsgsPerOp*1.1)
	}
	for i, s := range []struct {
		name string
		xys  plotter.XYs
	}{{"median stable latency", median}, {"max stable latency", maxes}} {
		if len(s.xys) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(s.xys)
		if err != nil {
			return err
		}
		line.Color = plotutil.Color(i)
		points.Color = plotutil.Color(i)
		points.Shape = draw.CircleGlyph{}
		p.Add(line, points)
		p.Legend.Add(s.name, line, points)
	}
	if len(maxes) > 0 {
		lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: maxes, Labels: labels})
		if err != nil {
			return err
		}
		lbl.Offset = vg.Point{X: vg.Points(4), Y: vg.Points(4)}
		p.Add(lbl)
	}
	for i, ref := range []struct {
		name string
		y    float64
	}{{"3d median target (400 ms)", 400}, {"3d max target (600 ms)", 600}} {
		l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: ref.y}, {X: right, Y: ref.y}})
		if err != nil {
			return err
		}
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		l.Color = plotutil.Color(i) // the colour of the series it bounds
		p.Add(l)
		p.Legend.Add(ref.name, l)
	}
	goal, err := plotter.NewLine(plotter.XYs{{X: 3, Y: 0}, {X: 3, Y: top}})
	if err != nil {
		return err
	}
	goal.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	goal.Color = plotutil.Color(3)
	p.Add(goal)
	p.Legend.Add("goal: 3 msgs-per-op", goal)
	p.Legend.Left = true // the low-left corner is empty: few messages cost latency
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(10), vg.Points(10)
	p.X.Min, p.X.Max = 0, right
	p.Y.Min, p.Y.Max = 0, top
	return p.Save(8*vg.Inch, 5*vg.Inch, path)
}
