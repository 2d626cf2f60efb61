package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"
)

// The replicated log.
//
// Every key has an owner, the only node that assigns its offsets: dense
// offsets 0, 1, 2, ... Ownership is numbered by epochs. In epoch 0 the owner
// is nodes[fnv(key) mod N]; a new epoch starts only by a compare-and-set on
// the key's record in lin-kv (see Record), so the record always names the
// current epoch and owner. Each entry remembers the epoch that appended it,
// and at most one node appends in an epoch, so two logs that hold an entry
// of the same epoch at the same offset hold the same message.
//
// The hot path uses no lin-kv: the owner appends, replicates to every other
// node in batches (one sync RPC in flight per peer, everything queued
// meanwhile riding in the next one), and acknowledges the send once every
// peer has acknowledged the entry. A send arriving at another node is
// forwarded to the owner, whose reply carries the entry; the forwarder
// stores it and acknowledges it later, riding along with other traffic.
// Polls and committed offsets are served locally.
//
// When a peer does not answer (a partition), the owner commits through
// lin-kv instead: it writes its log tail into the key's record with a
// compare-and-set, fenced by the epoch. A node that must append to a key
// whose owner it cannot reach takes the key over: it stops accepting the
// old epoch's entries, reads the record, merges it with its own log (which
// holds every entry the owner committed by replication, since those needed
// its acknowledgement) and writes itself as the owner of the next epoch. An
// owner that loses the race learns of it from its next compare-and-set (or
// from the new owner) and gives up whatever it had not committed; a send
// that was waiting on such an entry is retried if the entry is certainly
// gone, and succeeds if the merge kept it. Polls read the records when the
// leases below do not vouch for the local copy, so they still see every
// acknowledged send.
//
// Visibility: the owner exposes an entry to polls once it is committed.
// A follower exposes what it received when the owner's only peer is itself
// (N = 2: the entry is then in both logs, and any later merge keeps it),
// otherwise up to the commit point the owner sends along. A poll on the
// owner waits for entries it already answered a forwarder about.
//
// Leases keep polls fresh across partitions. A node that answers a peer's
// RPC while it considers that peer reachable promises, for Lease, neither
// to take the peer's keys over nor to commit through lin-kv an entry the
// peer has not acknowledged. The asking node counts the lease from before
// it sent the request, so its lease ends before the promise does (the nodes
// share a machine's clock rate). A node serves polls from its own log while
// it holds a lease from every peer; otherwise it reads the polled keys'
// records first. Idle links renew their leases with empty syncs.

// Config tunes timeouts and batching.
type Config struct {
	MinTimeout    time.Duration // peer RPC timeout floor (adapts to 10x the round trip)
	MaxTimeout    time.Duration // and ceiling
	KVTimeout     time.Duration // lin-kv requests
	AckDelay      time.Duration // how long an acknowledgement waits for a ride
	GossipDelay   time.Duration // how long committed consumer offsets wait
	RetryInterval time.Duration // pause before retrying an unreachable peer
	SendTimeout   time.Duration // a client's send gives up (indefinite) after this
	Lease         time.Duration // how long an answered RPC vouches for the answerer
	MaxBatchBytes int           // keep peer messages far below the 64 KiB line limit
}

// DefaultConfig suits Maelstrom's local networks.
var DefaultConfig = Config{
	MinTimeout:    100 * time.Millisecond,
	MaxTimeout:    2 * time.Second,
	KVTimeout:     time.Second,
	AckDelay:      10 * time.Millisecond,
	GossipDelay:   50 * time.Millisecond,
	RetryInterval: 100 * time.Millisecond,
	SendTimeout:   3 * time.Second,
	Lease:         200 * time.Millisecond,
	MaxBatchBytes: 24 << 10,
}

// leaseMargin is added to a promise, on top of the lease it backs.
const leaseMargin = 10 * time.Millisecond

// Transport is the node's network, for RPCs to peers and lin-kv.
type Transport interface {
	// RPC returns the reply body; an error reply is a *maelstrom.RPCError.
	RPC(ctx context.Context, dest string, body any, timeout time.Duration) (json.RawMessage, error)
	// Send sends a message that gets no reply.
	Send(dest string, body any) error
}

// Entry is one log entry: the appending epoch and the message.
type Entry struct {
	Epoch int64
	Msg   json.RawMessage
}

