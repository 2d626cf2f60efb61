package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"sync"
	"time"
)

// The store is a totally available, read-committed key/value store:
//
//   - a transaction runs entirely on the node that receives it, under the
//     node's lock, so no other transaction ever sees its intermediate state;
//     its reads see the node's latest committed values and its own writes;
//   - each write gets the transaction's version (Lamport timestamp, node
//     index), and every replica keeps, per key, the write with the highest
//     version (last writer wins), so all replicas converge on the same value;
//   - only a transaction's final write per key leaves the node, as one
//     entry of the node's replication log, which is sent to every peer in
//     batches, acknowledged, and re-sent until acknowledged, so partitions
//     delay writes but never lose them.
//
// A remote transaction's writes are applied together, under the lock, so a
// local transaction sees all of them or none. Nothing ever waits on another
// node, and nothing is ever aborted.

// MicroOp is one [f, k, v] micro-op; keys and values stay raw JSON so that
// they are echoed exactly.
type MicroOp struct {
	F     string
	Key   json.RawMessage
	Value json.RawMessage
}

var null = json.RawMessage("null")

// MarshalJSON writes the micro-op as a 3-element array.
func (m MicroOp) MarshalJSON() ([]byte, error) {
	v := m.Value
	if len(v) == 0 {
		v = null
	}
	return json.Marshal([]any{m.F, m.Key, v})
}

// UnmarshalJSON accepts exactly [f, k, v] with f "r" or "w".
func (m *MicroOp) UnmarshalJSON(b []byte) error {
	var parts []json.RawMessage
	if err := json.Unmarshal(b, &parts); err != nil {
		return err
	}
	if len(parts) != 3 {
		return fmt.Errorf("micro-op %s is not [f, k, v]", b)
	}
	if err := json.Unmarshal(parts[0], &m.F); err != nil || (m.F != "r" && m.F != "w") {
		return fmt.Errorf("micro-op %s: f must be \"r\" or \"w\"", b)
	}
	m.Key, m.Value = compact(parts[1]), compact(parts[2])
	return nil
}

func compact(raw json.RawMessage) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return raw
	}
	return buf.Bytes()
}

// Version orders writes: higher Lamport timestamp wins, then higher node
// index.
type Version struct {
	TS   uint64 `json:"t"`
	Node int    `json:"n"`
}

// Less reports whether v is older than o.
func (v Version) Less(o Version) bool {
	return v.TS < o.TS || (v.TS == o.TS && v.Node < o.Node)
}

// Write is one key's final value in a transaction.
type Write struct {
	Key   json.RawMessage `json:"k"`
	Value json.RawMessage `json:"v"`
}

// Entry is one transaction's writes in its origin's replication log.
type Entry struct {
	Seq     uint64  `json:"s"`
	Version Version `json:"ver"`
	Writes  []Write `json:"w"`
}

type cell struct {
	value   json.RawMessage
	version Version
}

// Config tunes replication.
type Config struct {
	// MaxBatchBytes caps the entries of one replicate message; the Go
	// library reads lines of at most 64 KiB.
	MaxBatchBytes int
	// RetryAfter is how long a batch may go unacknowledged before the log is
	// re-sent from the last acknowledged entry.
	RetryAfter time.Duration
}

// DefaultConfig keeps messages under half the library's line limit.
var DefaultConfig = Config{MaxBatchBytes: 32 << 10, RetryAfter: 500 * time.Millisecond}

// Store is one node's replica and replication state.
type Store struct {
	cfg   Config
	self  int
	peers []string

	mu    sync.Mutex
	clock uint64
	data  map[string]cell

	log     []logEntry // entries not yet acknowledged by every peer, by Seq
	nextSeq uint64
	out     map[string]*peerState // what each peer has acknowledged
	in      map[string]uint64     // per origin: every entry up to here applied
}

type logEntry struct {
	seq uint64
	raw json.RawMessage
}

type peerState struct {
	acked    uint64    // the peer has applied every entry up to here
	sentUpTo uint64    // entries up to here were sent
	resendAt time.Time // when to go back to acked+1 if still unacknowledged
}

// NewStore makes node self's store; nodes lists every node of the cluster.
func NewStore(self string, nodes []string, cfg Config) *Store {
	s := &Store{cfg: cfg, data: map[string]cell{}, out: map[string]*peerState{}, in: map[string]uint64{}, nextSeq: 1}
	for i, n := range nodes {
		if n == self {
			s.self = i
			continue
		}
		s.peers = append(s.peers, n)
		s.out[n] = &peerState{}
	}
	return s
}

// Peers lists the nodes this store replicates to.
func (s *Store) Peers() []string { return s.peers }

