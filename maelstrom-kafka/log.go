package main

import (
	"encoding/json"
	"maps"
	"math"
	"sort"
	"sync"
	"time"
)

// The replicated log, without coordination on the hot path.
//
// Offsets. Node i of N assigns, for each key, offsets ≡ i (mod N), each the
// smallest such offset above every offset of that key it knows. Two nodes
// never assign the same offset, and a node's offsets of a key only grow. A
// send is acknowledged at once, with no message to anyone.
//
// Streams. Everything a node accepts from its clients, sent messages and
// committed offsets alike, goes into its stream, an append-only list of
// records. Every Interval a node sends each peer one batch: the part of its
// stream the peer has not acknowledged, and how much of every node's stream
// it holds itself (Have). Have is the acknowledgement: a record stays in the
// batches until the peer's Have covers it, so a partition delays records but
// never loses them.
//
// Watermarks. A poll must never return an offset while a lower offset of the
// same key can still turn up, or a client that polled past the gap would skip
// it (Jepsen's poll-skip). When a peer p holds a record, p assigns only
// offsets above it from then on, and p tells us what it holds through Have.
// So, for each key, every offset p will ever assign at or below
//
//	watermark(p, key) = the highest offset of key among the records p has
//	                    said it holds (its own included)
//
// is already here: those p assigned before saying so are in its stream ahead
// of that batch, and p assigns none later. A node serves a key's messages up
// to the lowest watermark over its peers, and its own offsets are no
// constraint (it assigns above everything it knows). In a partition the
// watermarks stop and polls serve a stale tail; they catch up when batches
// flow again.
//
// A batch cut short by MaxBatchBytes does not end where the sender's stream
// ends, and records past the cut may hold offsets below what its Have
// vouches for, so only a Complete batch's Have moves watermarks.
//
// Batches are sent without a reply. A node sends a peer a batch when the
// peer lacks some of its records or has not taken its latest Have (the
// peer's batches echo the Have they took, as Heard), and then asks for an
// answer (Reply); a peer that is asked answers at its next tick. So a quiet
// cluster goes silent after a couple of exchanges, and a lost batch or a
// lost answer is made good at the next tick.

// Config tunes batching.
type Config struct {
	Interval      time.Duration // how often each peer gets a batch (if it lacks anything)
	MaxBatchBytes int           // records per batch stay under this: the Go library drops lines of 64 KiB
}

// DefaultConfig is what the binary runs with.
var DefaultConfig = Config{Interval: 50 * time.Millisecond, MaxBatchBytes: 32 << 10}

// Record is one entry of a node's stream: a message one of its clients sent
// (Key, Offset, Msg) or, with Commit, an offset one of its clients committed.
type Record struct {
	Key    string          `json:"k"`
	Offset int64           `json:"o"`
	Msg    json.RawMessage `json:"m,omitempty"`
	Commit bool            `json:"c,omitempty"`
}

// Batch is the body of kafka_batch, the only message between nodes.
type Batch struct {
	Type     string         `json:"type"`
	From     int            `json:"from"`     // index of Records[0] in the sender's stream
	Records  []Record       `json:"records"`  // a slice of the sender's stream
	Complete bool           `json:"complete"` // Records reach the end of the sender's stream
	Have     map[string]int `json:"have"`     // how many records of each node's stream the sender holds
	Heard    map[string]int `json:"heard"`    // the receiver's Have as the sender last took it
	Reply    bool           `json:"reply"`    // the sender needs an answer
}

// Outgoing is a batch for a peer.
type Outgoing struct {
	Dest string
	Body Batch
}

// Log is one node's copy of every key's log.
type Log struct {
	mu      sync.Mutex
	self    string
	index   int // self's position in the node list: the residue of its offsets
	n       int // node count
	cfg     Config
	keys    map[string]*keyLog
	streams map[string][]Record // every node's stream as far as we hold it, ours included
	peers   map[string]*peer
}

// keyLog is one key's messages, sorted by offset.
type keyLog struct {
	msgs      []message
	highest   int64 // highest offset known (-1: none)
	committed int64 // highest committed offset (-1: none)
}

type message struct {
	offset int64
	msg    json.RawMessage
}

// peer is what we know of one other node.
type peer struct {
	acked  int            // records of our stream it holds
	heard  map[string]int // our Have as it last took it
	owed   bool           // it asked for an answer
	have   map[string]int // its Have, from its Complete batches
	folded map[string]int // records of each stream counted into watermark
	// watermark[key]: it assigns offsets of key only above this from now on,
	// and we hold every one it assigned at or below.
	watermark map[string]int64
}

// NewLog returns node self's log in a cluster of nodes (which includes self).
func NewLog(self string, nodes []string, cfg Config) *Log {
	l := &Log{self: self, n: len(nodes), cfg: cfg, keys: map[string]*keyLog{},
		streams: map[string][]Record{}, peers: map[string]*peer{}}
	for i, id := range nodes {
		if id == self {
			l.index = i
			continue
		}
		l.peers[id] = &peer{heard: map[string]int{}, have: map[string]int{},
			folded: map[string]int{}, watermark: map[string]int64{}}
	}
	return l
}

// NextOffset is the smallest offset above highest that node index of n
// assigns: the one congruent to index modulo n.
func NextOffset(highest int64, index, n int) int64 {
	o := highest + 1
	return o + (int64(index)-o%int64(n)+int64(n))%int64(n)
}

func (l *Log) key(k string) *keyLog {
	kl := l.keys[k]
	if kl == nil {
		kl = &keyLog{highest: -1, committed: -1}
		l.keys[k] = kl
	}
	return kl
}

