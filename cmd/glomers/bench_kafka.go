package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"gossip-glomers/internal/bench/kafkabench"
)

// newBenchKafkaCmd is `glomers bench-kafka`: maelstrom-kafka against the
// design it replaced and the lin-kv baseline at challenge 5b's parameters,
// one table.
func newBenchKafkaCmd() *cobra.Command {
	cfg := kafkabench.Config{}
	var outDir string
	cmd := &cobra.Command{
		Use:   "bench-kafka [-- more Maelstrom flags]",
		Short: "Compare maelstrom-kafka with its previous design and a lin-kv baseline at 5b's parameters",
		Long: `Runs maelstrom-kafka, the design it replaced (key owners, lin-kv failover) and a baseline node
(every send a read and compare-and-set of the key's log in lin-kv, polls and committed offsets in lin-kv
too) one after the other at challenge 5b's parameters with the same seed, and writes OUT-DIR/kafka.md:
validity, servers msgs-per-op, the median, p99 and max latency of send and poll (from each run's
history) and the kafka checker's worst realtime lag, with maelstrom-kafka's figures against its targets.
Flags after -- go to every run (e.g. -- --latency 10).`,
		RunE: func(cmd *cobra.Command, extra []string) error {
			cfg.Extra = extra
			cfg.Log = cmd.ErrOrStderr()
			rows, err := kafkabench.Run(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			table := kafkabench.Table(rows)
			cmdline := fmt.Sprintf("glomers bench-kafka --time-limit %d", cfg.TimeLimit)
			if cfg.Seed != 0 {
				cmdline += fmt.Sprintf(" --seed %d", cfg.Seed)
			}
			if len(extra) > 0 {
				cmdline += " -- " + strings.Join(extra, " ")
			}
			md := fmt.Sprintf("maelstrom-kafka against its previous design and the lin-kv baseline at challenge 5b's parameters, produced by `%s`.\n\n%s",
				cmdline, table)
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return err
			}
			path := filepath.Join(outDir, "kafka.md")
			if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), table)
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", path)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Bin, "bin", "", "maelstrom-kafka binary (default: build ./"+kafkabench.NodePackage+")")
	f.StringVar(&cfg.Previous, "previous", "", "previous design's binary (default: build ./"+kafkabench.PreviousPackage+")")
	f.StringVar(&cfg.Baseline, "baseline", "", "baseline binary (default: build ./"+kafkabench.BaselinePackage+")")
	f.IntVar(&cfg.TimeLimit, "time-limit", 20, "seconds per run (the challenge's is 20)")
	f.Uint64Var(&cfg.Seed, "seed", 0, "seed for every run (0: a random one, shared)")
	f.StringVar(&outDir, "out-dir", "bench", "where to write kafka.md")
	return cmd
}