// Txn applies a transaction atomically and returns it with reads filled in.
func (s *Store) Txn(ops []MicroOp) []MicroOp {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock++
	version := Version{TS: s.clock, Node: s.self}
	result := make([]MicroOp, len(ops))
	final := map[string]int{} // key -> index in writes
	var writes []Write
	for i, op := range ops {
		k := string(op.Key)
		result[i] = op
		if op.F == "r" {
			if c, ok := s.data[k]; ok {
				result[i].Value = c.value
			} else {
				result[i].Value = null
			}
			continue
		}
		s.data[k] = cell{value: op.Value, version: version}
		if j, ok := final[k]; ok {
			writes[j].Value = op.Value
		} else {
			final[k] = len(writes)
			writes = append(writes, Write{Key: op.Key, Value: op.Value})
		}
	}
	if len(writes) > 0 && len(s.peers) > 0 {
		s.append(Entry{Seq: s.nextSeq, Version: version, Writes: writes})
	}
	return result
}

func (s *Store) append(e Entry) {
	raw, err := json.Marshal(e)
	if err != nil {
		log.Printf("cannot encode log entry %d: %v", e.Seq, err)
		return
	}
	if len(raw) > s.cfg.MaxBatchBytes {
		log.Printf("log entry %d is %d bytes, over the %d-byte batch size; it travels alone", e.Seq, len(raw), s.cfg.MaxBatchBytes)
	}
	s.log = append(s.log, logEntry{seq: e.Seq, raw: raw})
	s.nextSeq++
}

// apply merges a remote write set: each key keeps its newest version.
// Callers hold the lock.
func (s *Store) apply(e Entry) {
	if e.Version.TS > s.clock {
		s.clock = e.Version.TS
	}
	for _, w := range e.Writes {
		k := string(compact(w.Key))
		if c, ok := s.data[k]; !ok || c.version.Less(e.Version) {
			s.data[k] = cell{value: w.Value, version: e.Version}
		}
	}
}

// Batch is a replicate message: entries From..To of the sender's log.
type Batch struct {
	Type    string            `json:"type"`
	From    uint64            `json:"from"`
	To      uint64            `json:"to"`
	Entries []json.RawMessage `json:"entries"`
}

// Ack says the sender has applied every entry of the receiver's log up to
// Upto.
type Ack struct {
	Type string `json:"type"`
	Upto uint64 `json:"upto"`
}

// NextBatch returns the batch to send peer now, or nil if it is up to date
// or its last batch is still awaiting acknowledgement.
func (s *Store) NextBatch(peer string, now time.Time) *Batch {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.out[peer]
	if p == nil {
		return nil
	}
	if p.sentUpTo > p.acked && now.Before(p.resendAt) {
		return nil
	}
	if p.sentUpTo > p.acked {
		p.sentUpTo = p.acked // unacknowledged too long: go back
	}
	b := &Batch{Type: "replicate", From: p.sentUpTo + 1}
	size := 0
	for _, e := range s.log {
		if e.seq <= p.sentUpTo {
			continue
		}
		if len(b.Entries) > 0 && size+len(e.raw) > s.cfg.MaxBatchBytes {
			break
		}
		b.Entries = append(b.Entries, e.raw)
		b.To = e.seq
		size += len(e.raw) + 1
	}
	if len(b.Entries) == 0 {
		return nil
	}
	p.sentUpTo = b.To
	p.resendAt = now.Add(s.cfg.RetryAfter)
	return b
}

// Receive applies a batch from origin and returns the acknowledgement: the
// highest entry up to which origin's log has been applied here.
func (s *Store) Receive(origin string, b Batch) (Ack, error) {
	entries := make([]Entry, len(b.Entries))
	for i, raw := range b.Entries {
		if err := json.Unmarshal(raw, &entries[i]); err != nil {
			return Ack{}, fmt.Errorf("entry %d of batch %d..%d: %v", i, b.From, b.To, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range entries {
		s.apply(e) // idempotent, so re-sent entries do no harm
	}
	// The batch is contiguous, so if it starts at or before the next entry
	// we lacked, we now have everything up to its end.
	if b.From <= s.in[origin]+1 && b.To > s.in[origin] {
		s.in[origin] = b.To
	}
	return Ack{Type: "replicate_ack", Upto: s.in[origin]}, nil
}

// Acked records peer's acknowledgement and drops log entries every peer has.
func (s *Store) Acked(peer string, upto uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.out[peer]
	if p == nil || upto <= p.acked {
		return
	}
	p.acked = upto
	if p.sentUpTo < upto {
		p.sentUpTo = upto
	}
	low := upto
	for _, q := range s.out {
		low = min(low, q.acked)
	}
	i := 0
	for i < len(s.log) && s.log[i].seq <= low {
		i++
	}
	s.log = append(s.log[:0:0], s.log[i:]...)
}

// Pending is how many log entries some peer has not acknowledged.
func (s *Store) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.log)
}
