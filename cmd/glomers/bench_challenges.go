package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"gossip-glomers/internal/bench/challengesbench"
	"gossip-glomers/internal/bench/netbench"
)

// newBenchChallengesCmd is `glomers bench-challenges`: the challenges table
// one by one and concurrently, several times, compared (the benchmark itself
// is internal/bench/challengesbench).
func newBenchChallengesCmd() *cobra.Command {
	var (
		cfg    challengesbench.Config
		outDir string
	)
	cmd := &cobra.Command{
		Use:   "bench-challenges",
		Short: "Run every challenge one by one and concurrently, several times, and compare verdicts, targets and figures",
		Long: `Builds the node binaries once, then runs the whole challenges table --runs times with --parallel 1
and --runs times with --parallel N, alternating, and writes OUT-DIR/challenges.md: the wall time of
every run, and per challenge and mode the verdicts and targets met (each distinct outcome with its
count) and the range of ops, servers msgs-per-op and latencies over the runs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg.Log = cmd.ErrOrStderr()
			tables, err := challengesbench.Run(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			cmdline := fmt.Sprintf("glomers bench-challenges --runs %d --parallel %d", cfg.Runs, cfg.Parallel)
			if len(cfg.Only) > 0 {
				cmdline += " --only " + strings.Join(cfg.Only, ",")
			}
			md := fmt.Sprintf("The challenges table one by one and concurrently, produced by `%s` on %s.\n\n%s",
				cmdline, netbench.Machine(), challengesbench.Render(tables))
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return err
			}
			path := filepath.Join(outDir, "challenges.md")
			if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), md)
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", path)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&cfg.Runs, "runs", 2, "runs of each mode")
	f.IntVar(&cfg.Parallel, "parallel", 10, "the concurrent mode's --parallel")
	f.StringSliceVar(&cfg.Only, "only", nil, "run only these challenges (e.g. 1,2,3d)")
	f.StringVar(&cfg.BinDir, "bin-dir", "", "folder holding already built node binaries (default: build them once)")
	f.StringVar(&cfg.Store, "store", "", "keep the runs' folders here (default: a temporary folder, removed)")
	f.StringVar(&outDir, "out-dir", "bench", "where to write challenges.md")
	return cmd
}
