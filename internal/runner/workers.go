package runner

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"golang.org/x/term"

	"gossip-glomers/internal/client"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/workload"
)

// worker is one client thread: bound to node nodes[thread mod N], with a
// process number that moves on by the concurrency after every info
// completion, and a client replaced then if the workload's is not reusable.
type worker struct {
	r       *run
	thread  int
	process int
	node    string
	conn    *client.Conn
	client  workload.Client
	// clientProcess is the process the client was opened for.
	clientProcess int
}

func (w *worker) close() {
	if w.conn != nil {
		w.conn.Close()
		w.conn, w.client = nil, nil
	}
}

// invoke runs one operation and records its invocation and completion.
func (w *worker) invoke(op workload.Op) {
	r := w.r
	if w.client != nil && w.clientProcess != w.process {
		// Like Jepsen's worker, a client that is not reusable is replaced
		// when the thread's next op comes with a new process, not at once,
		// so a late reply in between still finds it open.
		w.close()
	}
	if w.client == nil {
		conn, err := r.open()
		if err != nil {
			r.cancel(fmt.Errorf("opening a client: %w", err))
			return
		}
		w.conn, w.clientProcess = conn, w.process
		w.client = r.cfg.Workload.NewClient(&r.cfg.Params, conn, w.node)
	}
	inv := r.rec.invoke(w.conn, history.Op{Type: history.Invoke, Process: w.process, F: op.F, Value: op.Value, Final: op.Final, Node: w.node})
	done := w.client.Invoke(r.ctx, inv)
	done.Process, done.F, done.Final, done.Node = w.process, inv.F, inv.Final, w.node
	if done.Type == history.Invoke || done.Type == "" {
		done.Type = history.Info
		done.Error = "indeterminate: client returned no completion type"
	}
	done = r.rec.complete(w.conn, done)
	r.genMu.Lock()
	r.gen.Update(done)
	r.genMu.Unlock()
	if done.Type == history.Info {
		w.process += r.cfg.Concurrency
		if r.cfg.Workload.ReusableClient {
			w.clientProcess = w.process
		}
	}
}

func (r *run) newWorkers() {
	r.workers = make([]*worker, r.cfg.Concurrency)
	for t := range r.workers {
		r.workers[t] = &worker{r: r, thread: t, process: t, node: r.cfg.Nodes[t%len(r.cfg.Nodes)]}
	}
}

// threadCursor picks the client thread that gets the next main-phase
// operation, as Jepsen's generator context does (jepsen.generator.context:
// some-free-process and busy-thread). Jepsen's threads are the client
// threads 0..c-1 plus the nemesis thread, which always exists (context puts
// it in every test's thread set), and its cursor, next-thread-index, moves on
// by one modulo c+1 for every operation dispatched to any of them. A client
// operation goes to the first free client thread at or after the cursor;
// when there is none, and always when the cursor is on the nemesis slot c,
// the search starts again at thread 0. So when every thread is free thread 0
// gets 2 of every c+1 operations and each other thread 1.
type threadCursor struct {
	mu    sync.Mutex
	free  []bool        // per client thread: no operation in flight
	next  int           // the cursor, in [0, len(free)]; len(free) is the nemesis slot
	freed chan struct{} // holds a token after any thread became free
}

func newThreadCursor(threads int) *threadCursor {
	c := &threadCursor{free: make([]bool, threads), freed: make(chan struct{}, 1)}
	for t := range c.free {
		c.free[t] = true
	}
	return c
}

// choose returns the thread the next operation would go to, without taking
// it; ok is false when every client thread is busy.
func (c *threadCursor) choose() (thread int, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for t := c.next; t < len(c.free); t++ {
		if c.free[t] {
			return t, true
		}
	}
	for t := 0; t < c.next && t < len(c.free); t++ {
		if c.free[t] {
			return t, true
		}
	}
	return 0, false
}

// take marks thread busy with a dispatched operation and moves the cursor on.
func (c *threadCursor) take(thread int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.free[thread] = false
	c.advance()
}

// nemesisDispatched moves the cursor on for an operation given to the
// nemesis thread, which Jepsen counts like any other dispatch.
func (c *threadCursor) nemesisDispatched() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance()
}

func (c *threadCursor) advance() { c.next = (c.next + 1) % (len(c.free) + 1) }

// release marks thread free again once its operation completed.
func (c *threadCursor) release(thread int) {
	c.mu.Lock()
	c.free[thread] = true
	c.mu.Unlock()
	select {
	case c.freed <- struct{}{}:
	default: // a token is already waiting
	}
}

