package runner

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/client"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/nemesis"
	"gossip-glomers/internal/network"
	"gossip-glomers/internal/process"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/service"
	"gossip-glomers/internal/view"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
)

// ErrAborted wraps every reason a test stops without a verdict (a node
// crashed, never answered init, wrote garbage, stopped reading its stdin,
// the run was interrupted, ...). Maelstrom exits 255 then.
var ErrAborted = errors.New("test aborted")

// abort marks the reason a run stops as ErrAborted (once).
func abort(reason error) error {
	if errors.Is(reason, ErrAborted) {
		return reason
	}
	return &abortError{reason}
}

// abortError is ErrAborted to errors.Is, and its text is the reason alone,
// so that whoever prints it adds "test aborted" once ("Test aborted: node n1
// crashed ..."), never twice.
type abortError struct{ reason error }

func (e *abortError) Error() string   { return e.reason.Error() }
func (e *abortError) Unwrap() []error { return []error{ErrAborted, e.reason} }

// run is the state of one test.
type run struct {
	cfg     *Config
	dir     string
	start   time.Time
	net     *network.Network
	journal *network.Journal
	clients *client.Factory
	rec     *recorder
	cluster *cluster
	gen     workload.Generator
	genMu   sync.Mutex
	genRng  *rand.Rand
	warn    *warnings

	parent context.Context // cancelled on SIGINT/SIGTERM: the run is interrupted
	ctx    context.Context
	cancel context.CancelCauseFunc

	seenMu  sync.Mutex
	seen    map[string]bool // every client name ever opened
	openMu  sync.Mutex
	setup   []*client.Conn // setup clients stay open until the end, as in Maelstrom
	workers []*worker
}

// Run runs the test and checks it. The error is non-nil when the test could
// not be run to the end (wrapping ErrAborted) or its files not written; the
// results are then nil, and results.json says "verdict": "aborted" with the
// reason (if the run's folder could be made).
func Run(parent context.Context, cfg Config) (*report.Results, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = os.Stderr
	}
	if cfg.Recovery == 0 {
		cfg.Recovery = 10 * time.Second
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	dir, err := NewRunDir(cfg.StoreDir, cfg.Workload.Name)
	if err != nil {
		return nil, err
	}
	journalFile, err := os.Create(filepath.Join(dir, "messages.jsonl"))
	if err != nil {
		return nil, err
	}
	defer journalFile.Close()

	r := &run{cfg: &cfg, dir: dir, start: time.Now(), warn: &warnings{}, seen: map[string]bool{}, parent: parent}
	r.ctx, r.cancel = context.WithCancelCause(parent)
	defer r.cancel(nil)
	r.journal = network.NewJournal(r.start, journalFile)
	r.journal.Trace, r.journal.TraceSend, r.journal.TraceRecv = cfg.Log, cfg.LogNetSend, cfg.LogNetRecv
	r.net = network.New(network.Latency{Mean: cfg.Latency, Dist: cfg.LatencyDist}, rand.New(rand.NewPCG(seed, 1)), r.journal)
	r.net.LimitBacklog(network.DefaultBacklogLimit, r.backlogOverflow)
	r.clients = client.NewFactory(r.net)
	r.rec = &recorder{start: r.start}
	r.genRng = rand.New(rand.NewPCG(seed, 2))
	r.cluster = &cluster{
		cfg: &cfg, net: r.net, procs: map[string]*process.Node{}, warn: r.warn,
		fail:        func(err error) { r.cancel(err) },
		clientsSeen: r.clientSeen, clientClosedAt: r.net.ClosedAt,
	}

	runErr := r.execute(seed)
	r.cluster.stop()
	r.net.Close()
	if err := r.journal.Flush(); err != nil && runErr == nil {
		runErr = fmt.Errorf("writing the message journal: %w", err)
	}
	h := r.rec.history()
	if err := writeHistory(filepath.Join(dir, "history.jsonl"), h); err != nil && runErr == nil {
		runErr = err
	}
	if runErr != nil {
		reason := runErr.Error()
		fmt.Fprintf(cfg.Log, "\nTest aborted: %s\nNode logs: %s\n", reason, filepath.Join(dir, "node-logs"))
		res := abortedResults(&cfg, h, r.journal.Stats(), seed, reason)
		res.Warnings = r.warn.list()
		res.Dir = dir
		if err := writeResults(cfg.StoreDir, dir, res); err != nil {
			fmt.Fprintf(cfg.Log, "Writing results.json: %v\n", err)
		} else if err := view.Render(dir, view.Options{}); err != nil {
			// What led up to the abort is often the first thing to look at.
			fmt.Fprintf(cfg.Log, "Warning: drawing the run's views: %v\n", err)
		}
		if err := writeMaelstromHistories(dir, cfg.Workload, h); err != nil {
			fmt.Fprintf(cfg.Log, "Writing history.edn: %v\n", err)
		}
		return nil, runErr
	}
	stats := r.journal.Stats()
	res := analyse(&cfg, h, &stats, seed)
	res.Warnings = r.warn.list()
	res.Dir = dir
	if err := writeRunFiles(dir, res.Extra); err != nil {
		fmt.Fprintf(cfg.Log, "Warning: writing the checker's files: %v\n", err)
	}
	if err := writeResults(cfg.StoreDir, dir, res); err != nil {
		return nil, err
	}
	// Maelstrom's own files beside it: results.edn, history.edn, history.txt.
	if err := writeMaelstromFiles(dir, cfg.Workload, h, res); err != nil {
		return nil, err
	}
	// The views are drawn from the files just written; they never change the verdict.
	if err := view.Render(dir, view.Options{}); err != nil {
		fmt.Fprintf(cfg.Log, "Warning: drawing the run's views: %v\n", err)
	}
	printSummary(cfg.Log, &cfg, res)
	return res, nil
}

