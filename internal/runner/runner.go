package runner

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"gossip-glomers/internal/client"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/nemesis"
	"gossip-glomers/internal/network"
	"gossip-glomers/internal/process"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/service"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
)

// ErrAborted wraps every reason a test stops without a verdict (a node
// crashed, never answered init, wrote garbage, ...). Maelstrom exits 255 then.
var ErrAborted = errors.New("test aborted")

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
// results are then nil.
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
	dir, err := newRunDir(cfg.StoreDir, cfg.Workload.Name)
	if err != nil {
		return nil, err
	}
	journalFile, err := os.Create(filepath.Join(dir, "messages.jsonl"))
	if err != nil {
		return nil, err
	}
	defer journalFile.Close()

	r := &run{cfg: &cfg, dir: dir, start: time.Now(), warn: &warnings{}, seen: map[string]bool{}}
	r.ctx, r.cancel = context.WithCancelCause(parent)
	defer r.cancel(nil)
	r.journal = network.NewJournal(r.start, journalFile)
	r.journal.Trace, r.journal.TraceSend, r.journal.TraceRecv = cfg.Log, cfg.LogNetSend, cfg.LogNetRecv
	r.net = network.New(network.Latency{Mean: cfg.Latency, Dist: cfg.LatencyDist}, rand.New(rand.NewPCG(seed, 1)), r.journal)
	r.clients = client.NewFactory(r.net)
	r.rec = &recorder{start: r.start}
	r.genRng = rand.New(rand.NewPCG(seed, 2))
	r.cluster = &cluster{
		cfg: &cfg, net: r.net, procs: map[string]*process.Node{}, warn: r.warn,
		fail:        func(err error) { r.cancel(err) },
		clientsSeen: r.clientSeen,
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
		fmt.Fprintf(cfg.Log, "\nTest aborted: %v\nNode logs: %s\n", runErr, filepath.Join(dir, "node-logs"))
		return nil, runErr
	}
	res := analyse(&cfg, h, r.journal.Stats(), seed)
	res.Warnings = r.warn.list()
	res.Dir = dir
	if err := writeResults(cfg.StoreDir, dir, res); err != nil {
		return nil, err
	}
	printSummary(cfg.Log, &cfg, res)
	return res, nil
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
	if cause := context.Cause(r.ctx); cause != nil {
		if errors.Is(cause, context.Canceled) {
			return fmt.Errorf("%w: interrupted", ErrAborted)
		}
		return fmt.Errorf("%w: %v", ErrAborted, cause)
	}
	if err := r.cluster.crashed(); err != nil {
		return fmt.Errorf("%w: %v", ErrAborted, err)
	}
	return nil
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
		return fmt.Errorf("%w: %v", ErrAborted, err)
	}
	if err := r.cluster.initialise(r.ctx, r.open); err != nil {
		if abort := r.aborted(); abort != nil {
			return abort
		}
		return fmt.Errorf("%w: %v", ErrAborted, err)
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
				errs <- fmt.Errorf("%w: setting up %s: %v", ErrAborted, node, err)
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
	if abort := r.aborted(); abort != nil {
		return abort
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
func (r *run) nemesisLoop(deadline time.Time, rng *rand.Rand, done chan<- struct{}) {
	defer close(done)
	partitioned := false
	for r.ctx.Err() == nil {
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
