package runner_test

import (
	"context"
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

// slowOps is a workload with a final phase whose ops take opTime each, so
// that ops are still in flight when the main phase's time limit passes. It
// notes what its generator had seen when the final phase first asked it.
type slowOps struct {
	opTime time.Duration

	mu                         sync.Mutex // the runner serialises generator calls, not Invoke
	issued, completed          int        // main-phase ops handed out and completions seen
	firstNext                  time.Time
	lateCompletions            int // completions seen after the time limit
	issuedAtFinal, seenAtFinal int
	finalAsked                 bool
	limit                      time.Duration
}

func (s *slowOps) Next(int, time.Duration, *rand.Rand) (workload.Op, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.issued == 0 {
		s.firstNext = time.Now()
	}
	s.issued++
	return workload.Op{F: "slow"}, true
}

func (s *slowOps) Update(history.Op) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.completed++
	if time.Since(s.firstNext) > s.limit {
		s.lateCompletions++
	}
}

func (s *slowOps) NextFinal(int, time.Duration, *rand.Rand) (workload.Op, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.finalAsked {
		s.finalAsked, s.issuedAtFinal, s.seenAtFinal = true, s.issued, s.completed
	}
	return workload.Op{}, false
}

func (s *slowOps) Invoke(ctx context.Context, op history.Op) history.Op {
	select {
	case <-time.After(s.opTime):
	case <-ctx.Done():
	}
	op.Type = history.OK
	return op
}

// Jepsen's interpreter keeps the generator that still holds the time-limited
// main phase until it dispatches the next op, and gen/phases' synchronize
// holds that op back until every thread is free
// (jepsen.generator.interpreter/run!, jepsen.generator/phases): so the main
// phase's generator sees every main-phase completion, even one that arrives
// after the time limit, before the final phase starts. kafka's final-poll
// targets depend on it (TrackKeyOffsets in jepsen.tests.kafka).
func TestMainPhaseCompletionsAfterTheLimitReachTheGenerator(t *testing.T) {
	bin := e2e.Build(t, "maelstrom-echo")
	cfg, err := cli.ParseTest([]string{"-w", "echo", "--bin", bin, "--store", t.TempDir(),
		"--node-count", "1", "--concurrency", "2", "--rate", "50", "--time-limit", "1", "--seed", "1"})
	if err != nil {
		t.Fatal(err)
	}
	gen := &slowOps{opTime: 300 * time.Millisecond, limit: cfg.TimeLimit}
	cfg.Workload = &workload.Workload{
		Name:           "slow-ops",
		ReusableClient: true,
		NewGenerator:   func(*workload.Params) workload.Generator { return gen },
		NewClient:      func(*workload.Params, workload.Conn, string) workload.Client { return gen },
		Check: func(*workload.Params, history.History) checker.Result {
			return checker.Result{Valid: checker.Valid}
		},
	}
	cfg.Log, cfg.Recovery = io.Discard, time.Millisecond
	if _, err := runner.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	gen.mu.Lock()
	defer gen.mu.Unlock()
	if !gen.finalAsked || gen.issuedAtFinal == 0 {
		t.Fatalf("final phase asked: %v, after %d main-phase ops", gen.finalAsked, gen.issuedAtFinal)
	}
	if gen.lateCompletions == 0 {
		t.Fatal("no op was in flight at the time limit; the test proves nothing")
	}
	if gen.seenAtFinal != gen.issuedAtFinal {
		t.Errorf("the final phase began with %d of %d main-phase completions seen (%d came after the limit)",
			gen.seenAtFinal, gen.issuedAtFinal, gen.lateCompletions)
	}
}
