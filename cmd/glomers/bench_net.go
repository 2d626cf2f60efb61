package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gossip-glomers/internal/bench/netbench"
	"gossip-glomers/internal/cli"
)

// newBenchNetCmd is `glomers bench-net`: flood nodes through whole runs at
// several node counts, then a table of routed messages per second, the
// workbench's CPU per message, added latency and peak memory (the
// benchmark itself is internal/bench/netbench).
func newBenchNetCmd() *cobra.Command {
	var (
		cfg        netbench.Config
		outDir     string
		window     time.Duration
		nodeCounts []int
		cases      []string
		cpuProfile string
		memProfile string
	)
	cmd := &cobra.Command{
		Use:   "bench-net",
		Short: "Measure the simulated network with flood nodes: msgs/s, workbench CPU per message, added latency, memory",
		Long: `Runs the flood node (internal/bench/netbench/testdata/floodnode) through whole glomers runs
(echo workload, no client operations): each node keeps a fixed number of messages circulating to random
peers. Cases: the ceiling with no latency at each --nodes count, challenge 3d's shape (25 nodes,
--latency 100) at about 12,500 msgs/s, flowing steadily (3d-load) or in bursts of 1,250 every
100 ms (3d-burst), and 25 nodes over four windows (memory must not grow).
Writes OUT-DIR/net.md: routed messages per second, glomers' own CPU per routed message (the
nodes' apart), each hop's time beyond the simulated latency, and glomers' peak memory during the
window. --cpuprofile writes a pprof CPU profile of the whole benchmark, --memprofile its
allocations (go tool pprof -sample_index=alloc_space).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg.Log = cmd.ErrOrStderr()
			for _, c := range netbench.DefaultCases(window) {
				wanted := len(cases) == 0 || slices.Contains(cases, c.Name)
				if wanted && (c.Name != "ceiling" || len(nodeCounts) == 0 || slices.Contains(nodeCounts, c.Nodes)) {
					cfg.Cases = append(cfg.Cases, c)
				}
			}
			if len(cfg.Cases) == 0 {
				return fmt.Errorf("--cases %s --nodes %v selects no case (cases: ceiling, 3d-load, 3d-burst, long)", strings.Join(cases, ","), nodeCounts)
			}
			if cpuProfile != "" {
				stop, err := cli.StartCPUProfile(cpuProfile)
				if err != nil {
					return err
				}
				defer stop()
			}
			if memProfile != "" {
				// Every allocation sampled, so the profile counts bytes and
				// objects per routed message rather than a sample of them.
				runtime.MemProfileRate = 1
				defer writeAllocsProfile(memProfile, cmd.ErrOrStderr())
			}
			loadBefore := netbench.LoadAverage()
			results, err := netbench.Run(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			table := netbench.Table(results)
			cmdline := fmt.Sprintf("glomers bench-net --window %v --runs %d", window, cfg.Runs)
			if len(cases) > 0 {
				cmdline += " --cases " + strings.Join(cases, ",")
			}
			if len(nodeCounts) > 0 {
				cmdline += " --nodes " + strings.Trim(strings.Join(strings.Fields(fmt.Sprint(nodeCounts)), ","), "[]")
			}
			md := fmt.Sprintf("Simulated network under flood nodes, produced by `%s` on %s; "+
				"1-minute load average %s before, %s after. Each cell is the median of the runs (range in brackets).\n\n%s",
				cmdline, netbench.Machine(), loadBefore, netbench.LoadAverage(), table)
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return err
			}
			path := filepath.Join(outDir, "net.md")
			if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), table)
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", path)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Bin, "bin", "", "flood node binary (default: build ./"+netbench.NodePackage+")")
	f.StringVar(&outDir, "out-dir", "bench", "where to write net.md")
	f.DurationVar(&window, "window", 5*time.Second, "measured window of each run (the long case is four of them)")
	f.IntSliceVar(&nodeCounts, "nodes", nil, "node counts of the ceiling case (default 5,25,100)")
	f.StringSliceVar(&cases, "cases", nil, "cases to run: ceiling, 3d-load, 3d-burst, long (default all)")
	f.IntVar(&cfg.Runs, "runs", 3, "runs of each case")
	f.StringVar(&cfg.Store, "store", "", "keep the runs' folders here (default: a temporary folder, removed)")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of glomers to this file")
	f.StringVar(&memProfile, "memprofile", "", "write a pprof allocation profile of glomers to this file (every allocation sampled: slower)")
	return cmd
}

// writeAllocsProfile writes the allocations made so far to path.
func writeAllocsProfile(path string, log io.Writer) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(log, "memory profile: %v\n", err)
	}
}
