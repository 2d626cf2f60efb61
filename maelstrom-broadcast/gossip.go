package main

import (
	"bytes"
	"encoding/json"
	"sync"
	"time"
)

// The overlay is a star: the first node of node_ids is the hub, every other
// node a leaf (Maelstrom's suggested topology is ignored). A leaf pushes each
// value a client gives it to the hub at once ("up"); the hub appends every new
// value to its log and, on each tick of Interval, sends each leaf one "down"
// batch with the log entries that leaf has not acknowledged (minus the ones
// it originated). So a value reaches every node in two hops plus at most one
// interval, and the whole cluster costs one message per broadcast plus
// (nodes-1) messages per interval in which anything happened.
//
// Delivery is acknowledged both ways by sequence numbers: the hub numbers its
// log 1, 2, ... and each leaf numbers its own values 1, 2, ...; "down"
// carries the hub's count of the leaf's values received in order, "up" the
// leaf's count of hub entries received in order. Acks ride on the traffic
// that flows anyway; a leaf sends a bare ack only when it has had nothing to
// push for AckDelay. Anything unacknowledged is resent after Retry, so a
// partition delays values but never loses them. Every batch restarts from the
// last acknowledged position and is cut at MaxBatchBytes, so lines stay well
// under the Maelstrom library's 64 KiB limit.
//
// Reads wait for freshness. A read at a leaf answers when the next batch from
// the hub arrives (or after ReadWait, e.g. while a partition cuts it off).
// That batch left the hub at most one latency before the read came in, so it
// holds every value that reached the hub before then: a read misses only the
// values acknowledged less than two network latencies before it, whatever
// the interval. So the interval trades messages against read latency, not
// against staleness (Maelstrom's stable latency, which 3d and 3e bound). The
// hub holds every value first and answers at once.

// Config tunes the gossip.
type Config struct {
	Interval      time.Duration // hub batch period; leaves check acks/retries as often
	AckDelay      time.Duration // a leaf reports acks at least this often when it has something to ack
	Retry         time.Duration // resend what is unacknowledged this long after the last send
	MaxBatchBytes int           // cap on the encoded values of one message
	ReadWait      time.Duration // longest a leaf's read waits for the next batch (0: reads answer at once)
}

// DefaultConfig is what Maelstrom runs (it passes no flags). The interval is
// the sweet spot of the 3d/3e sweep (glomers bench-broadcast, bench/
// broadcast.md): about 1.1 servers msgs-per-op, with stable latency far
// under 3d's targets; longer intervals save messages but make reads wait
// longer and so slow the clients down (fewer operations per message).
var DefaultConfig = Config{
	Interval:      400 * time.Millisecond,
	AckDelay:      time.Second,
	Retry:         2 * time.Second,
	MaxBatchBytes: 16 << 10,
	ReadWait:      time.Second,
}

// Outgoing is a message the caller must send.
type Outgoing struct {
	Dest string
	Body any
}

// upBody: a leaf's values with its sequence numbers From+1, From+2, ...,
// and the count of hub entries it holds in order.
type upBody struct {
	Type string            `json:"type"` // "up"
	From int               `json:"from"`
	Vals []json.RawMessage `json:"vals"`
	Ack  int               `json:"ack"`
}

// downBody: hub log entries From+1..To (without the recipient's own values),
// More if the log goes beyond To, and the count of the recipient's values the
// hub holds in order.
type downBody struct {
	Type string            `json:"type"` // "down"
	From int               `json:"from"`
	To   int               `json:"to"`
	More bool              `json:"more,omitempty"`
	Vals []json.RawMessage `json:"vals"`
	Ack  int               `json:"ack"`
}

type logEntry struct {
	val    json.RawMessage
	origin string // the leaf it came from, or the hub itself
}

