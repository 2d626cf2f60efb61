package netbench_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gossip-glomers/internal/bench/netbench"
	"gossip-glomers/internal/e2e"
)

// A short flood through a real run: every node reports, messages are
// routed and counted, the workbench's CPU and memory are measured, and the
// table has the case's line. No figure is compared with a speed.
func TestFloodRun(t *testing.T) {
	t.Parallel()
	bin := e2e.Build(t, netbench.NodePackage)
	c := netbench.Case{Name: "ceiling", Nodes: 3, Tokens: 5, Latency: 5 * time.Millisecond, Duration: time.Second, Spread: 5 * time.Millisecond}
	results, err := netbench.Run(context.Background(), netbench.Config{Bin: bin, Cases: []netbench.Case{c}, Runs: 1, Store: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || results[0].Err != nil {
		t.Fatalf("results %+v", results)
	}
	r := results[0]
	if r.Routed == 0 || r.WorkbenchCPU <= 0 || r.NodesCPU <= 0 || r.PeakRSS == 0 || r.PeakHeap == 0 {
		t.Errorf("a flood that measured nothing: %+v", r)
	}
	// A hop takes at least the simulated latency, less the millisecond
	// Maelstrom's truncated sleep may save.
	if r.AddedP50 < -time.Millisecond || r.InNetworkP50 < -time.Millisecond {
		t.Errorf("hops shorter than the latency: added %v, in the network %v", r.AddedP50, r.InNetworkP50)
	}
	table := netbench.Table(results)
	if !strings.Contains(table, "| ceiling | 3 | 5 | 5 | 1 | 1 |") {
		t.Errorf("table without the case's line:\n%s", table)
	}
}
