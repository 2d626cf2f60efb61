// Package network is the simulated network every message of a run goes
// through: nodes, test clients and services alike. It reproduces Maelstrom's
// net.clj: one queue per endpoint ordered by delivery deadline, per-message
// latency between servers (none when a client is involved), partitions as
// "grudges" checked when the receiver takes a message, and a journal of every
// send and delivery from which the net statistics are computed. Unlike
// Maelstrom's, each queue is bounded (LimitBacklog): a receiver that stops
// taking messages stops the run instead of filling memory.
package network

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gossip-glomers/internal/wire"
)

// IsClient reports whether a name is a test client's. Maelstrom treats every
// name that starts with "c" as a client, for latency and statistics.
func IsClient(name string) bool { return strings.HasPrefix(name, "c") }

// InvolvesClient reports whether a client is at either end of a message.
func InvolvesClient(m wire.Message) bool { return IsClient(m.Src) || IsClient(m.Dest) }

// DeliverFunc receives the messages addressed to an endpoint, one at a time,
// in the order the endpoint's queue yields them.
type DeliverFunc func(wire.Message)

// ErrUnknownEndpoint is wrapped by Send when the source or destination is not
// registered.
var ErrUnknownEndpoint = errors.New("no such endpoint on the network")

// Network is safe for concurrent use. Sending and delivering take no lock
// shared by the whole network except, briefly, a read lock on the endpoint
// table: message ids come from an atomic counter and partitions from an
// immutable snapshot, so node pumps on different cores do not queue behind
// one another.
type Network struct {
	latency Latency
	journal *Journal
	epoch   time.Time // deadlines are kept as monotonic nanoseconds since then

	nextID atomic.Int64

	rngMu sync.Mutex // only uniform and exponential latencies draw from rng
	rng   *rand.Rand

	partitionMu sync.Mutex                // serialises Partition and Heal
	grudges     atomic.Pointer[grudgeSet] // replaced whole, never changed once published

	mu        sync.RWMutex
	endpoints map[string]*endpoint
	closedAt  map[string]time.Time // when each unregistered endpoint went
	closed    bool
	limit     backlogLimit
}

// grudgeSet is dest -> srcs whose messages it drops.
type grudgeSet map[string]map[string]bool

// Backlog is what waits in an endpoint's queue: a count of messages and
// their size in bytes (source, destination and body).
type Backlog struct {
	Messages int
	Bytes    int64
}

// DefaultBacklogLimit bounds every endpoint's queue in a run. Correct nodes
// at the challenges' official rates have a few messages waiting (measured:
// at most 15 for any node in 25-node broadcast at rate 100 with 100 ms
// latency, 4 in kafka 5b at rate 1000); these limits are orders of magnitude
// above that, so only a node that stopped reading its stdin (or reads it far
// more slowly than messages arrive) reaches them. Maelstrom's queues are
// unbounded.
var DefaultBacklogLimit = Backlog{Messages: 100_000, Bytes: 256 << 20}

// Overflow says which endpoint's queue passed the limit, how much was
// waiting then, and which source sent most of it.
type Overflow struct {
	Endpoint string
	Waiting  Backlog
	// TopSource sent TopSourceMessages of the waiting messages, more than any other source.
	TopSource         string
	TopSourceMessages int
}

type backlogLimit struct {
	max      Backlog // a zero field is no limit
	overflow func(Overflow)
}

func (l backlogLimit) passed(b Backlog) bool {
	return (l.max.Messages > 0 && b.Messages > l.max.Messages) || (l.max.Bytes > 0 && b.Bytes > l.max.Bytes)
}

// LimitBacklog bounds every endpoint's queue (a zero field is no limit).
// The first message that takes a queue past the limit calls overflow, once
// for that endpoint, from the sender's goroutine; messages to that endpoint
// are dropped from then on, since the run is expected to stop.
func (n *Network) LimitBacklog(max Backlog, overflow func(Overflow)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.limit = backlogLimit{max: max, overflow: overflow}
	for _, e := range n.endpoints {
		e.mu.Lock()
		e.limit = n.limit
		e.mu.Unlock()
	}
}

