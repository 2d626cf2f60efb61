package runner_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/cli"
	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/runner"
	"gossip-glomers/internal/workload"
)

// opsPerThread is a workload whose ops complete at once without touching the
// network, counting how many ops each client thread ran.
type opsPerThread struct {
	concurrency int
	mu          sync.Mutex
	count       []int
}

func (o *opsPerThread) Next(int, time.Duration, *rand.Rand) (workload.Op, bool) {
	return workload.Op{F: "noop"}, true
}

func (o *opsPerThread) Update(history.Op) {}

func (o *opsPerThread) Invoke(_ context.Context, op history.Op) history.Op {
	o.mu.Lock()
	o.count[op.Process%o.concurrency]++
	o.mu.Unlock()
	op.Type = history.OK
	return op
}

func (o *opsPerThread) workload() *workload.Workload {
	return &workload.Workload{
		Name:           "ops-per-thread",
		ReusableClient: true,
		NewGenerator:   func(*workload.Params) workload.Generator { return o },
		NewClient:      func(*workload.Params, workload.Conn, string) workload.Client { return o },
		Check: func(*workload.Params, history.History) checker.Result {
			return checker.Result{Valid: checker.Valid}
		},
	}
}

// With threads that are always free, Jepsen's thread cursor gives thread 0
// two of every concurrency+1 operations (the nemesis slot wraps to 0); the
// even spread a first-free-first-served pool gives would be 1/concurrency.
func TestThreadZeroGetsJepsensShareOfOps(t *testing.T) {
	bin := e2e.Build(t, "maelstrom-echo")
	for _, concurrency := range []int{3, 4} {
		t.Run(fmt.Sprint(concurrency, " threads"), func(t *testing.T) {
			t.Parallel()
			counter := &opsPerThread{concurrency: concurrency, count: make([]int, concurrency)}
			cfg, err := cli.ParseTest([]string{"-w", "echo", "--bin", bin, "--store", t.TempDir(),
				"--node-count", "1", "--concurrency", fmt.Sprint(concurrency),
				"--rate", "100", "--time-limit", "2", "--seed", "1"})
			if err != nil {
				t.Fatal(err)
			}
			cfg.Workload, cfg.Log = counter.workload(), io.Discard
			if _, err := runner.Run(context.Background(), cfg); err != nil {
				t.Fatal(err)
			}
			total := 0
			for _, n := range counter.count {
				total += n
			}
			if total < 50 {
				t.Fatalf("only %d ops ran", total)
			}
			share := float64(counter.count[0]) / float64(total)
			t.Logf("ops per thread: %v (thread 0: %.2f)", counter.count, share)
			jepsen, even := 2/float64(concurrency+1), 1/float64(concurrency)
			// Halfway between the two, so that a thread now and then still
			// busy on a loaded machine cannot make this flaky.
			if share < (jepsen+even)/2 || share > jepsen+0.05 {
				t.Errorf("thread 0 ran %d of %d ops (%.2f), want about %.2f; per thread: %v",
					counter.count[0], total, share, jepsen, counter.count)
			}
		})
	}
}