// MarshalJSON writes [epoch, msg].
func (e Entry) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{e.Epoch, e.Msg})
}

// UnmarshalJSON reads [epoch, msg].
func (e *Entry) UnmarshalJSON(b []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil {
		return err
	}
	if len(pair) != 2 {
		return fmt.Errorf("entry %s is not [epoch, msg]", b)
	}
	if err := json.Unmarshal(pair[0], &e.Epoch); err != nil {
		return err
	}
	e.Msg = pair[1]
	return nil
}

// Record is a key's lin-kv value: the current epoch and owner, and the log
// from offset From on as far as it was committed through lin-kv. Every node
// holds the log before From.
type Record struct {
	Epoch int64   `json:"epoch"`
	Owner string  `json:"owner"`
	From  int     `json:"from"`
	Prev  int64   `json:"prev"` // epoch of the entry before From (-1 at 0)
	Log   []Entry `json:"log"`
}

// Item is a slice of an owner's log sent to a follower.
type Item struct {
	Key    string  `json:"key"`
	Epoch  int64   `json:"epoch"`
	Owner  string  `json:"owner"`
	From   int     `json:"from"`
	Prev   int64   `json:"prev"` // epoch of the owner's entry before From (-1 at 0)
	Log    []Entry `json:"log"`
	Commit int     `json:"commit"`
}

// Ack says a follower's log of key holds the owner's first Len entries in
// Epoch (-1: it could not tell, resend from what it acknowledged before).
type Ack struct {
	Key   string `json:"key"`
	Epoch int64  `json:"epoch"`
	Len   int    `json:"len"`
	Have  int    `json:"have,omitempty"` // with Len -1: a prefix it surely holds
}

// Nack refuses an item: the sender's epoch is over (Epoch is newer), or
// this node is taking the key over (Epoch is the same).
type Nack struct {
	Key   string `json:"key"`
	Epoch int64  `json:"epoch"`
	Owner string `json:"owner"`
}

// Sync is the body of kafka_sync (an RPC, when it carries items) and
// kafka_notify (one-way, acknowledgements and consumer offsets only).
type Sync struct {
	Type    string           `json:"type"`
	Items   []Item           `json:"items,omitempty"`
	Acks    []Ack            `json:"acks,omitempty"`
	Commits map[string]int64 `json:"commits,omitempty"`
}

// SyncReply is kafka_sync_ok. Lease grants the asker a lease.
type SyncReply struct {
	Type  string `json:"type"`
	Acks  []Ack  `json:"acks,omitempty"`
	Nacks []Nack `json:"nacks,omitempty"`
	Lease bool   `json:"lease,omitempty"`
}

// Forward is kafka_fwd: a send forwarded to the key's owner, with any
// acknowledgements and consumer offsets owed to it riding along.
type Forward struct {
	Type    string           `json:"type"`
	Key     string           `json:"key"`
	Msg     json.RawMessage  `json:"msg"`
	Acks    []Ack            `json:"acks,omitempty"`
	Commits map[string]int64 `json:"commits,omitempty"`
}

// ForwardReply is kafka_fwd_ok: the offset and the entries the forwarder
// lacks, or (Retry) a refusal that appended nothing.
type ForwardReply struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Item   *Item  `json:"item,omitempty"`
	Retry  bool   `json:"retry,omitempty"`
	Epoch  int64  `json:"epoch,omitempty"`
	Owner  string `json:"owner,omitempty"`
	Lease  bool   `json:"lease,omitempty"`
}

// Errors a send can end with.
var (
	// errUnavailable: nothing was appended (definite).
	errUnavailable = maelstrom.NewRPCError(maelstrom.TemporarilyUnavailable, "key unavailable, nothing appended")
	// errIndefinite: the message may or may not be in the log.
	errIndefinite = maelstrom.NewRPCError(maelstrom.Crash, "send outcome unknown")
)

// KV is the part of lin-kv the broker uses.
type KV interface {
	// Read returns the raw value, or exists=false.
	Read(ctx context.Context, key string) (raw json.RawMessage, exists bool, err error)
	// CAS sets key to to if it holds from (or, with create, is absent);
	// errPrecondition if it holds something else.
	CAS(ctx context.Context, key string, from, to any, create bool) error
}

var errPrecondition = errors.New("precondition failed")

// result ends a waiting send.
type result struct {
	offset int
	err    error
	retry  bool // the entry is certainly gone: append again
}