// leafView is the hub's view of one leaf.
type leafView struct {
	acked     int       // hub entries the leaf holds in order
	sentTo    int       // end of the last batch sent
	lastSent  time.Time // when it was sent
	received  int       // the leaf's values held in order
	ackedUpTo int       // the last value of received sent back
}

// Gossip is one node's broadcast state. All methods are safe for concurrent
// use; those that produce messages return them for the caller to send.
type Gossip struct {
	mu   sync.Mutex
	cfg  Config
	self string
	hub  string

	seen   map[string]bool
	values []json.RawMessage

	// hub side
	log    []logEntry
	leaves map[string]*leafView
	order  []string // leaves in node_ids order

	// leaf side
	own      []json.RawMessage // values clients gave this leaf, in order
	upAcked  int               // of own, held by the hub in order
	lastUp   time.Time         // when the last up was sent
	hubAck   int               // hub entries held in order
	ackSent  int               // hubAck as last reported to the hub
	upSentTo int               // end of the last up sent
	fresh    chan struct{}     // closed by the next down; nil while no read waits
}

// NewGossip returns the state of node self among nodes (node_ids order).
func NewGossip(self string, nodes []string, cfg Config) *Gossip {
	g := &Gossip{cfg: cfg, self: self, seen: map[string]bool{}, leaves: map[string]*leafView{}}
	if len(nodes) > 0 {
		g.hub = nodes[0]
	} else {
		g.hub = self
	}
	if g.isHub() {
		for _, n := range nodes {
			if n != self {
				g.leaves[n] = &leafView{}
				g.order = append(g.order, n)
			}
		}
	}
	return g
}

func (g *Gossip) isHub() bool { return g.self == g.hub }

// add stores v if it is new; values are compared by their compact JSON.
func (g *Gossip) add(v json.RawMessage) (json.RawMessage, bool) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, v); err == nil {
		v = buf.Bytes()
	}
	if g.seen[string(v)] {
		return v, false
	}
	g.seen[string(v)] = true
	g.values = append(g.values, v)
	return v, true
}

// Fresh returns a channel closed when the next batch from the hub arrives
// (already closed on the hub, which holds every value first).
func (g *Gossip) Fresh() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.isHub() {
		ch := make(chan struct{})
		close(ch)
		return ch
	}
	if g.fresh == nil {
		g.fresh = make(chan struct{})
	}
	return g.fresh
}

// Read returns every value this node holds.
func (g *Gossip) Read() []json.RawMessage {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]json.RawMessage{}, g.values...)
}

// Broadcast stores a value from a client. A leaf pushes it to the hub at once.
func (g *Gossip) Broadcast(v json.RawMessage, now time.Time) []Outgoing {
	g.mu.Lock()
	defer g.mu.Unlock()
	v, fresh := g.add(v)
	if !fresh {
		return nil
	}
	if g.isHub() {
		g.log = append(g.log, logEntry{val: v, origin: g.self})
		return nil
	}
	g.own = append(g.own, v)
	return []Outgoing{g.up(now)}
}

// up builds the leaf's next message to the hub: everything unacknowledged
// (up to the size cap) and its ack.
func (g *Gossip) up(now time.Time) Outgoing {
	vals := capped(g.own[g.upAcked:], g.cfg.MaxBatchBytes)
	g.lastUp = now
	g.ackSent = g.hubAck
	g.upSentTo = g.upAcked + len(vals)
	return Outgoing{Dest: g.hub, Body: upBody{Type: "up", From: g.upAcked, Vals: vals, Ack: g.hubAck}}
}

