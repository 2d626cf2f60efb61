package service

import (
	"math/rand/v2"
	"sync"

	"gossip-glomers/internal/wire"
)

// LWWReplicas is the reference's replica count (the docs say 5, the code 2).
const LWWReplicas = 2

// LWWKV is lww-kv as the reference actually behaves. Maelstrom's Eventual
// wrapper means to merge a random replica into another on every request and
// then apply the request to a random replica, but it applies the request to
// the original vector of replicas, throwing the merge away (QUIRK, kept): the
// replicas never exchange anything. So lww-kv is LWWReplicas independent
// stores, each request served by one of them at random, and a value written
// once is seen by about half of the later reads, forever.
//
// Its store also differs from lin-kv's (QUIRK, kept): cas ignores
// create_if_not_exists (a missing key is always key-does-not-exist), and the
// precondition text prints the expected value with str, not pr-str (a string
// appears without quotes, null as nothing). The Lamport timestamps the store
// attaches to values matter only to the merge, which never takes effect, so
// they are not kept here.
type LWWKV struct {
	mu       sync.Mutex
	intn     func(n int) int // uniform in [0, n)
	replicas [LWWReplicas]map[string]entry
}

// NewLWWKV returns an empty lww-kv drawing replica choices from rng.
func NewLWWKV(rng *rand.Rand) *LWWKV {
	s := &LWWKV{intn: rng.IntN}
	for i := range s.replicas {
		s.replicas[i] = map[string]entry{}
	}
	return s
}

// Handle implements Service.
func (s *LWWKV) Handle(_ string, req wire.Body) wire.Body {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.replicas[s.intn(LWWReplicas)]
	k := key(req)
	next, reply, ok := applyLWW(r[k], req)
	if !ok {
		return nil
	}
	if next.present {
		r[k] = next
	}
	return reply
}

// applyLWW is the LWWKV record's handle for one key.
func applyLWW(cur entry, req wire.Body) (next entry, reply wire.Body, ok bool) {
	if req.Type() != "cas" {
		return applyKV(cur, req)
	}
	from := req["from"]
	switch {
	case !cur.present:
		return cur, errKeyMissing(), true
	case wire.Equal(from, cur.value):
		return entry{req["to"], true}, wire.Body{"type": "cas_ok"}, true
	default:
		return cur, wire.ErrorBody(wire.CodePreconditionFailed,
			"current value "+prStr(cur.value)+" is not "+str(from)), true
	}
}