// waiter is a send waiting for its entry to commit; forwarder is set for
// a forwarded one.
type waiter struct {
	offset    int
	epoch     int64
	forwarder string
	done      chan result
}

// keyState is one key's log on this node.
type keyState struct {
	key     string
	epoch   int64
	owner   string
	log     []Entry
	exposed int // entries polls may see
	// matched: as a follower, the prefix known to equal the owner's log (what
	// acknowledgements report; entries past it may be stale leftovers).
	matched int

	// while taking the key over
	frozen   bool
	takeover chan struct{}
	// stale: a newer epoch is known but not its log; polls read the record
	stale bool

	// owner side
	acked      map[string]int // per peer, entries it holds
	sent       map[string]int // per peer, entries sent to it
	commitSent map[string]int // per peer, commit point sent (N > 2)
	kvLen      int            // entries committed through lin-kv this epoch
	rec        json.RawMessage
	kvBusy     bool
	kvTarget   int // entries an in-flight compare-and-set would commit
	waiters    []*waiter
	pendingAt  time.Time // when the oldest uncommitted entry appeared
	promised   int       // entries answered to forwarders (polls wait for them)
}

// link is this node's view of one peer.
type link struct {
	peer        string
	down        bool
	wake        chan struct{}
	acksOwed    map[string]bool // keys the peer owns whose entries we must acknowledge
	commitsOwed map[string]bool // consumer offsets to tell it
	owedSince   time.Time
	progressAt  time.Time // last acknowledgement from it
	leaseUntil  time.Time // the peer vouches for itself until then
	promised    time.Time // this node vouches to the peer until then
}

// Broker is one node's kafka-style log service.
type Broker struct {
	self  string
	nodes []string
	peers []string
	t     Transport
	kv    KV
	cfg   Config

	mu      sync.Mutex
	keys    map[string]*keyState
	offsets map[string]int64 // committed consumer offsets
	links   map[string]*link
	rtt     time.Duration // smoothed peer round trip
	frozen  int           // keys being taken over

	loops atomic.Int64 // replication loop iterations (tests check idling)
}

// NewBroker returns the broker of node self among nodes.
func NewBroker(self string, nodes []string, t Transport, kv KV, cfg Config) *Broker {
	b := &Broker{self: self, nodes: nodes, t: t, kv: kv, cfg: cfg,
		keys: map[string]*keyState{}, offsets: map[string]int64{}, links: map[string]*link{}}
	for _, n := range nodes {
		if n != self {
			b.peers = append(b.peers, n)
			b.links[n] = &link{peer: n, wake: make(chan struct{}, 1),
				acksOwed: map[string]bool{}, commitsOwed: map[string]bool{}}
		}
	}
	return b
}

// Run starts the replication loops; they stop with ctx.
func (b *Broker) Run(ctx context.Context) {
	for _, l := range b.links {
		go b.runLink(ctx, l)
		poke(l) // take the first leases
	}
	go b.watchdog(ctx)
}

// homeOwner is a key's epoch-0 owner.
func homeOwner(k string, nodes []string) string {
	h := fnv.New32a()
	h.Write([]byte(k))
	return nodes[int(h.Sum32()%uint32(len(nodes)))]
}

func (b *Broker) key(k string) *keyState {
	ks := b.keys[k]
	if ks == nil {
		ks = &keyState{key: k, owner: homeOwner(k, b.nodes)}
		b.keys[k] = ks
		if ks.owner == b.self {
			b.becomeOwner(ks, 0)
		}
	}
	return ks
}

// becomeOwner sets up the owner-side state, every peer known to hold the
// first from entries.
func (b *Broker) becomeOwner(ks *keyState, from int) {
	ks.owner = b.self
	ks.acked, ks.sent, ks.commitSent = map[string]int{}, map[string]int{}, map[string]int{}
	for _, p := range b.peers {
		ks.acked[p], ks.sent[p], ks.commitSent[p] = from, from, from
	}
}

// ---- client requests ----