// New returns an empty network. The journal may be nil (nothing recorded).
func New(latency Latency, rng *rand.Rand, journal *Journal) *Network {
	n := &Network{
		latency:   latency,
		journal:   journal,
		epoch:     time.Now(),
		rng:       rng,
		endpoints: map[string]*endpoint{},
	}
	n.grudges.Store(&grudgeSet{})
	return n
}

// Register adds an endpoint; deliver is called from the endpoint's own
// goroutine, so a slow receiver delays only itself.
func (n *Network) Register(name string, deliver DeliverFunc) error {
	return n.register(name, deliver, nil)
}

// BatchDeliverFunc receives, at once, messages that fell due together for
// an endpoint, in the order its queue yields them (see RegisterBatch).
type BatchDeliverFunc func([]wire.Message)

// maxBatch bounds how many messages one batch delivery hands over.
const maxBatch = 256

// RegisterBatch is Register for a receiver that takes several messages at
// once: when the endpoint's queue yields a message and further ones are
// already due (their wait, in whole milliseconds, is zero), they are
// delivered together, in the order one-at-a-time delivery would have given
// them. A node's stdin takes them in one write instead of one each. The
// slice is reused after deliver returns.
func (n *Network) RegisterBatch(name string, deliver BatchDeliverFunc) error {
	return n.register(name, nil, deliver)
}

func (n *Network) register(name string, one DeliverFunc, batch BatchDeliverFunc) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return errors.New("network is closed")
	}
	if _, dup := n.endpoints[name]; dup {
		return fmt.Errorf("endpoint %q is already registered", name)
	}
	e := &endpoint{net: n, name: name, deliver: one, deliverBatch: batch, limit: n.limit,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), alarm: newAlarm()}
	n.endpoints[name] = e
	go e.pump()
	return nil
}

// Unregister removes an endpoint; messages still queued for it are dropped,
// and later sends to it fail as they do in Maelstrom.
func (n *Network) Unregister(name string) {
	n.mu.Lock()
	e := n.endpoints[name]
	delete(n.endpoints, name)
	if e != nil {
		if n.closedAt == nil {
			n.closedAt = map[string]time.Time{}
		}
		n.closedAt[name] = time.Now()
	}
	n.mu.Unlock()
	if e != nil {
		e.shutdown()
	}
}

// ClosedAt tells when the endpoint of that name was unregistered, if it was
// (a closed client: for the warning about a late reply to it).
func (n *Network) ClosedAt(name string) (time.Time, bool) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	at, ok := n.closedAt[name]
	return at, ok
}

// Registered reports whether an endpoint of that name exists now.
func (n *Network) Registered(name string) bool {
	n.mu.RLock()
	defer n.mu.RUnlock()
	_, ok := n.endpoints[name]
	return ok
}

// Send accepts a message: it gets the next global id, is journaled as sent,
// and is queued for its destination with a deadline of now plus its latency.
func (n *Network) Send(m wire.Message) (int64, error) {
	// Maelstrom takes the id before validating, so rejected sends leave gaps.
	id := n.nextID.Add(1) - 1
	m.ID = id
	n.mu.RLock()
	_, srcOK := n.endpoints[m.Src]
	dest := n.endpoints[m.Dest]
	n.mu.RUnlock()
	if !srcOK {
		return id, fmt.Errorf("invalid source %q: %w", m.Src, ErrUnknownEndpoint)
	}
	if dest == nil {
		return id, fmt.Errorf("invalid dest %q: %w", m.Dest, ErrUnknownEndpoint)
	}
	var delay time.Duration
	if !InvolvesClient(m) {
		delay = n.draw()
	}
	now := time.Now()
	// Journaled before it is queued, so a send always precedes its delivery.
	n.journal.record(EventSend, now, m)
	dest.push(queued{deadline: n.since(now) + delay, msg: m})
	return id, nil
}