// await returns the thread chosen for the next operation, waiting for one to
// become free; ok is false if the deadline passes or ctx ends first.
func (c *threadCursor) await(ctx context.Context, deadline time.Time) (thread int, ok bool) {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		if t, found := c.choose(); found {
			return t, true
		}
		select {
		case <-c.freed:
		case <-timer.C:
			return 0, false
		case <-ctx.Done():
			return 0, false
		}
	}
}

// mainPhase issues operations at the test's rate until the time limit, as
// Jepsen's stagger does: an op is emitted when it is due and a thread is
// free, and the next one is due a gap uniform in [0, 2/rate) after that
// emission; waiting for a busy thread is never made up later. Our timer's
// wake-up lateness is subtracted so that the rate does not depend on Go's
// timer precision. Which thread gets the op is threadCursor's choice. No op
// is invoked at or after the limit; ops in flight then finish normally
// (bounded by their RPC timeouts).
func (r *run) mainPhase(seed uint64) {
	cfg := r.cfg
	r.newWorkers()
	start := time.Now()
	deadline := start.Add(cfg.TimeLimit)

	threads := newThreadCursor(len(r.workers))
	nemesisDone := make(chan struct{})
	if cfg.Partitions() {
		go r.nemesisLoop(deadline, rand.New(rand.NewPCG(seed, 3)), threads, nemesisDone)
	} else {
		close(nemesisDone)
	}

	var inflight sync.WaitGroup
	due := start
	for cfg.Rate > 0 && due.Before(deadline) {
		if !sleep(r.ctx, time.Until(due)) {
			break
		}
		late := max(time.Since(due), 0) // timer lateness, not the op's fault
		thread, ok := threads.await(r.ctx, deadline)
		if !ok || !time.Now().Before(deadline) {
			break
		}
		r.genMu.Lock()
		op, ok := r.gen.Next(thread, time.Since(start), r.genRng)
		r.genMu.Unlock()
		if !ok {
			// Jepsen's :pending: nothing is dispatched, the cursor stays.
			due = time.Now().Add(time.Millisecond)
			continue
		}
		threads.take(thread)
		emitted := time.Now().Add(-late)
		inflight.Add(1)
		go func(w *worker, op workload.Op) {
			defer inflight.Done()
			if sleep(r.ctx, op.Delay) {
				w.invoke(op)
			}
			threads.release(w.thread)
		}(r.workers[thread], op)
		due = emitted.Add(time.Duration(r.genRng.Float64() * 2 / cfg.Rate * float64(time.Second)))
	}
	if cfg.Rate == 0 {
		sleep(r.ctx, cfg.TimeLimit)
	}
	inflight.Wait()
	<-nemesisDone
}

// finalPhase gives every thread its final operations, one after another,
// within the workload's final time limit if it has one.
func (r *run) finalPhase(final workload.FinalPhase) {
	start := time.Now()
	var deadline time.Time
	if limit := r.cfg.Workload.FinalTimeLimit; limit > 0 {
		deadline = start.Add(limit)
	}
	var wg sync.WaitGroup
	for _, w := range r.workers {
		wg.Add(1)
		go func(w *worker) {
			defer wg.Done()
			for r.ctx.Err() == nil {
				r.genMu.Lock()
				op, ok := final.NextFinal(w.thread, time.Since(start), r.genRng)
				r.genMu.Unlock()
				if !ok {
					return
				}
				if !deadline.IsZero() && !time.Now().Add(op.Delay).Before(deadline) {
					return
				}
				if !sleep(r.ctx, op.Delay) {
					return
				}
				w.invoke(op)
			}
		}(w)
	}
	wg.Wait()
}

// progress shows elapsed time and operations so far on a terminal.
func (r *run) progress() (stop func()) {
	f, ok := r.cfg.Log.(interface{ Fd() uintptr })
	if !r.cfg.Progress || !ok || !term.IsTerminal(int(f.Fd())) {
		return func() {}
	}
	ctx, cancel := context.WithCancel(r.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		start := time.Now()
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				fmt.Fprint(r.cfg.Log, "\r\033[K")
				return
			case <-tick.C:
				fmt.Fprintf(r.cfg.Log, "\r\033[K%s: %4.0fs / %.0fs, %d ops",
					r.cfg.Workload.Name, time.Since(start).Seconds(), r.cfg.TimeLimit.Seconds(), r.rec.invocations())
			}
		}
	}()
	return func() { cancel(); <-done }
}