// Send appends msg to key's log and returns its offset.
func (b *Broker) Send(ctx context.Context, k string, msg json.RawMessage) (int, error) {
	deadline := time.Now().Add(b.cfg.SendTimeout)
	ambiguous := false
	for attempt := 0; attempt < 5 && time.Now().Before(deadline); attempt++ {
		b.mu.Lock()
		ks := b.key(k)
		if ks.owner == b.self && !ks.frozen {
			w := b.appendLocal(ks, msg, "")
			b.mu.Unlock()
			r := b.await(w, deadline)
			if r.retry {
				continue
			}
			return r.offset, r.err
		}
		owner, down := ks.owner, b.isDown(ks.owner) || ks.frozen
		b.mu.Unlock()
		if down {
			if err := b.takeover(ctx, k); err != nil {
				return 0, b.failure(ambiguous)
			}
			continue
		}
		off, retry, err := b.forward(ctx, owner, k, msg)
		if retry {
			continue
		}
		if err == errIndefinite {
			ambiguous = true
		}
		return off, err
	}
	return 0, b.failure(ambiguous)
}

func (b *Broker) failure(ambiguous bool) error {
	if ambiguous {
		return errIndefinite
	}
	return errUnavailable
}

// await waits for a send's entry to commit.
func (b *Broker) await(w *waiter, deadline time.Time) result {
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case r := <-w.done:
		return r
	case <-t.C:
		return result{err: errIndefinite}
	}
}

// appendLocal appends as the owner and starts replicating.
func (b *Broker) appendLocal(ks *keyState, msg json.RawMessage, forwarder string) *waiter {
	if ks.exposed == len(ks.log) {
		ks.pendingAt = time.Now()
	}
	ks.log = append(ks.log, Entry{Epoch: ks.epoch, Msg: msg})
	w := &waiter{offset: len(ks.log) - 1, epoch: ks.epoch, forwarder: forwarder, done: make(chan result, 1)}
	ks.waiters = append(ks.waiters, w)
	kvNeeded := false
	for _, l := range b.links {
		if l.down {
			kvNeeded = true
		} else if l.peer != forwarder {
			poke(l)
		}
	}
	b.advance(ks)
	if kvNeeded {
		b.startKVCommit(ks)
	}
	return w
}

// advance moves an owner's commit point and finishes the sends it covers. A
// forwarded send is answered once every peer but its forwarder has the entry
// (the forwarder stores it from the answer).
func (b *Broker) advance(ks *keyState) {
	if ks.owner != b.self {
		return
	}
	commit := len(ks.log)
	for _, p := range b.peers {
		commit = min(commit, ks.acked[p])
	}
	commit = max(commit, ks.kvLen)
	if commit > ks.exposed {
		ks.exposed = commit
		if ks.exposed == len(ks.log) {
			ks.pendingAt = time.Time{}
		} else {
			ks.pendingAt = time.Now()
		}
	}
	kept := ks.waiters[:0]
	for _, w := range ks.waiters {
		if w.epoch != ks.epoch {
			kept = append(kept, w) // settled by settle, never by a commit
			continue
		}
		done := w.offset < ks.exposed
		if !done && w.forwarder != "" {
			others := len(ks.log)
			for _, p := range b.peers {
				if p != w.forwarder {
					others = min(others, ks.acked[p])
				}
			}
			done = w.offset < max(others, ks.kvLen)
		}
		if done {
			w.done <- result{offset: w.offset}
		} else {
			kept = append(kept, w)
		}
	}
	ks.waiters = kept
}

// forward sends a send to the key's owner.
func (b *Broker) forward(ctx context.Context, owner, k string, msg json.RawMessage) (off int, retry bool, err error) {
	b.mu.Lock()
	timeout := b.timeout()
	req := Forward{Type: "kafka_fwd", Key: k, Msg: msg}
	l := b.links[owner]
	if l != nil {
		req.Acks, req.Commits = b.owed(l)
	}
	b.mu.Unlock()
	start := time.Now()
	raw, err := b.t.RPC(ctx, owner, req, timeout)
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil && l != nil {
		b.reowe(l, req.Acks, req.Commits)
	}
	if err != nil {
		var rpcErr *maelstrom.RPCError
		if errors.As(err, &rpcErr) && rpcErr.Code == maelstrom.TemporarilyUnavailable {
			return 0, true, nil // not initialised yet: nothing appended
		}
		if l := b.links[owner]; l != nil {
			l.down = true
		}
		return 0, false, errIndefinite
	}
	var rep ForwardReply
	if err := json.Unmarshal(raw, &rep); err != nil {
		return 0, false, errIndefinite
	}
	b.gotReply(owner, start, rep.Lease)
	ks := b.key(k)
	if rep.Retry {
		if rep.Epoch > ks.epoch {
			b.learn(ks, rep.Epoch, rep.Owner)
		}
		return 0, true, nil
	}
	if rep.Item == nil {
		// The owner was deposed meanwhile, but the entry made it into the
		// new owner's log: committed, and replication brings it here.
		return rep.Offset, false, nil
	}
	// For two nodes the entry is committed only once it is here too: if we
	// cannot store it (we are taking the key over, or it is already gone)
	// the outcome is unknown.
	if _, nack := b.apply(ks, *rep.Item); nack != nil ||
		rep.Offset >= len(ks.log) || ks.log[rep.Offset].Epoch != rep.Item.Epoch {
		return 0, false, errIndefinite
	}
	if l := b.links[owner]; l != nil {
		b.owe(l, k)
	}
	if len(b.nodes) > 2 {
		ks.exposed = max(ks.exposed, min(rep.Offset+1, len(ks.log)))
	}
	return rep.Offset, false, nil
}

