// Package service holds Maelstrom's services (src/maelstrom/service.clj):
// key/value stores and a timestamp oracle that live inside the workbench and
// are addressed as nodes by their names. Nodes talk to them with ordinary
// messages; the runner delivers each request to Handle and sends the reply.
//
//   - lin-kv: one linearizable store; every request applies to the current state.
//   - seq-kv: sequentially consistent; a request that changes nothing may be
//     served by any of the last 32 states (stale reads, stale no-op writes).
//   - lww-kv: two independent replicas that never merge (a reference bug),
//     each request served by one of them at random.
//   - lin-tso: a linearizable counter handing out timestamps 0, 1, 2, ...
//
// Requests of a type a service does not know get no reply, as in Maelstrom
// (the handler throws there and the service thread logs and moves on).
package service

import (
	"math/rand/v2"
	"sync"

	"gossip-glomers/internal/wire"
)

// Service is a Maelstrom service living inside the workbench, addressed as a
// node by its name.
type Service interface {
	// Handle processes one request from src and returns the reply body
	// without in_reply_to (the runner adds it); nil means no reply.
	Handle(src string, req wire.Body) wire.Body
}

// Names are the services every test starts, as Maelstrom's default-services.
var Names = []string{"lin-kv", "seq-kv", "lww-kv", "lin-tso"}

// New returns the named service; rng drives its random choices (seq-kv's
// past state, lww-kv's replica).
func New(name string, rng *rand.Rand) (Service, bool) {
	switch name {
	case "lin-kv":
		return NewLinKV(), true
	case "seq-kv":
		return NewSeqKV(rng), true
	case "lww-kv":
		return NewLWWKV(rng), true
	case "lin-tso":
		return &LinTSO{}, true
	}
	return nil, false
}

// entry is one key's value in a store; present is false for a missing key
// (a key may exist with the value null).
type entry struct {
	value   any
	present bool
}

func (e entry) same(o entry) bool {
	return e.present == o.present && (!e.present || wire.Equal(e.value, o.value))
}

// key is the map key of a request's key: keys are arbitrary JSON compared
// structurally. A missing key is nil, as (:key body) is in Clojure.
func key(req wire.Body) string { return wire.Key(req["key"]) }

// truthy is Clojure truthiness: everything but nil and false, so
// "create_if_not_exists": 0 creates.
func truthy(v any) bool { return v != nil && v != false }

func errKeyMissing() wire.Body {
	return wire.ErrorBody(wire.CodeKeyDoesNotExist, "key does not exist")
}

// applyKV is PersistentKV's handle for the key the request names: it returns
// the key's next entry and the reply. ok is false for a request type the
// store does not know (no reply, no change).
func applyKV(cur entry, req wire.Body) (next entry, reply wire.Body, ok bool) {
	switch req.Type() {
	case "read":
		if !cur.present {
			return cur, errKeyMissing(), true
		}
		return cur, wire.Body{"type": "read_ok", "value": cur.value}, true
	case "write":
		return entry{req["value"], true}, wire.Body{"type": "write_ok"}, true
	case "cas":
		from := req["from"]
		switch {
		case cur.present && wire.Equal(from, cur.value):
			return entry{req["to"], true}, wire.Body{"type": "cas_ok"}, true
		case cur.present:
			return cur, wire.ErrorBody(wire.CodePreconditionFailed,
				"current value "+prStr(cur.value)+" is not "+prStr(from)), true
		case truthy(req["create_if_not_exists"]):
			return entry{req["to"], true}, wire.Body{"type": "cas_ok"}, true
		default:
			return cur, errKeyMissing(), true
		}
	}
	return cur, nil, false
}

// LinKV is lin-kv: one state, each request applied to it atomically.
type LinKV struct {
	mu sync.Mutex
	m  map[string]entry
}

// NewLinKV returns an empty lin-kv.
func NewLinKV() *LinKV { return &LinKV{m: map[string]entry{}} }

// Handle implements Service.
func (s *LinKV) Handle(_ string, req wire.Body) wire.Body {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key(req)
	next, reply, ok := applyKV(s.m[k], req)
	if !ok {
		return nil
	}
	if next.present {
		s.m[k] = next
	}
	return reply
}

// LinTSO is lin-tso: {"type":"ts"} gets {"type":"ts_ok","ts":N} with N = 0,
// 1, 2, ... across all senders.
type LinTSO struct {
	mu   sync.Mutex
	next int64
}

// Handle implements Service.
func (s *LinTSO) Handle(_ string, req wire.Body) wire.Body {
	if req.Type() != "ts" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.next
	s.next++
	return wire.Body{"type": "ts_ok", "ts": ts}
}
