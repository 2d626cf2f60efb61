package cli

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gossip-glomers/internal/challenge"
	"gossip-glomers/internal/report"
)

// fakeTasks are tasks that report their start and run until released, so a
// test decides the order in which they end.
type fakeTasks struct {
	mu                    sync.Mutex
	running, heavyRunning int
	maxRunning, maxHeavy  int
	order                 []int
	started               chan int
	release               []chan struct{}
}

func newFakeTasks(heavy []bool) (*fakeTasks, []task) {
	return newFakeTasksWith(heavy, make([]bool, len(heavy)))
}

func newFakeTasksWith(heavy, latencyBound []bool) (*fakeTasks, []task) {
	f := &fakeTasks{started: make(chan int, len(heavy))}
	tasks := make([]task, len(heavy))
	for i, h := range heavy {
		f.release = append(f.release, make(chan struct{}))
		tasks[i] = task{heavy: h, latencyBound: latencyBound[i], run: func() {
			f.mu.Lock()
			f.running++
			f.maxRunning = max(f.maxRunning, f.running)
			if h {
				f.heavyRunning++
				f.maxHeavy = max(f.maxHeavy, f.heavyRunning)
			}
			f.order = append(f.order, i)
			f.mu.Unlock()
			f.started <- i
			<-f.release[i]
			f.mu.Lock()
			f.running--
			if h {
				f.heavyRunning--
			}
			f.mu.Unlock()
		}}
	}
	return f, tasks
}

// awaitStarts returns the next n tasks to start, sorted.
func (f *fakeTasks) awaitStarts(t *testing.T, n int) []int {
	t.Helper()
	var got []int
	for range n {
		select {
		case i := <-f.started:
			got = append(got, i)
		case <-time.After(10 * time.Second):
			t.Fatalf("only %v started", got)
		}
	}
	slices.Sort(got)
	return got
}

// schedule starts the first tasks that fit, never more than the limits
// allow, and on each end starts the first waiting task that fits then: a
// heavy one waits for a heavy one to end even while light slots are free.
func TestScheduleKeepsLimitsAndOrder(t *testing.T) {
	heavy := []bool{true, true, true, true, false, false, false}
	f, tasks := newFakeTasks(heavy)
	done := make(chan struct{})
	go func() {
		schedule(context.Background(), tasks, limits{total: 4, heavy: 2, heavyBesideLatencyBound: 1})
		close(done)
	}()
	if got := f.awaitStarts(t, 4); !slices.Equal(got, []int{0, 1, 4, 5}) {
		t.Fatalf("first started %v, want the first two heavy and the first two light: [0 1 4 5]", got)
	}
	close(f.release[4]) // a light one ends: the next light one, not a heavy one
	if got := f.awaitStarts(t, 1); !slices.Equal(got, []int{6}) {
		t.Fatalf("after a light end, started %v, want [6]", got)
	}
	close(f.release[0]) // a heavy one ends: the next heavy one
	if got := f.awaitStarts(t, 1); !slices.Equal(got, []int{2}) {
		t.Fatalf("after a heavy end, started %v, want [2]", got)
	}
	for _, i := range []int{1, 5, 6} {
		close(f.release[i])
	}
	if got := f.awaitStarts(t, 1); !slices.Equal(got, []int{3}) {
		t.Fatalf("then %v, want [3]", got)
	}
	close(f.release[2])
	close(f.release[3])
	<-done
	if f.maxRunning > 4 || f.maxHeavy > 2 {
		t.Errorf("up to %d running, %d heavy: want at most 4 and 2", f.maxRunning, f.maxHeavy)
	}
	if len(f.order) != len(heavy) {
		t.Errorf("%d tasks ran, want %d", len(f.order), len(heavy))
	}
}

