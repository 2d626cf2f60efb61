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
	inv := r.rec.add(history.Op{Type: history.Invoke, Process: w.process, F: op.F, Value: op.Value, Final: op.Final, Node: w.node})
	done := w.client.Invoke(r.ctx, inv)
	done.Process, done.F, done.Final, done.Node = w.process, inv.F, inv.Final, w.node
	if done.Type == history.Invoke || done.Type == "" {
		done.Type = history.Info
		done.Error = "indeterminate: client returned no completion type"
	}
	done = r.rec.add(done)
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

// mainPhase issues operations at the test's rate until the time limit, as
// Jepsen's stagger does: an op is emitted when it is due and a thread is
// free, and the next one is due a gap uniform in [0, 2/rate) after that
// emission; waiting for a busy thread is never made up later. Our timer's
// wake-up lateness is subtracted so that the rate does not depend on Go's
// timer precision. No op is invoked at or after the limit; ops in flight
// then finish normally (bounded by their RPC timeouts).
func (r *run) mainPhase(seed uint64) {
	cfg := r.cfg
	r.newWorkers()
	start := time.Now()
	deadline := start.Add(cfg.TimeLimit)

	nemesisDone := make(chan struct{})
	if cfg.Partitions() {
		go r.nemesisLoop(deadline, rand.New(rand.NewPCG(seed, 3)), nemesisDone)
	} else {
		close(nemesisDone)
	}

	free := make(chan *worker, len(r.workers))
	for _, w := range r.workers {
		free <- w
	}
	var inflight sync.WaitGroup
	due := start
	for cfg.Rate > 0 && due.Before(deadline) {
		if !sleep(r.ctx, time.Until(due)) {
			break
		}
		late := max(time.Since(due), 0) // timer lateness, not the op's fault
		var w *worker
		select {
		case w = <-free:
		case <-time.After(time.Until(deadline)):
		case <-r.ctx.Done():
		}
		if w == nil || !time.Now().Before(deadline) {
			if w != nil {
				free <- w
			}
			break
		}
		r.genMu.Lock()
		op, ok := r.gen.Next(w.thread, time.Since(start), r.genRng)
		r.genMu.Unlock()
		if !ok {
			free <- w
			due = time.Now().Add(time.Millisecond)
			continue
		}
		emitted := time.Now().Add(-late)
		inflight.Add(1)
		go func(w *worker, op workload.Op) {
			defer inflight.Done()
			if sleep(r.ctx, op.Delay) {
				w.invoke(op)
			}
			free <- w
		}(w, op)
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