// abortedResults is results.json for a run that stopped before its
// verdict: the reason, and what was counted up to then. Jepsen writes no
// results for such a run; we write these so that store/latest never keeps
// pointing at an earlier run's verdict.
func abortedResults(cfg *Config, h history.History, net network.Stats, seed uint64, reason string) *report.Results {
	ops := countOps(h)
	return &report.Results{
		Workload:    cfg.Workload.Name,
		Valid:       false,
		Verdict:     checker.Unknown,
		AbortReason: reason,
		NodeCount:   len(cfg.Nodes),
		Ops:         ops,
		Net:         netStats(net, ops.Invoke),
		Anomalies:   []string{},
		Params:      params(cfg, seed),
	}
}

func (r *run) clientSeen(name string) bool {
	r.seenMu.Lock()
	defer r.seenMu.Unlock()
	return r.seen[name]
}

// open opens a new client on the network.
func (r *run) open() (*client.Conn, error) {
	c, err := r.clients.Open()
	if err != nil {
		return nil, err
	}
	r.seenMu.Lock()
	r.seen[c.Name()] = true
	r.seenMu.Unlock()
	return c, nil
}

// aborted returns the reason the run was cancelled, wrapped in ErrAborted.
func (r *run) aborted() error {
	cause := context.Cause(r.ctx)
	switch {
	case cause != nil && r.parent.Err() != nil && errors.Is(cause, context.Cause(r.parent)):
		// signal.NotifyContext's cause names the signal.
		return abort(fmt.Errorf("interrupted (%v)", cause))
	case cause != nil:
		return abort(cause)
	}
	if err := r.cluster.crashed(); err != nil {
		return abort(err)
	}
	return nil
}

// backlogOverflow aborts the run when messages pile up for an endpoint: a
// node that stopped reading its stdin. Maelstrom's queues grow until the
// JVM runs out of memory; we stop with the reason instead.
func (r *run) backlogOverflow(o network.Overflow) {
	what := fmt.Sprintf("node %s stopped reading its stdin (or reads it far more slowly than messages arrive)", o.Endpoint)
	if !slices.Contains(r.cfg.Nodes, o.Endpoint) {
		what = fmt.Sprintf("%s cannot keep up with the messages sent to it", o.Endpoint)
	}
	r.cancel(fmt.Errorf("%s: %d messages (%d bytes) waiting, %d of them from %s",
		what, o.Waiting.Messages, o.Waiting.Bytes, o.TopSourceMessages, o.TopSource))
}

