// Package checkbench measures the checkers on large histories. Histories
// come from the workloads themselves: each workload's own generator and
// client, run against an in-memory model of a correct node (or of a faulty
// one), with several operations in flight at once, so the histories have
// the shapes, values and concurrency of real runs at any size.
package checkbench

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/registry"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
)

// Model answers one request as a node would. It is called one request at a
// time.
type Model func(req wire.Body) (wire.Body, error)

// Spec is one kind of history: a workload, its parameters and the node model.
type Spec struct {
	Name     string // e.g. "kafka" or "kafka-lossy"
	Workload string // registry name
	Params   workload.Params
	NewModel func() Model
	// MaxOps caps the sizes benchmarked (0: none): a set-full history
	// grows with the square of its operations, since every read returns
	// every element added so far (10^5 operations would hold about 10^9).
	MaxOps int
}

// conn is a workload.Conn that hands each request to the model, encoded and
// decoded as the network would carry it.
type conn struct{ model Model }

func (conn) Name() string { return "c0" }

func (c conn) Call(_ context.Context, _ string, body wire.Body, _ time.Duration) (wire.Body, error) {
	body = maps.Clone(body)
	body["msg_id"] = 1
	req, err := wire.DecodeBody(wire.Marshal(body))
	if err != nil {
		return nil, err
	}
	reply, err := c.model(req)
	if err != nil || reply == nil {
		return nil, err
	}
	reply["in_reply_to"] = 1
	reply, err = wire.DecodeBody(wire.Marshal(reply))
	if err != nil {
		return nil, err
	}
	if reply.Type() == "error" {
		code, _ := reply.Int("code")
		text, _ := reply["text"].(string)
		return reply, &workload.RPCError{Code: code, Text: text, Body: reply}
	}
	return reply, nil
}

// Simulate produces a history of about ops client operations (invocations)
// of the spec, then the workload's final phase if it has one. Each of the
// Concurrency threads has one operation in flight: an operation takes
// effect right after its invocation and completes after the other threads'
// next invocations, so operations overlap as in a real run and the history
// stays correct for a correct model. Time advances 1 ms per entry.
func Simulate(spec Spec, ops int, seed uint64) (history.History, error) {
	w, ok := registry.Lookup(spec.Workload)
	if !ok {
		return nil, fmt.Errorf("no workload %q", spec.Workload)
	}
	p := spec.Params
	threads := max(p.Concurrency, 1)
	p.Concurrency = threads
	if len(p.Nodes) == 0 {
		p.Nodes = []string{"n0"}
	}
	g := w.NewGenerator(&p)
	model := spec.NewModel()
	rng := rand.New(rand.NewPCG(seed, 1))
	s := &sim{w: w, p: &p, g: g, model: model, threads: threads}
	s.process = make([]int, threads)
	s.clients = make([]workload.Client, threads)
	s.pending = make([]*history.Op, threads)
	for t := range threads {
		s.process[t] = t
	}
	for n, stalls := 0, 0; n < ops; {
		t := n % threads
		s.complete(t)
		op, ok := g.Next(t, s.now, rng)
		if !ok {
			// Nothing for this thread now: let everything in flight finish
			// and time pass, as Jepsen's :pending does.
			for u := range threads {
				s.complete(u)
			}
			s.now += 10 * time.Millisecond
			if stalls++; stalls > 1000 {
				return nil, fmt.Errorf("%s: the generator gave nothing for 1000 tries after %d ops", spec.Name, n)
			}
			continue
		}
		stalls = 0
		s.invoke(t, op)
		n++
	}
	for t := range threads {
		s.complete(t)
	}
	if final, ok := g.(workload.FinalPhase); ok {
		start := s.now
		for t := range threads {
			for range 10_000 {
				op, ok := final.NextFinal(t, s.now-start, rng)
				if !ok {
					break
				}
				s.now += op.Delay
				s.invoke(t, op)
				s.complete(t)
			}
		}
	}
	return s.h, nil
}

type sim struct {
	w       *workload.Workload
	p       *workload.Params
	g       workload.Generator
	model   Model
	threads int
	now     time.Duration
	h       history.History
	process []int
	clients []workload.Client
	pending []*history.Op // per thread, the completion not yet recorded
}

