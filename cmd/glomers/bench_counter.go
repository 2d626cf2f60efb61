package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gossip-glomers/internal/bench/counterbench"
)

// newBenchCounterCmd is `glomers bench-counter`: it sweeps
// maelstrom-counter's commit gap at challenge 4's parameters and writes a
// Markdown table of msgs-per-op against add latency (the sweep itself is
// internal/bench/counterbench).
func newBenchCounterCmd() *cobra.Command {
	cfg := counterbench.Config{}
	var outDir string
	cmd := &cobra.Command{
		Use:   "bench-counter [-- more Maelstrom flags]",
		Short: "Sweep maelstrom-counter's commit gap at challenge 4's parameters: msgs-per-op against add latency",
		Long: `Runs maelstrom-counter at challenge 4's parameters (3 nodes, --rate 100, --nemesis partition)
once with no flags (as Maelstrom runs it) and once per -commit-gap value (the least time between two
cas of a node; adds arriving meanwhile share the next one), then writes OUT-DIR/counter.md: ops,
servers msgs-per-op, the median, p99 and max latency of ok adds, validity, and whether every node's
final read agreed. Flags after -- go to every run (e.g. -- --concurrency 4n).`,
		RunE: func(cmd *cobra.Command, extra []string) error {
			cfg.Extra = extra
			cfg.Log = cmd.ErrOrStderr()
			rows, err := counterbench.Run(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			table := counterbench.Table(rows)
			cmdline := fmt.Sprintf("glomers bench-counter --time-limit %d --gaps %s", cfg.TimeLimit, counterbench.JoinDurations(cfg.Gaps))
			if len(extra) > 0 {
				cmdline += " -- " + strings.Join(extra, " ")
			}
			md := fmt.Sprintf("maelstrom-counter's commit gap at challenge 4's parameters, produced by `%s`.\n\n%s", cmdline, table)
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return err
			}
			path := filepath.Join(outDir, "counter.md")
			if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), table)
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", path)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Bin, "bin", "", "maelstrom-counter binary (default: build ./maelstrom-counter)")
	f.DurationSliceVar(&cfg.Gaps, "gaps",
		[]time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 500 * time.Millisecond},
		"commit gaps to try (passed to the binary as -commit-gap)")
	f.IntVar(&cfg.TimeLimit, "time-limit", 20, "seconds per run (the challenge's is 20)")
	f.StringVar(&outDir, "out-dir", "bench", "where to write counter.md")
	return cmd
}
