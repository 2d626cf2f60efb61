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
	Gossip  time.Duration // how often changed totals go to peers
	Retry   time.Duration // resend totals a peer has not acknowledged after this long
	Poll    time.Duration // read a silent peer's total from the store after this long
	AddWait time.Duration // longest an add waits for its commit before it stops waiting to reply
}

// DefaultConfig is what the binary runs with.
var DefaultConfig = Config{
	Gossip:  500 * time.Millisecond,
	Retry:   time.Second,
	Poll:    2 * time.Second,
	AddWait: 4 * time.Second,
}

// Counts are per-node totals: a state-based G-counter, merged by max.
type Counts map[string]int64

// Outgoing is a message to send to a peer.
type Outgoing struct {
	Dest string
	Body any
}

// GossipBody carries a node's totals ("gossip") or answers them ("gossip_ack").
type GossipBody struct {
	Type   string `json:"type"`
	Counts Counts `json:"counts"`
}

// Counter is a grow-only counter replicated as a G-counter. Each node owns
// one slot, its own total, and a slot only ever takes values its owner has
// committed to the store:
//
//   - add: the delta waits in a pending list; a single committer turns all
//     pending deltas into one cas of the node's store key from the stored
//     total to the new total (group commit), and acknowledges them when the
//     cas succeeds. So an acknowledged add is durable, and only the node
//     writes its key, so a cas can fail only after a lost reply or a restart.
//   - when the stored total is not known (start, restart, a cas that failed
//     or timed out), the committer re-reads it fresh from seq-kv: it first
//     writes a never-written value to a scratch key, which seq-kv must apply
//     to its latest state, so the read that follows sees at least that
//     state, hence every cas this node made before. A batch whose cas timed
//     out is then known to have landed (value = its target) or is retried.
//     A bare read would do within one seq-kv session (seq-kv keeps each
//     sender's reads monotonic), but not for a restarted node the store
//     does not remember, and a stale total could make the committer rebase
//     an in-doubt batch onto an old value and acknowledge adds that never
//     landed.
//   - gossip: on a ticker, a node sends its totals to each peer that may lack
//     some of them (something changed since the last send, or the last send
//     is unacknowledged after Retry); the peer merges (max per slot) and
//     acknowledges with its own totals, which the sender merges too.
//   - a peer not heard from for Poll (partitioned) has its total read from
//     the store; reads there may be stale, which a max merge tolerates.
//   - read: the sum of the slots, from memory.
//
// A restarted node re-reads its stored total before committing anything,
// so it never counts an add twice or builds on a stale total, and peers'
// slots come back by gossip or from the store.
type Counter struct {
	id    string
	peers []string
	store Store
	cfg   Config
	kick  chan struct{}
	epoch int64 // process start, makes scratch values unique across restarts

	mu       sync.Mutex
	counts   Counts
	version  uint64 // bumped whenever counts change
	peer     map[string]*peerState
	pending  []*pendingAdd
	inflight *batch // the batch whose cas is being made or is in doubt
	stored   int64  // our key's value in the store, when synced
	synced   bool
	nonce    int64
}

type peerState struct {
	known   Counts // totals the peer is known to hold
	sentVer uint64 // version last sent
	sentAt  time.Time
	heardAt time.Time
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
	}
	for _, p := range nodeIDs {
		if p != id {
			c.peers = append(c.peers, p)
			c.peer[p] = &peerState{known: Counts{}, heardAt: now}
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

// Enqueue registers an add; the channel closes when it is committed.
func (c *Counter) Enqueue(delta int64) <-chan struct{} {
	done := make(chan struct{})
	if delta == 0 {
		close(done) // nothing to persist
		return done
	}
	c.mu.Lock()
	c.pending = append(c.pending, &pendingAdd{delta, done})
	c.mu.Unlock()
	select {
	case c.kick <- struct{}{}:
	default:
	}
	return done
}

// ErrNotCommitted means an add is still pending after AddWait: it will
// still be committed, so the caller must not report it as failed.
var ErrNotCommitted = errors.New("add not committed yet")

// Add adds delta and returns once it is durable.
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
	if v > c.counts[node] {
		c.counts[node] = v
		c.version++
	}
}

// Commit does one step of the committer: re-sync the stored total if it is
// unknown, or cas the in-flight batch (forming one from the pending adds).
// It returns whether there is more to do and whether this step failed.
func (c *Counter) Commit(ctx context.Context) (more, failed bool) {
	c.mu.Lock()
	if c.synced && c.inflight == nil && len(c.pending) > 0 {
		b := &batch{from: c.stored, to: c.stored, adds: c.pending}
		for _, a := range b.adds {
			b.to += a.delta
		}
		c.pending, c.inflight = nil, b
	}
	synced, b := c.synced, c.inflight
	c.mu.Unlock()

	if !synced {
		v, err := c.freshRead(ctx)
		if err != nil {
			log.Printf("re-reading stored total: %v", err)
			return true, true
		}
		c.mu.Lock()
		defer c.mu.Unlock()
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
		return c.inflight != nil || len(c.pending) > 0, false
	}
	if b == nil {
		return false, false
	}
	err := c.store.CAS(ctx, StoreKey(c.id), b.from, b.to, true)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		log.Printf("cas %s %d -> %d: %v", StoreKey(c.id), b.from, b.to, err)
		c.synced = false // re-read before anything else
		return true, true
	}
	c.stored = b.to
	c.finish(b)
	return len(c.pending) > 0, false
}