func (s *sim) tick() time.Duration {
	s.now += time.Millisecond
	return s.now
}

func (s *sim) invoke(t int, op workload.Op) {
	if s.clients[t] == nil {
		node := s.p.Nodes[t%len(s.p.Nodes)]
		s.clients[t] = s.w.NewClient(s.p, conn{s.model}, node)
	}
	inv := history.Op{Index: len(s.h), Time: s.tick(), Type: history.Invoke, Process: s.process[t],
		F: op.F, Value: op.Value, Final: op.Final}
	s.h = append(s.h, inv)
	done := s.clients[t].Invoke(context.Background(), inv)
	done.Process, done.F, done.Final = inv.Process, inv.F, inv.Final
	s.pending[t] = &done
}

func (s *sim) complete(t int) {
	done := s.pending[t]
	if done == nil {
		return
	}
	s.pending[t] = nil
	done.Index, done.Time = len(s.h), s.tick()
	s.h = append(s.h, *done)
	s.g.Update(*done)
	if done.Type == history.Info {
		s.process[t] += s.threads
		if !s.w.ReusableClient {
			s.clients[t] = nil
		}
	}
}

// Models of correct (and a few faulty) nodes, one per workload.

func ok(typ string, fields ...any) wire.Body {
	b := wire.Body{"type": typ}
	for i := 0; i+1 < len(fields); i += 2 {
		b[fields[i].(string)] = fields[i+1]
	}
	return b
}

func errorReply(code int64, text string) (wire.Body, error) { return wire.ErrorBody(code, text), nil }

// uniqueIDs hands out 0, 1, 2, ...; every dupEvery-th id repeats the one
// before (0: never).
func uniqueIDs(dupEvery int) func() Model {
	return func() Model {
		next := int64(0)
		return func(req wire.Body) (wire.Body, error) {
			id := next
			next++
			if dupEvery > 0 && id > 0 && id%int64(dupEvery) == 0 {
				id--
			}
			return ok("generate_ok", "id", id), nil
		}
	}
}

// set is a grow-only set that a read returns whole, in insertion order.
// addType is the request that adds (broadcast or add), field where the
// element is, readField where a read returns them.
func set(addType, field, readField string) func() Model {
	return func() Model {
		var elems []any
		return func(req wire.Body) (wire.Body, error) {
			switch req.Type() {
			case addType:
				elems = append(elems, req[field])
				return ok(addType + "_ok"), nil
			case "read":
				return ok("read_ok", readField, slices.Clone(elems)), nil
			}
			return ok(req.Type() + "_ok"), nil // topology and the like
		}
	}
}

// lossySet is a broadcast node that gets most things wrong, so that every
// figure of set-full has something in it. Its clock is the requests it has
// answered. A message becomes visible to reads some requests after its
// broadcast (stale); a few are never visible (lost), a few visible for a
// while and then gone (lost, with a lost latency); a few broadcasts are
// refused (fail) or stored but answered with a crash (info), so some are
// never read and some are known only from a read; and now and then a read
// carries a value no client broadcast (unexpected): integers, 2^64 (past
// int64), 1.0 where 1 was broadcast, a fraction, a string.
func lossySet() Model {
	type stored struct {
		value any
		at, v int64 // request count when stored, and the message as an integer
	}
	ghosts := []any{int64(1_000_003), json.Number("18446744073709551616"), json.Number("1.0"), "ghost", int64(-7), json.Number("2.5")}
	var elems []stored
	var clock int64
	return func(req wire.Body) (wire.Body, error) {
		clock++
		switch req.Type() {
		case "broadcast":
			v, _ := req.Int("message")
			switch v % 71 {
			case 3: // refused, never stored
				return errorReply(wire.CodeTemporarilyUnavailable, "refused")
			case 9: // never stored, and the client cannot tell
				return errorReply(wire.CodeCrash, "lost it")
			}
			elems = append(elems, stored{req["message"], clock, v})
			if v%71 == 5 { // stored, and the client cannot tell
				return errorReply(wire.CodeCrash, "crashed after storing")
			}
			return ok("broadcast_ok"), nil
		case "read":
			seen := []any{}
			for _, e := range elems {
				age, lag := clock-e.at, (e.v*7)%23
				switch {
				case e.v%61 == 17: // never visible
				case e.v%53 == 7 && age >= lag+40: // gone after a while
				case age >= lag:
					seen = append(seen, e.value)
				}
			}
			if clock%41 == 0 {
				seen = append(seen, ghosts[(clock/41)%int64(len(ghosts))])
			}
			return ok("read_ok", "messages", seen), nil
		}
		return ok(req.Type() + "_ok"), nil
	}
}

