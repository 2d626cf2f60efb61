package main

import (
	"errors"
	"maps"
	"math"
	"sync"
	"time"
)

// Config tunes the gossip.
type Config struct {
	Interval time.Duration // how often a node looks at what its peers lack
	Retry    time.Duration // resend news a peer has not shown it holds after this long
}

// DefaultConfig is what the binary runs with (Maelstrom passes no flags).
// Nothing in pn-counter measures how fast an add spreads, only the final
// reads after the healed quiet period; a second batches a node's adds into
// few messages and still converges within a couple of seconds.
var DefaultConfig = Config{Interval: time.Second, Retry: 2 * time.Second}

// Slot is one node's share of the counter: the totals of its increments and
// of its decrements (as magnitudes). Both only grow, so two copies of a slot
// merge by taking the larger of each: this is what keeps a decrement from
// being lost when copies merge, where a single signed total merged by max
// would keep the higher, older value (doc/04-crdts/02-counters.md).
type Slot struct {
	Inc int64 `json:"inc"`
	Dec int64 `json:"dec"`
}

func (s Slot) merge(o Slot) Slot { return Slot{max(s.Inc, o.Inc), max(s.Dec, o.Dec)} }

// covers reports whether s already holds everything in o.
func (s Slot) covers(o Slot) bool { return s.Inc >= o.Inc && s.Dec >= o.Dec }

// Counts is a PN-counter's whole state: every node's slot.
type Counts map[string]Slot

// GossipBody is the one message nodes exchange: the sender's whole state,
// and whether it asks for a reply (it carries the sender's own news and the
// sender wants to see it held).
type GossipBody struct {
	Type      string `json:"type"` // "gossip"
	Counts    Counts `json:"counts"`
	WantReply bool   `json:"want_reply,omitempty"`
}

// Outgoing is a message the caller must send.
type Outgoing struct {
	Dest string
	Body GossipBody
}

// Counter is a state-based PN-counter replicated by gossip. Each node
// changes only its own slot (add), and every message carries the whole
// state, which the receiver merges slot by slot, so messages may be lost,
// duplicated or reordered freely.
//
// On each tick a node sends its state to every peer that has not yet shown
// it holds the node's own slot as it is now; it sends again only when the
// slot has changed since, or after Retry. Such a message asks for a reply,
// which the peer sends on its next tick (its state, now holding ours,
// together with any news of its own), so news costs about one message each
// way per peer and tick, however many adds it gathers. A peer cut off by a
// partition is retried every Retry until it answers. Slots of other nodes
// travel along in every message, so news also spreads around a partition.
type Counter struct {
	id    string
	peers []string
	cfg   Config

	mu     sync.Mutex
	counts Counts
	peer   map[string]*peerState
}

type peerState struct {
	known       Slot      // our slot as the peer last showed it to us: it surely holds that
	sent        Slot      // our slot in the last message we sent it
	sentAt      time.Time // when we sent that
	replyWanted bool      // it sent news and waits to see it held
}

// NewCounter returns node id's counter in a cluster of nodeIDs.
func NewCounter(id string, nodeIDs []string, cfg Config) *Counter {
	c := &Counter{id: id, cfg: cfg, counts: Counts{}, peer: map[string]*peerState{}}
	for _, p := range nodeIDs {
		if p != id {
			c.peers = append(c.peers, p)
			c.peer[p] = &peerState{}
		}
	}
	return c
}

// ErrOverflow means an add would take a total beyond an int64.
var ErrOverflow = errors.New("the counter's totals would overflow an int64")

// Add adds delta to this node's slot.
func (c *Counter) Add(delta int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.counts[c.id]
	switch {
	case delta >= 0 && s.Inc <= math.MaxInt64-delta:
		s.Inc += delta
	case delta < 0 && delta != math.MinInt64 && s.Dec <= math.MaxInt64+delta:
		s.Dec -= delta
	default:
		return ErrOverflow
	}
	c.counts[c.id] = s
	return nil
}

// Value is the counter as this node knows it: increments minus decrements.
func (c *Counter) Value() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var v int64
	for _, s := range c.counts {
		v += s.Inc - s.Dec
	}
	return v
}

// Tick returns the messages due now.
func (c *Counter) Tick(now time.Time) []Outgoing {
	c.mu.Lock()
	defer c.mu.Unlock()
	mine := c.counts[c.id]
	var out []Outgoing
	for _, p := range c.peers {
		st := c.peer[p]
		news := !st.known.covers(mine)
		due := news && (!st.sent.covers(mine) || now.Sub(st.sentAt) >= c.cfg.Retry)
		if !due && !st.replyWanted {
			continue
		}
		out = append(out, Outgoing{p, GossipBody{Type: "gossip", Counts: maps.Clone(c.counts), WantReply: news}})
		st.sent, st.sentAt, st.replyWanted = mine, now, false
	}
	return out
}

// Receive merges a peer's state. A message from a node outside the cluster
// is merged too (state is state), but never answered.
func (c *Counter) Receive(src string, m GossipBody) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for node, s := range m.Counts {
		c.counts[node] = c.counts[node].merge(s)
	}
	if st := c.peer[src]; st != nil {
		st.known = st.known.merge(m.Counts[c.id])
		st.replyWanted = st.replyWanted || m.WantReply
	}
}
