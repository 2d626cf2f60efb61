// Package linkv is Maelstrom's lin-kv workload
// (src/maelstrom/workload/lin_kv.clj, which takes its generator and checker
// from jepsen.tests.linearizable-register): clients read, write and
// compare-and-set independent integer keys, and each key's history must be
// linearizable on a compare-and-set register that starts at nil, as Knossos
// checks it (here with porcupine, see checker.go).
//
// Requests and replies:
//
//	{"type":"read","key":0}                 -> {"type":"read_ok","value":3}
//	{"type":"write","key":0,"value":3}      -> {"type":"write_ok"}
//	{"type":"cas","key":0,"from":3,"to":4}  -> {"type":"cas_ok"}
//
// History values are [key, value] tuples (jepsen.independent): a read
// invokes [k, null] and completes [k, v], a write is [k, v], a cas
// [k, [from, to]].
package linkv

import (
	"context"
	"fmt"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
)

// New returns the lin-kv workload.
func New() *workload.Workload {
	return &workload.Workload{
		Name:           "lin-kv",
		ReusableClient: true, // lin_kv.clj's client is client/Reusable
		Setup:          checkThreads,
		NewGenerator:   func(p *workload.Params) workload.Generator { return NewGenerator(p) },
		NewClient: func(p *workload.Params, conn workload.Conn, node string) workload.Client {
			return &client{conn: conn, node: node, timeout: RPCTimeout(p.Latency)}
		},
		Check: func(p *workload.Params, h history.History) checker.Result {
			return Check(h, Options{Budget: p.LinearizabilityBudget})
		},
	}
}

// RPCTimeout is lin_kv.clj's client timeout: (max (* 10 mean-latency) 1000) ms.
func RPCTimeout(meanLatency time.Duration) time.Duration {
	return max(10*meanLatency, time.Second)
}

// checkThreads rejects the thread counts Maelstrom cannot run, before the
// first operation, as the generator's first op does there.
func checkThreads(_ context.Context, p *workload.Params, _ string, _ workload.Conn) error {
	return ThreadError(p.Concurrency, len(p.Nodes))
}

// ThreadError says why lin-kv cannot run with this many client threads and
// nodes, or is nil. Keys are worked on by groups of 2N threads
// (jepsen.independent/concurrent-generator), which asserts that there are at
// least 2N threads and that they split into whole groups; the messages are
// that function's. With more than 10 nodes a group alone has more processes
// than the per-key process limit of 20 (gen/process-limit), so no key ever
// gets an operation and Maelstrom's generator spins forever; glomers refuses
// to start instead.
func ThreadError(concurrency, nodes int) error {
	group := groupSize(nodes)
	switch {
	case concurrency < group:
		return fmt.Errorf("With %d worker threads, this jepsen.concurrent/concurrent-generator cannot run a key with %d threads concurrently. Consider raising your test's :concurrency to at least %d.",
			concurrency, group, group)
	case concurrency%group != 0:
		groups := concurrency / group
		return fmt.Errorf("This jepsen.independent/concurrent-generator has %d threads to work with, but can only use %d of those threads to run %d concurrent keys with %d threads apiece. Consider raising or lowering the test's :concurrency to a multiple of %d.",
			concurrency, groups*group, groups, group, group)
	case group > processLimit:
		return fmt.Errorf("lin-kv cannot run on %d nodes: each key's %d threads already exceed Jepsen's limit of %d processes per key, so no key would ever get an operation (Maelstrom's generator spins forever); use at most %d nodes",
			nodes, group, processLimit, processLimit/2)
	}
	return nil
}

// client is lin_kv.clj's client: one RPC per operation with c/with-errors,
// where only read is idempotent.
type client struct {
	conn    workload.Conn
	node    string
	timeout time.Duration
}

func (c *client) Invoke(ctx context.Context, op history.Op) history.Op {
	key, arg, err := splitTuple(op.Value)
	if err != nil {
		return workload.Complete(op, nil, err, op.F == "read")
	}
	var body wire.Body
	switch op.F {
	case "read":
		body = wire.Body{"type": "read", "key": key}
	case "write":
		body = wire.Body{"type": "write", "key": key, "value": arg}
	case "cas":
		pair, ok := arg.([]any)
		if !ok || len(pair) != 2 {
			return workload.Complete(op, nil, fmt.Errorf("cas value %v is not [from, to]", arg), false)
		}
		body = wire.Body{"type": "cas", "key": key, "from": pair[0], "to": pair[1]}
	default:
		return workload.Complete(op, nil, fmt.Errorf("lin-kv has no operation %q", op.F), false)
	}
	reply, err := c.conn.Call(ctx, c.node, body, c.timeout)
	if err != nil {
		return workload.Complete(op, nil, err, op.F == "read")
	}
	if op.F == "read" {
		if err := workload.Expect(reply, "read_ok", "value"); err != nil {
			return workload.Complete(op, nil, err, true)
		}
		return workload.Complete(op, []any{key, reply["value"]}, nil, true)
	}
	// write and cas complete with their invocation's value.
	return workload.Complete(op, op.Value, workload.Expect(reply, op.F+"_ok"), false)
}

// splitTuple reads an independent [key, value] tuple.
func splitTuple(v any) (key, value any, err error) {
	t, ok := v.([]any)
	if !ok || len(t) != 2 {
		return nil, nil, fmt.Errorf("value %v is not a [key, value] tuple", v)
	}
	return t[0], t[1], nil
}
