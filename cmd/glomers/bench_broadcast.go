package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gossip-glomers/internal/bench/broadcastbench"
)

// newBenchBroadcastCmd is `glomers bench-broadcast`: it sweeps
// maelstrom-broadcast's batching interval at challenge 3d/3e's parameters
// and writes a Markdown table and a plot of msgs-per-op against stable
// latency (the sweep itself is internal/bench/broadcastbench).
func newBenchBroadcastCmd() *cobra.Command {
	cfg := broadcastbench.Config{}
	var outDir string
	cmd := &cobra.Command{
		Use:   "bench-broadcast",
		Short: "Sweep maelstrom-broadcast's batching interval at 3d/3e's parameters: table and plot",
		Long: `Runs maelstrom-broadcast at challenge 3d/3e's parameters (25 nodes, --latency 100,
--rate 100) once with no flags (as Maelstrom runs it) and once per -interval value, then writes
OUT-DIR/broadcast.md (interval, servers msgs-per-op, median and max stable latency, the read latency
the interval costs (reads wait for the next batch), validity)
and OUT-DIR/broadcast.svg (msgs-per-op against median/max stable latency). With --partition
every setting is also run with --nemesis partition and must stay valid.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg.Log = cmd.ErrOrStderr()
			rows, err := broadcastbench.Run(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return err
			}
			table := broadcastbench.Table(rows)
			cmdline := fmt.Sprintf("glomers bench-broadcast --time-limit %d --intervals %s", cfg.TimeLimit, broadcastbench.JoinDurations(cfg.Intervals))
			if cfg.Partition {
				cmdline += " --partition"
			}
			md := fmt.Sprintf("Broadcast batching sweep at challenge 3d/3e parameters (%s), produced by `%s`.\n\n%s",
				strings.Join(broadcastbench.Challenge3dArgs(), " "), cmdline, table)
			mdPath := filepath.Join(outDir, "broadcast.md")
			if err := os.WriteFile(mdPath, []byte(md), 0o644); err != nil {
				return err
			}
			plotPath := filepath.Join(outDir, "broadcast.svg")
			if err := broadcastbench.Plot(rows, plotPath); err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), table)
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s and %s\n", mdPath, plotPath)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Bin, "bin", "", "maelstrom-broadcast binary (default: build ./maelstrom-broadcast)")
	f.StringVar(&outDir, "out-dir", "bench", "where to write broadcast.md and broadcast.svg")
	f.DurationSliceVar(&cfg.Intervals, "intervals",
		[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 400 * time.Millisecond,
			500 * time.Millisecond, 600 * time.Millisecond},
		"batching intervals to try (passed to the binary as -interval)")
	f.IntVar(&cfg.TimeLimit, "time-limit", 20, "seconds per run (the challenge's is 20)")
	f.BoolVar(&cfg.Partition, "partition", false, "also run every setting with --nemesis partition")
	return cmd
}
