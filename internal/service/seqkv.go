package service

import (
	"math/rand/v2"
	"sort"
	"sync"

	"gossip-glomers/internal/wire"
)

// SeqWindow is how many past states seq-kv keeps (Maelstrom's ring buffer of 32).
const SeqWindow = 32

// SeqKV is seq-kv, Maelstrom's Sequential wrapper around a persistent store:
// states are numbered 0 (the empty store), 1, 2, ...; each sender (a
// request's src, so all of one node's requests share it) remembers the last
// state it interacted with. For a request:
//
//  1. pick a state i uniformly from the sender's last state up to the latest;
//  2. apply the request to state i; if that changes nothing (a read, a
//     failing cas, a write of the value state i already holds, a cas from X
//     to X), reply from state i and remember i;
//  3. otherwise apply it to the latest state instead, append the result as
//     a new latest state (even if that application fails and changes
//     nothing), remember it, and reply from it.
//
// So reads may be stale (even key-does-not-exist for a key that exists),
// writes may be acknowledged into the past without touching the latest
// state, and a cas may fail against a stale value; a sender that keeps up
// (within 31 states of the latest) never sees states go backwards. A node gets a fresh view by first making a change
// (e.g. writing a value never written before to a scratch key).
//
// QUIRK (ring wrap), reproduced: Maelstrom picks i from the sender's whole
// range even when it lies more than 32 states behind, then looks it up in a
// 32-entry ring buffer by negative offset (amalloy's ring buffer: nth k is
// buf[(start+k) mod len]), which wraps: the state served is
// latest - ((latest - i) mod 32), and the sender remembers i, not the state
// it saw. So a sender more than 31 states behind may be handed older states
// than it saw before (maelstrom.service/Sequential).
type SeqKV struct {
	mu      sync.Mutex
	intn    func(n int64) int64 // uniform in [0, n)
	latest  int64
	senders map[string]int64     // src -> last state index it interacted with
	keys    map[string][]version // key -> versions, oldest first
}

// version is a key's entry from state index on.
type version struct {
	index int64
	e     entry
}

// NewSeqKV returns an empty seq-kv drawing its choices from rng.
func NewSeqKV(rng *rand.Rand) *SeqKV {
	return &SeqKV{intn: rng.Int64N, senders: map[string]int64{}, keys: map[string][]version{}}
}

// Handle implements Service.
func (s *SeqKV) Handle(src string, req wire.Body) wire.Body {
	if _, _, ok := applyKV(entry{}, req); !ok {
		return nil // unknown type: Maelstrom's handler throws inside swap!, nothing changes
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	k := key(req)
	lo := s.senders[src]
	i := lo + s.intn(s.latest-lo+1)

	cur := s.at(k, s.served(i))
	next, reply, _ := applyKV(cur, req)
	if next.same(cur) {
		s.senders[src] = i
		return reply
	}

	// The request changes state i: run it on the latest state instead.
	cur = s.at(k, s.latest)
	next, reply, _ = applyKV(cur, req)
	s.latest++
	if !next.same(cur) {
		s.keys[k] = prune(append(s.keys[k], version{s.latest, next}), s.latest)
	}
	s.senders[src] = s.latest
	return reply
}

// served is the state the reference's ring buffer lookup lands on for a
// chosen index.
func (s *SeqKV) served(i int64) int64 {
	n := min(s.latest+1, SeqWindow) // states the ring buffer holds
	return s.latest - (s.latest-i)%n
}

// at is key k's entry in state i.
func (s *SeqKV) at(k string, i int64) entry {
	vs := s.keys[k]
	// the last version with index <= i
	j := sort.Search(len(vs), func(j int) bool { return vs[j].index > i }) - 1
	if j < 0 {
		return entry{}
	}
	return vs[j].e
}

// prune drops versions no retained state can see: of those at or below the
// oldest retained state, only the newest matters.
func prune(vs []version, latest int64) []version {
	oldest := latest - (SeqWindow - 1)
	drop := 0
	for drop+1 < len(vs) && vs[drop+1].index <= oldest {
		drop++
	}
	if drop == 0 {
		return vs
	}
	return append(vs[:0:0], vs[drop:]...)
}