// counter sums the deltas added.
func counter() Model {
	var sum int64
	return func(req wire.Body) (wire.Body, error) {
		switch req.Type() {
		case "add":
			d, _ := req.Int("delta")
			sum += d
			return ok("add_ok"), nil
		case "read":
			return ok("read_ok", "value", sum), nil
		}
		return errorReply(wire.CodeNotSupported, "not supported")
	}
}

// kafkaLog is a single-copy log per key; polls skip the messages hide
// picks (acknowledged, never delivered: lost), if hide is set.
func kafkaLog(hide func(key string, offset int) bool) func() Model {
	return func() Model {
		logs := map[string][]any{}
		committed := map[string]any{}
		return func(req wire.Body) (wire.Body, error) {
			switch req.Type() {
			case "send":
				k, _ := req["key"].(string)
				logs[k] = append(logs[k], req["msg"])
				return ok("send_ok", "offset", len(logs[k])-1), nil
			case "poll":
				msgs := map[string]any{}
				offsets, _ := req["offsets"].(map[string]any)
				for k, o := range offsets {
					from, _ := wire.Int(o)
					var pairs []any
					for i := int(max(from, 0)); i < len(logs[k]) && len(pairs) < 32; i++ {
						if hide != nil && hide(k, i) {
							continue
						}
						pairs = append(pairs, []any{i, logs[k][i]})
					}
					if len(pairs) > 0 {
						msgs[k] = pairs
					}
				}
				return ok("poll_ok", "msgs", msgs), nil
			case "commit_offsets":
				offsets, _ := req["offsets"].(map[string]any)
				for k, o := range offsets {
					committed[k] = o
				}
				return ok("commit_offsets_ok"), nil
			case "list_committed_offsets":
				out := map[string]any{}
				keys, _ := req["keys"].([]any)
				for _, k := range keys {
					if s, isString := k.(string); isString {
						if o, found := committed[s]; found {
							out[s] = o
						}
					}
				}
				return ok("list_committed_offsets_ok", "offsets", out), nil
			}
			return errorReply(wire.CodeNotSupported, "not supported")
		}
	}
}

// registers runs each transaction atomically on one map: serializable.
// With lists, writes are appends and reads return the key's list.
func registers(lists bool) func() Model {
	return func() Model {
		regs := map[string]any{}
		appended := map[string][]any{}
		return func(req wire.Body) (wire.Body, error) {
			txn, _ := req["txn"].([]any)
			out := make([]any, 0, len(txn))
			for _, m := range txn {
				mop, _ := m.([]any)
				if len(mop) < 3 {
					return errorReply(wire.CodeMalformedRequest, "bad micro-op")
				}
				k := wire.Key(mop[1])
				switch mop[0] {
				case "r":
					var v any
					if lists {
						if l := appended[k]; l != nil {
							v = slices.Clone(l)
						}
					} else {
						v = regs[k]
					}
					out = append(out, []any{"r", mop[1], v})
				case "w":
					regs[k] = mop[2]
					out = append(out, mop)
				case "append":
					appended[k] = append(appended[k], mop[2])
					out = append(out, mop)
				}
			}
			return ok("txn_ok", "txn", out), nil
		}
	}
}