func (r *run) execute(seed uint64) error {
	cfg := r.cfg
	if err := os.MkdirAll(filepath.Join(r.dir, "node-logs"), 0o755); err != nil {
		return err
	}
	if err := r.startServices(seed); err != nil {
		return err
	}
	if err := r.cluster.start(r.dir); err != nil {
		return abort(err)
	}
	if err := r.cluster.initialise(r.ctx, r.open); err != nil {
		if cancelled := r.aborted(); cancelled != nil {
			return cancelled // a crash or interruption is the cause, not the failed init
		}
		return abort(err)
	}
	if err := r.setupClients(); err != nil {
		return err
	}
	r.gen = cfg.Workload.NewGenerator(&cfg.Params)
	stopProgress := r.progress()
	r.mainPhase(seed)
	stopProgress()
	if err := r.aborted(); err != nil {
		return err
	}
	if final, ok := r.gen.(workload.FinalPhase); ok {
		if cfg.Partitions() {
			r.heal()
		}
		fmt.Fprintf(cfg.Log, "Waiting %v for recovery...\n", cfg.Recovery)
		if !sleep(r.ctx, cfg.Recovery) {
			return r.aborted()
		}
		r.finalPhase(final)
	}
	for _, c := range r.setup {
		c.Close()
	}
	for _, w := range r.workers {
		w.close()
	}
	return r.aborted()
}

// startServices registers Maelstrom's services before any node starts, so a
// node may call them as early as it likes.
func (r *run) startServices(seed uint64) error {
	for i, name := range service.Names {
		svc, ok := service.New(name, rand.New(rand.NewPCG(seed, uint64(10+i))))
		if !ok {
			return fmt.Errorf("service %s is not available", name)
		}
		name := name
		err := r.net.Register(name, func(m wire.Message) {
			req, err := wire.DecodeBody(m.Body)
			if err != nil {
				return // Maelstrom's services ignore what they cannot parse
			}
			reply := svc.Handle(m.Src, req)
			if reply == nil {
				return
			}
			// Without a msg_id Maelstrom still answers, with in_reply_to null.
			reply["in_reply_to"] = req["msg_id"]
			// The sender may be gone (a closed client); nothing to do then.
			_, _ = r.net.Send(wire.Message{Src: name, Dest: m.Src, Body: wire.Marshal(reply)})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// setupClients opens one client per node and runs the workload's setup
// (broadcast's topology); these clients stay open until the end.
func (r *run) setupClients() error {
	setup := r.cfg.Workload.Setup
	errs := make(chan error, len(r.cfg.Nodes))
	for _, node := range r.cfg.Nodes {
		c, err := r.open()
		if err != nil {
			return err
		}
		r.setup = append(r.setup, c)
		go func(node string, c *client.Conn) {
			if setup == nil {
				errs <- nil
				return
			}
			if err := setup(r.ctx, &r.cfg.Params, node, c); err != nil {
				errs <- abort(fmt.Errorf("setting up %s: %w", node, err))
				return
			}
			errs <- nil
		}(node, c)
	}
	var first error
	for range r.cfg.Nodes {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if cancelled := r.aborted(); cancelled != nil {
		return cancelled
	}
	return first
}

// sleep waits d or until ctx ends; it reports whether the full wait happened.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// nemesisLoop starts a partition at once, then alternates heal and
// partition with gaps uniform in [0, 2*interval), until the deadline.
func (r *run) nemesisLoop(deadline time.Time, rng *rand.Rand, threads *threadCursor, done chan<- struct{}) {
	defer close(done)
	partitioned := false
	for r.ctx.Err() == nil {
		// Jepsen's thread cursor counts the nemesis thread's ops too.
		threads.nemesisDispatched()
		if partitioned {
			r.heal()
		} else {
			shape := nemesis.Shapes[rng.IntN(len(nemesis.Shapes))]
			r.rec.add(history.Op{Type: history.Info, Process: history.NemesisProcess, F: "start-partition", Value: shape})
			grudge := nemesis.Partition(shape, r.cfg.Nodes, rng)
			r.net.Partition(grudge)
			r.rec.add(history.Op{Type: history.Info, Process: history.NemesisProcess, F: "start-partition",
				Value: []any{"isolated", grudge}})
		}
		partitioned = !partitioned
		// The nemesis stops as soon as its next op would fall past the limit.
		next := time.Now().Add(nemesis.Gap(r.cfg.NemesisInterval, rng))
		if !next.Before(deadline) || !sleep(r.ctx, time.Until(next)) {
			return
		}
	}
}

func (r *run) heal() {
	// Jepsen's nemesis ops are info on invocation and completion alike.
	r.rec.add(history.Op{Type: history.Info, Process: history.NemesisProcess, F: "stop-partition"})
	r.net.Heal()
	r.rec.add(history.Op{Type: history.Info, Process: history.NemesisProcess, F: "stop-partition", Value: "network-healed"})
}
