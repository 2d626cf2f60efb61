package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"maps"
	"sync"
	"time"
)

// Store is the key/value service the counter persists to (seq-kv).
type Store interface {
	Read(ctx context.Context, key string) (value int64, found bool, err error)
	Write(ctx context.Context, key string, value any) error
	CAS(ctx context.Context, key string, from, to int64, create bool) error
}

// Config tunes the counter.
type Config struct {
	// CommitGap is the least time between two cas of this node: the adds
	// that arrive meanwhile share the next one. 0 (the default) stores adds
	// at once: Maelstrom runs one client thread per node, whose add waits
	// for its cas, so no second add of that node can arrive to share it,
	// and waiting only slows the clients down (bench/counter.md).
	CommitGap time.Duration
	Gossip    time.Duration // how often totals go to peers that may lack them
	AddWait   time.Duration // longest an add waits for its commit before it stops waiting to reply
	Backoff   time.Duration // pause after a failed store request
}

// DefaultConfig is what the binary runs with (bench/counter.md).
var DefaultConfig = Config{
	CommitGap: 0,
	Gossip:    2 * time.Second,
	AddWait:   4 * time.Second,
	Backoff:   100 * time.Millisecond,
}

// Counts are per-node totals: a state-based G-counter, merged by max.
type Counts map[string]int64

// Outgoing is a message to send to a peer.
type Outgoing struct {
	Dest string
	Body any
}

// GossipBody carries a node's totals.
type GossipBody struct {
	Type   string `json:"type"` // "gossip"
	Counts Counts `json:"counts"`
}

// Counter is a grow-only counter replicated as a G-counter. Each node owns
// one slot, its own total, and a slot only ever takes values its owner has
// stored in seq-kv:
//
//   - add: the delta waits in a pending list. One cas of the node's store
//     key, from the stored total to the total plus every pending delta,
//     stores them all (a group commit; at most one per CommitGap), and they
//     are acknowledged once it succeeds. Only the node writes its key, so a
//     cas fails only after a lost reply (or a restart).
//   - the stored total is known from the start (0: the key does not exist
//     yet, and the cas creates it). After a cas that failed or timed out it
//     is read back before the next one: the in-doubt batch either landed
//     (the key holds its target) or is retried as it was. That read must
//     not be stale, or an old total would make the committer rebase the
//     batch and acknowledge adds that never landed; within one seq-kv
//     session it cannot be (seq-kv serves a client no state older than the
//     last one it changed, maelstrom.service/Sequential, and only this node
//     changes its key), but a restarted node's new session could be served
//     any old state, so this one read uses the fresh-read trick (freshRead).
//   - gossip: every Gossip interval a node sends its totals to each peer
//     that may lack some of them (its last gossip to us did not show them)
//     or that may not know what we hold (our totals grew since we last
//     sent it any). No acknowledgements: gossip that tells a peer something
//     is answered by its next gossip, so a quiet cluster goes silent, and
//     during a partition each cut link carries one message per interval.
//   - read: the sum of the slots, from memory (stale by up to a gossip
//     interval; Maelstrom checks only the final reads, after the healed
//     quiet period, and by then every node holds every total).
type Counter struct {
	id    string
	peers []string
	store Store
	cfg   Config
	kick  chan struct{} // wakes the committer
	epoch int64         // process start, makes scratch values unique across restarts

	mu       sync.Mutex
	counts   Counts
	peer     map[string]*peerState
	pending  []*pendingAdd
	inflight *batch // the batch whose cas is being made or is in doubt
	stored   int64  // our key's value in the store, when synced
	synced   bool
	nonce    int64
}

type peerState struct {
	known Counts // totals the peer is known to hold (from its gossip)
	sent  Counts // totals we last sent it
}

type pendingAdd struct {
	delta int64
	done  chan struct{}
}

type batch struct {
	from, to int64
	adds     []*pendingAdd
}

// NewCounter returns node id's counter in a cluster of nodeIDs.
func NewCounter(id string, nodeIDs []string, store Store, cfg Config, now time.Time) *Counter {
	c := &Counter{
		id: id, store: store, cfg: cfg, epoch: now.UnixNano(),
		kick:   make(chan struct{}, 1),
		counts: Counts{},
		peer:   map[string]*peerState{},
		synced: true, // stored = 0
	}
	for _, p := range nodeIDs {
		if p != id {
			c.peers = append(c.peers, p)
			c.peer[p] = &peerState{known: Counts{}, sent: Counts{}}
		}
	}
	return c
}

// StoreKey is where a node keeps its total in the store.
func StoreKey(id string) string { return "g-counter/" + id }

func scratchKey(id string) string { return "fresh/" + id }

// Value is the counter as this node knows it.
func (c *Counter) Value() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var sum int64
	for _, v := range c.counts {
		sum += v
	}
	return sum
}

// Enqueue registers an add; the channel closes when it is stored.
func (c *Counter) Enqueue(delta int64) <-chan struct{} {
	done := make(chan struct{})
	if delta == 0 {
		close(done) // nothing to store
		return done
	}
	c.mu.Lock()
	c.pending = append(c.pending, &pendingAdd{delta, done})
	c.mu.Unlock()
	select {
	case c.kick <- struct{}{}:
	default: // already woken
	}
	return done
}

// ErrNotCommitted means an add is still pending after AddWait: it will
// still be stored, so the caller must not report it as failed.
var ErrNotCommitted = errors.New("add not committed yet")