// HandleUp is the hub receiving a leaf's message.
func (g *Gossip) HandleUp(src string, m upBody) {
	g.mu.Lock()
	defer g.mu.Unlock()
	lv := g.leaves[src]
	if lv == nil { // a node not in node_ids: serve it all the same
		lv = &leafView{}
		g.leaves[src] = lv
		g.order = append(g.order, src)
	}
	for i, raw := range m.Vals {
		v, fresh := g.add(raw)
		if fresh {
			g.log = append(g.log, logEntry{val: v, origin: src})
		}
		if m.From+i+1 == lv.received+1 {
			lv.received++
		}
	}
	if m.From < lv.received {
		// The leaf does not know all we hold (new values, or our ack was
		// lost): owe it an ack.
		lv.ackedUpTo = min(lv.ackedUpTo, m.From)
	}
	lv.acked = max(lv.acked, min(m.Ack, len(g.log)))
}

// HandleDown is a leaf receiving a batch from the hub.
func (g *Gossip) HandleDown(m downBody, now time.Time) []Outgoing {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, raw := range m.Vals {
		g.add(raw)
	}
	// The batch starts at what the hub knows we hold, which is never more
	// than we do hold, so it extends our in-order prefix.
	if m.From <= g.hubAck {
		g.hubAck = max(g.hubAck, m.To)
	}
	if m.From < g.hubAck {
		// The hub does not know all we hold (news, or our ack was lost):
		// report it on the next up.
		g.ackSent = min(g.ackSent, m.From)
	}
	g.upAcked = max(g.upAcked, min(m.Ack, len(g.own)))
	if g.fresh != nil { // release the reads waiting for this batch
		close(g.fresh)
		g.fresh = nil
	}
	if m.More {
		// The hub has more than fits in a batch: ack now so it moves on.
		return []Outgoing{g.up(now)}
	}
	return nil
}

// Tick runs every Interval: the hub sends batches, a leaf retries and acks.
func (g *Gossip) Tick(now time.Time) []Outgoing {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.isHub() {
		return g.hubTick(now)
	}
	return g.leafTick(now)
}

func (g *Gossip) hubTick(now time.Time) []Outgoing {
	var out []Outgoing
	head := len(g.log)
	for _, name := range g.order {
		lv := g.leaves[name]
		news := lv.sentTo < head
		owesAck := lv.received > lv.ackedUpTo
		retry := lv.acked < head && now.Sub(lv.lastSent) >= g.cfg.Retry
		if !news && !owesAck && !retry {
			continue
		}
		out = append(out, Outgoing{Dest: name, Body: g.batch(name, lv, now)})
	}
	return out
}

// batch builds the down message for one leaf, from what it acknowledged.
func (g *Gossip) batch(name string, lv *leafView, now time.Time) downBody {
	vals := []json.RawMessage{}
	size := 0
	to := lv.acked
	for _, e := range g.log[lv.acked:] {
		if e.origin != name {
			if size+len(e.val)+1 > g.cfg.MaxBatchBytes && len(vals) > 0 {
				break
			}
			size += len(e.val) + 1
			vals = append(vals, e.val)
		}
		to++
	}
	lv.sentTo, lv.lastSent, lv.ackedUpTo = to, now, lv.received
	return downBody{Type: "down", From: lv.acked, To: to, More: to < len(g.log), Vals: vals, Ack: lv.received}
}

func (g *Gossip) leafTick(now time.Time) []Outgoing {
	since := now.Sub(g.lastUp)
	unacked := g.upAcked < len(g.own)
	fresh := g.upSentTo < len(g.own) // values the last up did not carry (size cap)
	if (unacked && (fresh || since >= g.cfg.Retry)) || (g.hubAck > g.ackSent && since >= g.cfg.AckDelay) {
		return []Outgoing{g.up(now)}
	}
	return nil
}

// capped returns the longest prefix of vals whose encoding fits in limit
// bytes (at least one value, so progress is always made); never nil, so it
// encodes as [].
func capped(vals []json.RawMessage, limit int) []json.RawMessage {
	size := 0
	for i, v := range vals {
		if size+len(v)+1 > limit && i > 0 {
			return vals[:i]
		}
		size += len(v) + 1
	}
	if vals == nil {
		return []json.RawMessage{}
	}
	return vals
}