// While a latency-bound task runs at most one heavy one runs beside it, and
// a latency-bound one waits while more heavy ones run.
func TestScheduleProtectsLatencyBound(t *testing.T) {
	//              0 latency  1 heavy  2 heavy  3 latency  4 light
	heavy := []bool{false, true, true, false, false}
	latency := []bool{true, false, false, true, false}
	f, tasks := newFakeTasksWith(heavy, latency)
	// Task 3 comes after the heavy ones here, so it meets two of them running.
	done := make(chan struct{})
	go func() {
		schedule(context.Background(), tasks, limits{total: 8, heavy: 3, heavyBesideLatencyBound: 1})
		close(done)
	}()
	if got := f.awaitStarts(t, 4); !slices.Equal(got, []int{0, 1, 3, 4}) {
		t.Fatalf("first started %v, want the latency-bound ones, one heavy and the light one: [0 1 3 4]", got)
	}
	close(f.release[0])
	close(f.release[4])
	select {
	case i := <-f.started:
		t.Fatalf("task %d started while the other latency-bound task runs", i)
	default:
	}
	close(f.release[3]) // no latency-bound task left: the second heavy one may go
	if got := f.awaitStarts(t, 1); !slices.Equal(got, []int{2}) {
		t.Fatalf("then %v, want [2]", got)
	}
	close(f.release[1])
	close(f.release[2])
	<-done
	if len(f.order) != len(heavy) {
		t.Errorf("%d tasks ran, want %d", len(f.order), len(heavy))
	}
}

// Once the context ends no task starts; the running ones are waited for.
func TestScheduleStopsStartingWhenInterrupted(t *testing.T) {
	f, tasks := newFakeTasks([]bool{false, false, false, false})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		schedule(ctx, tasks, limits{total: 2, heavy: 1, heavyBesideLatencyBound: 1})
		close(done)
	}()
	f.awaitStarts(t, 2)
	cancel()
	close(f.release[0])
	close(f.release[1])
	<-done
	if len(f.order) != 2 {
		t.Errorf("tasks %v ran, want only the two started before the interruption", f.order)
	}
}

// planChallenge sorts the official challenges: those at rate 1000 are the
// CPU-heavy ones, and the expected time adds the recovery wait and final
// phase to the time limit where the workload has them.
func TestPlanChallenge(t *testing.T) {
	for _, tc := range []struct {
		id       string
		extra    []string
		heavy    bool
		expected time.Duration
	}{
		{id: "1", expected: 12 * time.Second},
		{id: "2", heavy: true, expected: 32 * time.Second},
		{id: "3d", expected: 32 * time.Second},
		{id: "5a", heavy: true, expected: 32 * time.Second},
		{id: "6c", heavy: true, expected: 22 * time.Second},
		{id: "6c", extra: []string{"--time-limit", "5"}, heavy: true, expected: 7 * time.Second},
	} {
		c, ok := challenge.Lookup(tc.id)
		if !ok {
			t.Fatalf("no challenge %s", tc.id)
		}
		r := planChallenge(c, append([]string{"--bin", "/bin/true"}, tc.extra...))
		if r.heavy != tc.heavy || r.expected != tc.expected {
			t.Errorf("%s %v: heavy %v, expected %v; want %v, %v", tc.id, tc.extra, r.heavy, r.expected, tc.heavy, tc.expected)
		}
	}
}

// Away from a terminal the board prints one line per start and per end,
// with the outcome and the challenge's log.
func TestProgressBoardLines(t *testing.T) {
	var out bytes.Buffer
	c3d, _ := challenge.Lookup("3d")
	c5a, _ := challenge.Lookup("5a")
	ok := &challengeRun{row: Row{Challenge: c3d}, expected: 32 * time.Second}
	bad := &challengeRun{row: Row{Challenge: c5a}, heavy: true, expected: 32 * time.Second}
	b := newProgressBoard(&out, []*challengeRun{bad, ok})
	b.startedRun(bad, "logs/5a.log")
	b.startedRun(ok, "logs/3d.log")
	bad.row.Err, bad.elapsed = errors.New("node n1 crashed\nmore detail"), 3*time.Second
	b.finished(bad)
	ok.row.Results = &report.Results{Valid: true}
	b.finished(ok)
	b.stop()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		"started  5a         kafka (about 32s, CPU-heavy), log logs/5a.log",
		"started  3d         broadcast (about 32s), log logs/3d.log",
		"finished 5a         kafka in 3s: aborted: node n1 crashed",
		"finished 3d         broadcast in 0s: valid, targets met: false (no stable latency figures)",
	}
	if len(lines) != len(want) {
		t.Fatalf("board printed:\n%s\nwant %d lines", out.String(), len(want))
	}
	for i, w := range want {
		if !strings.HasSuffix(lines[i], w) {
			t.Errorf("line %d: %q, want it to end %q", i, lines[i], w)
		}
	}
}