// HandleForward appends a forwarded send as the owner.
func (b *Broker) HandleForward(src string, req Forward) ForwardReply {
	b.mu.Lock()
	b.takeAcks(src, req.Acks)
	b.takeCommits(req.Commits)
	ks := b.key(req.Key)
	if ks.owner != b.self || ks.frozen {
		rep := ForwardReply{Type: "kafka_fwd_ok", Retry: true, Epoch: ks.epoch, Owner: ks.owner, Lease: b.grant(src)}
		b.mu.Unlock()
		return rep
	}
	w := b.appendLocal(ks, req.Msg, src)
	b.mu.Unlock()
	r := b.await(w, time.Now().Add(b.cfg.SendTimeout))
	b.mu.Lock()
	defer b.mu.Unlock()
	if r.retry {
		return ForwardReply{Type: "kafka_fwd_ok", Retry: true, Epoch: ks.epoch, Owner: ks.owner, Lease: b.grant(src)}
	}
	if r.err != nil {
		// Unknown outcome: let the forwarder's request time out.
		return ForwardReply{}
	}
	rep := ForwardReply{Type: "kafka_fwd_ok", Offset: r.offset, Lease: b.grant(src)}
	if ks.owner == b.self {
		ks.promised = max(ks.promised, r.offset+1)
		from := ks.acked[src]
		if b.entriesBytes(ks.log[from:]) > b.cfg.MaxBatchBytes {
			from = r.offset
		}
		item := b.item(ks, from, len(ks.log))
		rep.Item = &item
		ks.sent[src] = max(ks.sent[src], len(ks.log))
	}
	return rep
}

func (b *Broker) entriesBytes(es []Entry) int {
	n := 0
	for _, e := range es {
		n += len(e.Msg) + 24
	}
	return n
}

func (b *Broker) item(ks *keyState, from, to int) Item {
	return Item{Key: ks.key, Epoch: ks.epoch, Owner: b.self, From: from, Prev: prevEpoch(ks.log, from),
		Log: append([]Entry(nil), ks.log[from:to]...), Commit: ks.exposed}
}

// prevEpoch is the epoch of the entry before offset from (-1 at 0).
func prevEpoch(log []Entry, from int) int64 {
	if from == 0 {
		return -1
	}
	return log[from-1].Epoch
}

// agrees reports whether a log holds, before offset from, what a sender
// whose entry there has epoch prev holds: two logs with an entry of the same
// epoch at the same offset agree up to it (one appender per epoch, and
// every append is checked this way).
func agrees(log []Entry, from int, prev int64) bool {
	return from <= len(log) && prevEpoch(log, from) == prev
}