// finish acknowledges a committed batch; callers hold mu.
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

// Tick returns the gossip due now: our totals to every peer that may lack
// some of them, unless we sent it these very totals less than Retry ago.
func (c *Counter) Tick(now time.Time) []Outgoing {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Outgoing
	for _, p := range c.peers {
		ps := c.peer[p]
		if !c.ahead(ps.known) || (ps.sentVer == c.version && now.Sub(ps.sentAt) < c.cfg.Retry) {
			continue
		}
		ps.sentVer, ps.sentAt = c.version, now
		out = append(out, Outgoing{p, GossipBody{"gossip", maps.Clone(c.counts)}})
	}
	return out
}

// ahead reports whether we hold a total that known lacks; callers hold mu.
func (c *Counter) ahead(known Counts) bool {
	for n, v := range c.counts {
		if v > known[n] {
			return true
		}
	}
	return false
}

// merge takes a peer's totals (and learns that the peer holds them);
// callers hold mu. Slots of nodes outside the cluster are ignored.
func (c *Counter) merge(src string, counts Counts, now time.Time) {
	ps := c.peer[src]
	for n, v := range counts {
		if n != c.id && c.peer[n] == nil {
			continue
		}
		c.raise(n, v)
		if ps != nil && v > ps.known[n] {
			ps.known[n] = v
		}
	}
	if ps != nil {
		ps.heardAt = now
	}
}

// HandleGossip merges a peer's totals and answers with ours.
func (c *Counter) HandleGossip(src string, counts Counts, now time.Time) Outgoing {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.merge(src, counts, now)
	return Outgoing{src, GossipBody{"gossip_ack", maps.Clone(c.counts)}}
}

// HandleAck merges the totals a peer acknowledged our gossip with.
func (c *Counter) HandleAck(src string, counts Counts, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.merge(src, counts, now)
}

// Silent lists the peers not heard from for Poll.
func (c *Counter) Silent(now time.Time) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, p := range c.peers {
		if now.Sub(c.peer[p].heardAt) >= c.cfg.Poll {
			out = append(out, p)
		}
	}
	return out
}

// PollPeer merges a peer's total as the store has it (possibly stale).
func (c *Counter) PollPeer(ctx context.Context, p string) error {
	v, found, err := c.store.Read(ctx, StoreKey(p))
	if err != nil || !found {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.raise(p, v)
	return nil
}

// Run drives the counter until ctx ends: the committer, the gossip ticker
// (send delivers its messages) and the store poll of silent peers.
func (c *Counter) Run(ctx context.Context, send func(Outgoing)) {
	// The committer wakes on adds only, so the node's first store request
	// comes after the first add, when every node and service is surely up
	// (in Maelstrom, a message to a name not yet registered kills the
	// sender's output for good).
	go func() {
		for {
			select {
			case <-c.kick:
			case <-ctx.Done():
				return
			}
			for {
				more, failed := c.Commit(ctx)
				if failed {
					select {
					case <-time.After(c.cfg.Gossip / 4): // back off a little
					case <-ctx.Done():
						return
					}
					continue
				}
				if !more {
					break
				}
			}
		}
	}()
	go func() {
		t := time.NewTicker(c.cfg.Gossip)
		defer t.Stop()
		for {
			select {
			case now := <-t.C:
				for _, o := range c.Tick(now) {
					send(o)
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		t := time.NewTicker(c.cfg.Poll / 2)
		defer t.Stop()
		for {
			select {
			case now := <-t.C:
				for _, p := range c.Silent(now) {
					if err := c.PollPeer(ctx, p); err != nil {
						log.Printf("reading %s's total: %v", p, err)
					}
				}
			case <-ctx.Done():
				return
			}
		}
	}()
}