// draw is one message's latency; only the random distributions need the
// shared generator.
func (n *Network) draw() time.Duration {
	if !n.latency.random() {
		return n.latency.Draw(nil)
	}
	n.rngMu.Lock()
	defer n.rngMu.Unlock()
	return n.latency.Draw(n.rng)
}

// since is t on the network's clock: monotonic nanoseconds since New.
func (n *Network) since(t time.Time) time.Duration { return t.Sub(n.epoch) }

// Partition makes each dest drop messages from the given sources, on top of
// any partition already in place (Maelstrom's drop!).
func (n *Network) Partition(grudge map[string][]string) {
	n.partitionMu.Lock()
	defer n.partitionMu.Unlock()
	next := grudgeSet{}
	for dest, srcs := range *n.grudges.Load() {
		next[dest] = maps.Clone(srcs)
	}
	for dest, srcs := range grudge {
		if next[dest] == nil {
			next[dest] = map[string]bool{}
		}
		for _, src := range srcs {
			next[dest][src] = true
		}
	}
	n.grudges.Store(&next)
}

// Heal removes every partition.
func (n *Network) Heal() {
	n.partitionMu.Lock()
	defer n.partitionMu.Unlock()
	n.grudges.Store(&grudgeSet{})
}

// dropped reports whether dest currently refuses messages from src.
func (n *Network) dropped(src, dest string) bool {
	return (*n.grudges.Load())[dest][src]
}

// Close stops every endpoint; queued messages are discarded, as at
// Maelstrom's teardown.
func (n *Network) Close() {
	n.mu.Lock()
	n.closed = true
	eps := n.endpoints
	n.endpoints = map[string]*endpoint{}
	n.mu.Unlock()
	for _, e := range eps {
		e.shutdown()
	}
}

type queued struct {
	deadline time.Duration // on the network's clock (Network.since)
	msg      wire.Message
}

// queue is a min-heap by deadline; ties keep send order (by message id).
// It is written out rather than built on container/heap, whose interface
// values cost an allocation for every message pushed and popped.
type queue []queued

func (q queue) less(i, j int) bool {
	if q[i].deadline == q[j].deadline {
		return q[i].msg.ID < q[j].msg.ID
	}
	return q[i].deadline < q[j].deadline
}