// Poll returns, per requested key, the exposed entries from the offset on;
// keys with none are left out.
func (b *Broker) Poll(ctx context.Context, offsets map[string]int64) map[string][][2]any {
	b.mu.Lock()
	var refresh []string
	fresh := b.fresh()
	for k := range offsets {
		// Without every peer's lease, a key may have been committed to or
		// taken over through lin-kv: read the records.
		if ks := b.key(k); !fresh || ks.stale {
			refresh = append(refresh, k)
		}
	}
	b.mu.Unlock()
	if len(refresh) > 0 {
		var wg sync.WaitGroup
		for _, k := range refresh {
			wg.Add(1)
			go func(k string) {
				defer wg.Done()
				b.refresh(ctx, k) //nolint:errcheck // best effort: serve what we have
			}(k)
		}
		wg.Wait()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	// Sends forwarded to this owner were acknowledged once the forwarder had
	// the entry; this node exposes them when the forwarder says so, or once
	// it commits them through lin-kv if that takes too long.
	start := time.Now()
	deadline := start.Add(b.cfg.SendTimeout)
	for k := range offsets {
		for ks := b.keys[k]; ks != nil && ks.owner == b.self && ks.exposed < min(ks.promised, len(ks.log)) &&
			time.Now().Before(deadline); {
			if time.Since(start) > b.timeout() {
				b.startKVCommit(ks)
			}
			b.mu.Unlock()
			time.Sleep(100 * time.Microsecond)
			b.mu.Lock()
		}
	}
	// Waiting may have deposed this node; read what the new owner holds.
	var again []string
	for k := range offsets {
		if ks := b.keys[k]; ks != nil && ks.stale {
			again = append(again, k)
		}
	}
	if len(again) > 0 {
		b.mu.Unlock()
		for _, k := range again {
			b.refresh(ctx, k) //nolint:errcheck // best effort: serve what we have
		}
		b.mu.Lock()
	}
	out := map[string][][2]any{}
	for k, o := range offsets {
		ks := b.keys[k]
		from := int(max(o, 0))
		if ks == nil || from >= ks.exposed {
			continue
		}
		pairs := make([][2]any, 0, ks.exposed-from)
		for i := from; i < ks.exposed; i++ {
			pairs = append(pairs, [2]any{i, ks.log[i].Msg})
		}
		out[k] = pairs
	}
	return out
}

// Commit records consumer offsets and gossips them.
func (b *Broker) Commit(offsets map[string]int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	for k, o := range offsets {
		if cur, ok := b.offsets[k]; ok && cur >= o {
			continue
		}
		b.offsets[k] = o
		for _, l := range b.links {
			if len(l.acksOwed) == 0 && len(l.commitsOwed) == 0 {
				l.owedSince = now
			}
			l.commitsOwed[k] = true
			poke(l)
		}
	}
}

// Committed returns the committed offsets of the keys that have one.
func (b *Broker) Committed(keys []string) map[string]int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]int64{}
	for _, k := range keys {
		if o, ok := b.offsets[k]; ok {
			out[k] = o
		}
	}
	return out
}

// apply stores an owner's item as a follower; it returns the ack, or a nack
// when the item's epoch is over or the key is being taken over.
func (b *Broker) apply(ks *keyState, it Item) (Ack, *Nack) {
	if it.Epoch < ks.epoch || (it.Epoch == ks.epoch && (ks.frozen || ks.owner == b.self)) {
		return Ack{}, &Nack{Key: ks.key, Epoch: ks.epoch, Owner: ks.owner}
	}
	if it.Epoch > ks.epoch {
		if ks.frozen {
			return Ack{}, &Nack{Key: ks.key, Epoch: ks.epoch, Owner: ks.owner}
		}
		b.learn(ks, it.Epoch, it.Owner)
	}
	if !agrees(ks.log, it.From, it.Prev) {
		// A gap or a disagreement: resend from a prefix surely held.
		return Ack{Key: ks.key, Epoch: ks.epoch, Len: -1, Have: min(ks.exposed, ks.matched)}, nil
	}
	if b.merge(ks, it.Epoch, it.From, it.Log, false) {
		ks.matched = it.From + len(it.Log)
	} else {
		ks.matched = max(ks.matched, it.From+len(it.Log))
	}
	ks.stale = false
	if len(b.nodes) == 2 {
		ks.exposed = len(ks.log)
	} else {
		ks.exposed = min(max(ks.exposed, it.Commit), len(ks.log))
	}
	b.resolveFollower(ks, false)
	return Ack{Key: ks.key, Epoch: ks.epoch, Len: ks.matched}, nil
}

// merge writes entries at offsets from on: identical ones (same epoch) are
// kept, a different one truncates the log there, a gap stops. With complete
// (es run to the end of everything committed before epoch, as a record's
// log does), entries of older epochs past them are dropped: they were never
// committed and the owner of epoch has something else there or nothing.
// It reports whether it truncated.
func (b *Broker) merge(ks *keyState, epoch int64, from int, es []Entry, complete bool) (truncated bool) {
	if from > len(ks.log) {
		return false
	}
	for j, e := range es {
		off := from + j
		if off < len(ks.log) {
			if ks.log[off].Epoch == e.Epoch {
				continue
			}
			ks.log = ks.log[:off]
			truncated = true
		}
		ks.log = append(ks.log, e)
	}
	for end := from + len(es); complete && len(ks.log) > end && ks.log[len(ks.log)-1].Epoch < epoch; {
		ks.log = ks.log[:len(ks.log)-1]
		truncated = true
	}
	ks.exposed = min(ks.exposed, len(ks.log))
	ks.matched = min(ks.matched, len(ks.log))
	return truncated
}