// linKV is a linearizable key/value store with compare-and-set.
func linKV() Model {
	kv := map[string]any{}
	return func(req wire.Body) (wire.Body, error) {
		k := wire.Key(req["key"])
		switch req.Type() {
		case "read":
			v, found := kv[k]
			if !found {
				return errorReply(wire.CodeKeyDoesNotExist, "not found")
			}
			return ok("read_ok", "value", v), nil
		case "write":
			kv[k] = req["value"]
			return ok("write_ok"), nil
		case "cas":
			v, found := kv[k]
			switch {
			case !found:
				return errorReply(wire.CodeKeyDoesNotExist, "not found")
			case !wire.Equal(v, req["from"]):
				return errorReply(wire.CodePreconditionFailed, "expected a different value")
			}
			kv[k] = req["to"]
			return ok("cas_ok"), nil
		}
		return errorReply(wire.CodeNotSupported, "not supported")
	}
}

// Specs are the histories benchmarked, at the challenges' parameters where
// a challenge has them.
func Specs() []Spec {
	twoNodes := []string{"n0", "n1"}
	threeNodes := []string{"n0", "n1", "n2"}
	fiveNodes := []string{"n0", "n1", "n2", "n3", "n4"}
	return []Spec{
		{Name: "unique-ids", Workload: "unique-ids", Params: workload.Params{Nodes: threeNodes, Concurrency: 3},
			NewModel: uniqueIDs(0)},
		{Name: "unique-ids-duplicates", Workload: "unique-ids", Params: workload.Params{Nodes: threeNodes, Concurrency: 3},
			NewModel: uniqueIDs(97)},
		{Name: "broadcast (set-full)", Workload: "broadcast", Params: workload.Params{Nodes: fiveNodes, Concurrency: 5},
			NewModel: set("broadcast", "message", "messages"), MaxOps: 10_000},
		// Reads lag, lose, forget and invent messages: see lossySet.
		{Name: "broadcast-lossy (set-full)", Workload: "broadcast", Params: workload.Params{Nodes: fiveNodes, Concurrency: 5},
			NewModel: lossySet, MaxOps: 10_000},
		{Name: "g-set (set-full)", Workload: "g-set", Params: workload.Params{Nodes: fiveNodes, Concurrency: 5},
			NewModel: set("add", "element", "value"), MaxOps: 10_000},
		{Name: "g-counter (counter)", Workload: "g-counter", Params: workload.Params{Nodes: threeNodes, Concurrency: 3},
			NewModel: counter},
		{Name: "pn-counter (counter)", Workload: "pn-counter", Params: workload.Params{Nodes: fiveNodes, Concurrency: 5},
			NewModel: counter},
		{Name: "kafka", Workload: "kafka", Params: workload.Params{Nodes: twoNodes, Concurrency: 4, MaxWritesPerKey: 16},
			NewModel: kafkaLog(nil)},
		// Offset 7 of every key ending in 23 is never polled: lost writes,
		// skips and unseen messages.
		{Name: "kafka-lossy", Workload: "kafka", Params: workload.Params{Nodes: twoNodes, Concurrency: 4, MaxWritesPerKey: 16},
			NewModel: kafkaLog(func(k string, offset int) bool { return offset == 7 && strings.HasSuffix(k, "23") })},
		{Name: "txn-rw-register (Elle)", Workload: "txn-rw-register",
			Params:   workload.Params{Nodes: twoNodes, Concurrency: 4, MaxTxnLength: 4, MaxWritesPerKey: 16, ConsistencyModels: []string{"read-committed"}, Availability: "total"},
			NewModel: registers(false)},
		{Name: "txn-list-append (Elle)", Workload: "txn-list-append",
			Params:   workload.Params{Nodes: twoNodes, Concurrency: 4, MaxTxnLength: 4, MaxWritesPerKey: 16, ConsistencyModels: []string{"serializable"}},
			NewModel: registers(true)},
		{Name: "lin-kv (linearizability)", Workload: "lin-kv",
			Params:   workload.Params{Nodes: twoNodes, Concurrency: 4, LinearizabilityBudget: 60 * time.Second},
			NewModel: linKV},
	}
}

// SpecNamed finds a spec by name.
func SpecNamed(name string) (Spec, bool) {
	for _, s := range Specs() {
		if s.Name == name {
			return s, true
		}
	}
	return Spec{}, false
}