func (q *queue) push(item queued) {
	*q = append(*q, item)
	h := *q
	for i := len(h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !h.less(i, parent) {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

// pop removes and returns the earliest item; q must not be empty.
func (q *queue) pop() queued {
	h := *q
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h[last] = queued{} // let the message's bytes go
	h = h[:last]
	for i := 0; ; {
		least, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h.less(l, least) {
			least = l
		}
		if r < len(h) && h.less(r, least) {
			least = r
		}
		if least == i {
			break
		}
		h[i], h[least] = h[least], h[i]
		i = least
	}
	*q = h
	return top
}

type endpoint struct {
	net          *Network
	name         string
	deliver      DeliverFunc      // one of these two is set
	deliverBatch BatchDeliverFunc //

	mu         sync.Mutex
	q          queue
	bytes      int64 // of the messages in q
	limit      backlogLimit
	overflowed bool
	wake       chan struct{}
	stop       chan struct{}
	alarm      alarm // the pump sleeps on it until a message is due
}

// shutdown stops the endpoint's pump (once: the network has removed the
// endpoint from its table first).
func (e *endpoint) shutdown() {
	close(e.stop)
	e.alarm.close()
}

// queuedSize is what a message counts for in Backlog.Bytes.
func queuedSize(m wire.Message) int64 { return int64(len(m.Src) + len(m.Dest) + len(m.Body)) }

// push queues a message unless the queue has overflowed; the first message
// past the limit reports the overflow and is dropped.
func (e *endpoint) push(item queued) {
	e.mu.Lock()
	if e.overflowed {
		e.mu.Unlock()
		return
	}
	e.q.push(item)
	e.bytes += queuedSize(item.msg)
	if waiting := (Backlog{Messages: len(e.q), Bytes: e.bytes}); e.limit.passed(waiting) {
		e.overflowed = true
		report := e.overflowLocked(waiting)
		e.q, e.bytes = nil, 0 // nothing waiting here will be delivered
		e.mu.Unlock()
		if e.limit.overflow != nil {
			e.limit.overflow(report)
		}
		return
	}
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// pop takes the earliest message.
func (e *endpoint) pop() (queued, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.q) == 0 {
		return queued{}, false
	}
	return e.popLocked(), true
}

// popDue takes the earliest message if it is due at now (see dueAt).
func (e *endpoint) popDue(now time.Duration) (queued, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.q) == 0 || dueAt(e.q[0].deadline) > now {
		return queued{}, false
	}
	return e.popLocked(), true
}

func (e *endpoint) popLocked() queued {
	item := e.q.pop()
	e.bytes -= queuedSize(item.msg)
	return item
}

// overflowLocked describes the backlog, naming its main source (counted
// once, at the overflow, so the hot path keeps no per-source counts).
func (e *endpoint) overflowLocked(waiting Backlog) Overflow {
	o := Overflow{Endpoint: e.name, Waiting: waiting}
	bySource := map[string]int{}
	for _, item := range e.q {
		bySource[item.msg.Src]++
	}
	for src, n := range bySource {
		if n > o.TopSourceMessages || (n == o.TopSourceMessages && src < o.TopSource) {
			o.TopSource, o.TopSourceMessages = src, n
		}
	}
	return o
}

func (e *endpoint) stopped() bool {
	select {
	case <-e.stop:
		return true
	default:
		return false
	}
}

// dueAt is when, on the network's clock, a message with this deadline is
// delivered. Maelstrom's receiver sleeps (long dt) ms, whole milliseconds
// truncated, so it delivers a message up to a millisecond before its
// deadline, by an amount that depends on when it took the message from the
// queue. Here it is delivered at the one whole millisecond of the network's
// clock in that window, (deadline - 1 ms, deadline]: the same spread of
// earliness, but messages falling due in the same millisecond, for any
// endpoints, wake up at the same instant, so the workbench wakes once for
// all of them rather than once for each (a wake costs tens of µs of CPU on
// a small virtual machine: at challenge 3d's load, most of the workbench's
// cost per message).
func dueAt(deadline time.Duration) time.Duration {
	t := deadline - time.Millisecond + 1 // the window's first instant
	switch r := t % time.Millisecond; {  // round t up to a whole millisecond
	case r > 0:
		return t - r + time.Millisecond
	case r < 0:
		return t - r
	}
	return t
}

// pump is Maelstrom's recv! loop: take the earliest-deadline message, drop it
// if the receiver holds a grudge against its source, otherwise sleep until it
// is due (dueAt) and deliver it. Like Maelstrom, the receiver commits to the
// message it took: one that arrives meanwhile with an earlier deadline waits
// behind it. A batch receiver also gets, with it, the messages that are due
// by then as well.
func (e *endpoint) pump() {
	var batch []wire.Message
	for {
		item, ok := e.pop()
		if !ok {
			select {
			case <-e.wake:
				continue
			case <-e.stop:
				return
			}
		}
		if e.net.dropped(item.msg.Src, e.name) {
			continue
		}
		for { // a loop, so that an alarm that wakes early never delivers early
			wait := dueAt(item.deadline) - e.net.since(time.Now())
			if wait <= 0 {
				break
			}
			e.alarm.sleep(wait)
			if e.stopped() {
				return
			}
		}
		if e.deliverBatch == nil {
			if e.stopped() {
				return
			}
			e.net.journal.record(EventRecv, time.Now(), item.msg)
			e.deliver(item.msg)
			continue
		}
		batch = append(batch[:0], item.msg)
		now := e.net.since(time.Now())
		for len(batch) < maxBatch {
			next, ok := e.popDue(now)
			if !ok {
				break
			}
			if !e.net.dropped(next.msg.Src, e.name) {
				batch = append(batch, next.msg)
			}
		}
		if e.stopped() {
			return
		}
		e.net.journal.recordAll(EventRecv, time.Now(), batch)
		e.deliverBatch(batch)
		clear(batch) // let the messages' bytes go
	}
}