// learn moves a key to a newer epoch owned by someone else. A deposed owner
// keeps only what it had committed; its waiting sends are settled once the
// new owner's log is known. News that this node owns a newer epoch (its own
// takeover went through unnoticed) is taken from the record only.
func (b *Broker) learn(ks *keyState, epoch int64, owner string) {
	if epoch <= ks.epoch {
		return
	}
	if owner == b.self {
		go b.refreshKey(ks.key)
		return
	}
	wasOwner := ks.owner == b.self
	ks.epoch, ks.owner = epoch, owner
	// Until the new owner's log arrives, our copy may lack entries it holds
	// (for a deposed owner: sends forwarded to it, acknowledged by their
	// forwarder, that it had not exposed yet).
	ks.stale = true
	if wasOwner {
		ks.log = ks.log[:ks.exposed]
		ks.acked, ks.sent, ks.commitSent = nil, nil, nil
		ks.kvLen, ks.rec, ks.pendingAt, ks.promised = 0, nil, time.Time{}, 0
	}
	ks.matched = min(ks.exposed, len(ks.log)) // committed entries are everyone's
	go b.refreshKey(ks.key)
}

// applyRecord merges a key's lin-kv record (committed entries, complete up
// to the point the record was written).
func (b *Broker) applyRecord(ks *keyState, rec Record, raw json.RawMessage) {
	if rec.Owner == b.self {
		switch {
		case rec.Epoch <= ks.epoch:
		case ks.frozen:
			// Our takeover in flight finishes it; its entries are committed.
			b.absorb(ks, rec)
		case agrees(ks.log, rec.From, rec.Prev):
			// A takeover of ours went through after all.
			ks.epoch = rec.Epoch
			b.absorb(ks, rec)
			b.ownAfterTakeover(ks, rec.From, raw)
		}
		return
	}
	if rec.Epoch > ks.epoch {
		b.learn(ks, rec.Epoch, rec.Owner)
	}
	if b.absorb(ks, rec) {
		b.resolveFollower(ks, true)
	}
}

// absorb merges a record's entries, all committed, and exposes them; false
// if the log does not agree with what precedes them.
func (b *Broker) absorb(ks *keyState, rec Record) bool {
	if !agrees(ks.log, rec.From, rec.Prev) {
		return false // cannot tell what precedes the record; stay stale
	}
	b.merge(ks, rec.Epoch, rec.From, rec.Log, true)
	if rec.Epoch == ks.epoch {
		ks.stale = false
	}
	end := min(rec.From+len(rec.Log), len(ks.log))
	ks.matched = max(ks.matched, end)
	ks.exposed = max(ks.exposed, end)
	if len(b.nodes) == 2 && ks.owner != b.self {
		ks.exposed = len(ks.log)
	}
	return true
}

// resolveFollower settles the sends a deposed owner still waits for.
func (b *Broker) resolveFollower(ks *keyState, complete bool) {
	if ks.owner == b.self {
		return
	}
	b.settle(ks, complete)
}

// settle ends waiting sends from the log as it now is: an entry kept (same
// offset, same epoch) and exposed was committed; one replaced, or (complete:
// the log holds everything committed) left out, is gone and the send is
// retried; anything else keeps waiting.
func (b *Broker) settle(ks *keyState, complete bool) {
	if len(ks.waiters) == 0 {
		return
	}
	kept := ks.waiters[:0]
	for _, w := range ks.waiters {
		switch {
		case w.offset < len(ks.log) && ks.log[w.offset].Epoch == w.epoch && w.offset < ks.exposed:
			w.done <- result{offset: w.offset}
		case w.offset < len(ks.log) && ks.log[w.offset].Epoch != w.epoch, complete && w.offset >= len(ks.log):
			w.done <- result{retry: true}
		default:
			kept = append(kept, w)
		}
	}
	ks.waiters = kept
}
