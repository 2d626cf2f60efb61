package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"gossip-glomers/internal/bench/checkbench"
	"gossip-glomers/internal/bench/netbench"
	"gossip-glomers/internal/cli"
)

// newBenchCheckersCmd is `glomers bench-checkers`: every checker on
// simulated histories of 10^4 and 10^5 operations, time and memory (the
// benchmark itself is internal/bench/checkbench).
func newBenchCheckersCmd() *cobra.Command {
	var (
		cfg        checkbench.Config
		only       []string
		outDir     string
		cpuProfile string
	)
	cmd := &cobra.Command{
		Use:   "bench-checkers",
		Short: "Time every checker on simulated histories of 10^4 and 10^5 operations",
		Long: `Simulates histories with each workload's own generator and client against an in-memory node
(correct, or faulty for the -duplicates and -lossy ones), several operations in flight at once, then
times the workload's checker on each and measures what it allocates and the most heap it holds.
Writes OUT-DIR/checkers.md. set-full histories stop at 10^4 operations: every read returns every
element, so the history itself grows with the square of its length.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, s := range checkbench.Specs() {
				if len(only) == 0 || slices.Contains(only, s.Name) || slices.Contains(only, s.Workload) {
					cfg.Specs = append(cfg.Specs, s)
				}
			}
			if len(cfg.Specs) == 0 {
				var names []string
				for _, s := range checkbench.Specs() {
					names = append(names, s.Name)
				}
				return fmt.Errorf("--only %s matches no history (histories: %s)", strings.Join(only, ","), strings.Join(names, ", "))
			}
			if cpuProfile != "" {
				stop, err := cli.StartCPUProfile(cpuProfile)
				if err != nil {
					return err
				}
				defer stop()
			}
			cfg.Log = cmd.ErrOrStderr()
			loadBefore := netbench.LoadAverage()
			results := checkbench.Run(cfg)
			table := checkbench.Table(results)
			cmdline := fmt.Sprintf("glomers bench-checkers --sizes %s --runs %d --seed %d",
				strings.Trim(strings.Join(strings.Fields(fmt.Sprint(cfg.Sizes)), ","), "[]"), cfg.Runs, cfg.Seed)
			if len(only) > 0 {
				cmdline += " --only " + strings.Join(only, ",")
			}
			md := fmt.Sprintf("Checkers on simulated histories, produced by `%s` on %s; 1-minute load average %s before, %s after.\n\n%s",
				cmdline, netbench.Machine(), loadBefore, netbench.LoadAverage(), table)
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return err
			}
			path := filepath.Join(outDir, "checkers.md")
			if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), table)
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", path)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntSliceVar(&cfg.Sizes, "sizes", []int{10_000, 100_000}, "operations per history")
	f.IntVar(&cfg.Runs, "runs", 3, "checks of each history")
	f.Uint64Var(&cfg.Seed, "seed", 1, "seed of the simulated histories")
	f.StringSliceVar(&only, "only", nil, "histories or workloads to run (default all)")
	f.StringVar(&outDir, "out-dir", "bench", "where to write checkers.md")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile to this file")
	return cmd
}