// Add adds delta and returns once it is stored.
func (c *Counter) Add(ctx context.Context, delta int64) error {
	done := c.Enqueue(delta)
	t := time.NewTimer(c.cfg.AddWait)
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-t.C:
		return ErrNotCommitted
	case <-ctx.Done():
		return ctx.Err()
	}
}

// raise merges one slot; callers hold mu.
func (c *Counter) raise(node string, v int64) {
	c.counts[node] = max(c.counts[node], v)
}

// Commit is one step of the committer: re-read the stored total if it is
// unknown, then store the in-flight batch (formed from the pending adds if
// there is none) with one cas. more says whether adds are still waiting.
func (c *Counter) Commit(ctx context.Context) (more bool, err error) {
	c.mu.Lock()
	synced := c.synced
	c.mu.Unlock()
	if !synced {
		v, err := c.freshRead(ctx)
		if err != nil {
			return true, fmt.Errorf("re-reading the stored total: %w", err)
		}
		c.mu.Lock()
		c.stored, c.synced = v, true
		c.raise(c.id, v)
		if b := c.inflight; b != nil {
			switch v {
			case b.to: // the cas whose reply we lost did land
				c.finish(b)
			case b.from: // it did not (yet): retry it as it was
			default: // the key moved some other way (an earlier life of this node): rebase
				b.to += v - b.from
				b.from = v
			}
		}
		c.mu.Unlock()
	}

	c.mu.Lock()
	if c.inflight == nil && len(c.pending) > 0 {
		b := &batch{from: c.stored, to: c.stored, adds: c.pending}
		for _, a := range b.adds {
			b.to += a.delta
		}
		c.pending, c.inflight = nil, b
	}
	b := c.inflight
	c.mu.Unlock()
	if b == nil {
		return false, nil
	}
	err = c.store.CAS(ctx, StoreKey(c.id), b.from, b.to, true)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.synced = false // read back before anything else
		return true, fmt.Errorf("cas %s %d -> %d: %w", StoreKey(c.id), b.from, b.to, err)
	}
	c.stored = b.to
	c.finish(b)
	return len(c.pending) > 0, nil
}

// finish acknowledges a stored batch; callers hold mu.
func (c *Counter) finish(b *batch) {
	c.inflight = nil
	c.raise(c.id, b.to)
	for _, a := range b.adds {
		close(a.done)
	}
}

// freshRead reads our stored total through seq-kv's latest state: a write of
// a value never written before cannot be served by a past state, so it moves
// this node to the latest state, and the read after it cannot go back.
func (c *Counter) freshRead(ctx context.Context) (int64, error) {
	c.mu.Lock()
	c.nonce++
	scratch := fmt.Sprintf("%s/%d/%d", c.id, c.epoch, c.nonce)
	c.mu.Unlock()
	if err := c.store.Write(ctx, scratchKey(c.id), scratch); err != nil {
		return 0, err
	}
	v, _, err := c.store.Read(ctx, StoreKey(c.id))
	return v, err // a missing key is 0
}

// Tick returns the gossip due now: our totals to every peer that lacks some
// of them or has not been sent them since they last changed.
func (c *Counter) Tick() []Outgoing {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Outgoing
	for _, p := range c.peers {
		ps := c.peer[p]
		if !ahead(c.counts, ps.known) && !ahead(c.counts, ps.sent) {
			continue
		}
		ps.sent = maps.Clone(c.counts)
		out = append(out, Outgoing{p, GossipBody{"gossip", maps.Clone(c.counts)}})
	}
	return out
}

// ahead reports whether a holds a total that b lacks.
func ahead(a, b Counts) bool {
	for n, v := range a {
		if v > b[n] {
			return true
		}
	}
	return false
}

// HandleGossip merges a peer's totals and learns that the peer holds them.
// Slots of nodes outside the cluster are ignored.
func (c *Counter) HandleGossip(src string, counts Counts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ps := c.peer[src]
	for n, v := range counts {
		if n != c.id && c.peer[n] == nil {
			continue
		}
		c.raise(n, v)
		if ps != nil {
			ps.known[n] = max(ps.known[n], v)
		}
	}
}

// Run drives the counter until ctx ends: the committer, woken by adds, and
// the gossip ticker (send delivers its messages).
func (c *Counter) Run(ctx context.Context, send func(Outgoing)) {
	// The committer wakes on adds only, so the node's first store request
	// comes after the first add, when every node and service is surely up
	// (in Maelstrom, a message to a name not yet registered kills the
	// sender's output for good).
	go func() {
		var last time.Time // when the last cas began
		for {
			select {
			case <-c.kick:
			case <-ctx.Done():
				return
			}
			for more := true; more; {
				if !sleep(ctx, time.Until(last.Add(c.cfg.CommitGap))) {
					return
				}
				last = time.Now()
				var err error
				if more, err = c.Commit(ctx); err != nil {
					log.Print(err)
					if !sleep(ctx, c.cfg.Backoff) {
						return
					}
				}
			}
		}
	}()
	go func() {
		t := time.NewTicker(c.cfg.Gossip)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				for _, o := range c.Tick() {
					send(o)
				}
			case <-ctx.Done():
				return
			}
		}
	}()
}

// sleep waits d (nothing if d <= 0) and reports whether ctx is still live.
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