// insert adds a message at its place (a known offset is left alone).
func (kl *keyLog) insert(off int64, msg json.RawMessage) {
	i := sort.Search(len(kl.msgs), func(i int) bool { return kl.msgs[i].offset >= off })
	if i < len(kl.msgs) && kl.msgs[i].offset == off {
		return
	}
	kl.msgs = append(kl.msgs, message{})
	copy(kl.msgs[i+1:], kl.msgs[i:])
	kl.msgs[i] = message{off, msg}
	kl.highest = max(kl.highest, off)
}

// Send appends msg to key's log and returns its offset.
func (l *Log) Send(k string, msg json.RawMessage) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	kl := l.key(k)
	off := NextOffset(kl.highest, l.index, l.n)
	kl.insert(off, msg)
	l.streams[l.self] = append(l.streams[l.self], Record{Key: k, Offset: off, Msg: msg})
	return off
}

// Poll returns, for each key from its offset on, the messages no lower
// offset can still join, as [offset, msg] pairs. Keys with none are left
// out: Jepsen's lost-write analysis throws on a key whose every poll was an
// empty list (jepsen.tests.kafka/lost-write-cases).
func (l *Log) Poll(from map[string]int64) map[string][][2]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string][][2]any{}
	for k, start := range from {
		kl := l.keys[k]
		if kl == nil {
			continue
		}
		limit := l.servable(k)
		var pairs [][2]any
		for _, m := range kl.msgs {
			if m.offset >= start && m.offset <= limit {
				pairs = append(pairs, [2]any{m.offset, m.msg})
			}
		}
		if len(pairs) > 0 {
			out[k] = pairs
		}
	}
	return out
}

// servable is the highest offset of k a poll may return: the lowest
// watermark over the peers. Callers hold mu.
func (l *Log) servable(k string) int64 {
	limit := int64(math.MaxInt64)
	for _, p := range l.peers {
		w, ok := p.watermark[k]
		if !ok {
			w = -1
		}
		limit = min(limit, w)
	}
	return limit
}

// Commit raises the committed offsets; each raise joins our stream.
func (l *Log) Commit(offsets map[string]int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, o := range offsets {
		if kl := l.key(k); o > kl.committed {
			kl.committed = o
			l.streams[l.self] = append(l.streams[l.self], Record{Key: k, Offset: o, Commit: true})
		}
	}
}

// Committed returns the committed offsets of those keys that have one.
func (l *Log) Committed(keys []string) map[string]int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]int64{}
	for _, k := range keys {
		if kl := l.keys[k]; kl != nil && kl.committed >= 0 {
			out[k] = kl.committed
		}
	}
	return out
}

// have is how many records of each stream we hold. Callers hold mu.
func (l *Log) have() map[string]int {
	out := map[string]int{l.self: len(l.streams[l.self])}
	for id := range l.peers {
		out[id] = len(l.streams[id])
	}
	return out
}

// covers reports whether a holds at least as much of every stream as b.
func covers(a, b map[string]int) bool {
	for id, n := range b {
		if a[id] < n {
			return false
		}
	}
	return true
}

// raise merges b into a, keeping the larger count per stream.
func raise(a, b map[string]int) {
	for id, n := range b {
		a[id] = max(a[id], n)
	}
}

// Receive takes a peer's batch.
func (l *Log) Receive(src string, b Batch) {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.peers[src]
	if p == nil {
		return // not a peer of ours
	}
	stream := l.streams[src]
	if b.From <= len(stream) { // else a gap: wait for a batch that starts earlier
		for _, r := range b.Records[min(len(stream)-b.From, len(b.Records)):] {
			stream = append(stream, r)
			kl := l.key(r.Key)
			if r.Commit {
				kl.committed = max(kl.committed, r.Offset)
			} else {
				kl.insert(r.Offset, r.Msg)
			}
		}
		l.streams[src] = stream
	}
	p.acked = max(p.acked, min(b.Have[l.self], len(l.streams[l.self])))
	raise(p.heard, b.Heard)
	if b.Complete && len(stream) >= b.From+len(b.Records) {
		raise(p.have, b.Have)
	}
	if b.Reply {
		p.owed = true
	}
	for id := range l.peers {
		l.fold(id)
	}
}

// fold counts into a peer's watermarks the records it is known to hold that
// are here: all of its own stream we hold, and of every other stream the
// prefix its Have names. Callers hold mu.
func (l *Log) fold(id string) {
	p := l.peers[id]
	for node, stream := range l.streams {
		upto := len(stream)
		if node != id {
			upto = min(upto, p.have[node])
		}
		for _, r := range stream[min(p.folded[node], upto):upto] {
			if w, ok := p.watermark[r.Key]; !r.Commit && (!ok || r.Offset > w) {
				p.watermark[r.Key] = r.Offset
			}
		}
		p.folded[node] = max(p.folded[node], upto)
	}
}

// Tick returns the batches due now: one for every peer that lacks some of
// our records or our latest Have, or that asked for an answer.
func (l *Log) Tick() []Outgoing {
	l.mu.Lock()
	defer l.mu.Unlock()
	own := l.streams[l.self]
	have := l.have()
	var out []Outgoing
	for id, p := range l.peers {
		lacks := p.acked < len(own) || !covers(p.heard, have)
		if !lacks && !p.owed {
			continue
		}
		p.owed = false
		end, size := p.acked, 0
		for end < len(own) && size < l.cfg.MaxBatchBytes {
			size += len(own[end].Key) + len(own[end].Msg) + 32 // JSON framing, roughly
			end++
		}
		out = append(out, Outgoing{id, Batch{
			Type: "kafka_batch", From: p.acked, Records: own[p.acked:end:end], Complete: end == len(own),
			Have: maps.Clone(have), Heard: maps.Clone(p.have), Reply: lacks,
		}})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dest < out[j].Dest })
	return out
}
