// Package gcounter is Maelstrom's g-counter workload
// (src/maelstrom/workload/g_counter.clj, which reuses pn_counter.clj's
// client and checker): clients add non-negative deltas and read the counter,
// every client thread does one final read after the healed quiet period, and
// each final read must be a sum the acknowledged and indeterminate adds allow.
package gcounter

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
)

// rpcTimeout is Maelstrom's default client RPC timeout.
const rpcTimeout = 5 * time.Second

// New returns the g-counter workload.
func New() *workload.Workload {
	return &workload.Workload{
		Name:           "g-counter",
		ReusableClient: false, // Maelstrom opens a new client after an info
		NewGenerator:   func(*workload.Params) workload.Generator { return &generator{} },
		NewClient: func(_ *workload.Params, conn workload.Conn, node string) workload.Client {
			return &client{conn: conn, node: node}
		},
		Check: func(_ *workload.Params, h history.History) checker.Result { return Check(h) },
		EDN:   ednValues,
	}
}

// generator is pn-counter's (gen/mix [adds reads]), adds drawing a delta
// uniform in -5..4, filtered by g-counter to drop negative adds. A dropped
// op is replaced by a fresh draw from the mix, so deltas are uniform in 0..4
// and about a third of the ops are adds. The final phase is
// (gen/each-thread {:f :read, :final? true}).
type generator struct {
	workload.OneFinalRead
}

func (g *generator) Next(_ int, _ time.Duration, rng *rand.Rand) (workload.Op, bool) {
	for {
		if rng.IntN(2) == 0 {
			return workload.Op{F: "read"}, true
		}
		if d := int64(rng.IntN(10) - 5); d >= 0 {
			return workload.Op{F: "add", Value: d}, true
		}
	}
}

func (g *generator) Update(history.Op) {}

// client is pn-counter's client. It has no error mapping: any error reply,
// timeout or reply that breaks the schema makes the op info, never fail.
type client struct {
	conn workload.Conn
	node string
}

// Invoke sends add {delta} (the ok completion keeps the delta as its value)
// or read (the ok completion's value is the counter, which must be an
// integer that fits a long: Maelstrom applies long to it).
func (c *client) Invoke(ctx context.Context, op history.Op) history.Op {
	switch op.F {
	case "add":
		reply, err := c.conn.Call(ctx, c.node, wire.Body{"type": "add", "delta": op.Value}, rpcTimeout)
		if err == nil {
			err = workload.Expect(reply, "add_ok")
		}
		if err != nil {
			return workload.Indeterminate(op, err)
		}
		op.Type = history.OK
		return op
	case "read":
		reply, err := c.conn.Call(ctx, c.node, wire.Body{"type": "read"}, rpcTimeout)
		if err == nil {
			err = workload.Expect(reply, "read_ok", "value")
		}
		var v int64
		if err == nil {
			var ok bool
			if v, ok = wire.Int(reply["value"]); !ok {
				err = fmt.Errorf("read_ok: value %s is not an integer that fits a long", wire.Key(reply["value"]))
			}
		}
		if err != nil {
			return workload.Indeterminate(op, err)
		}
		op.Type, op.Value = history.OK, v
		return op
	}
	return workload.Indeterminate(op, fmt.Errorf("unknown operation %q", op.F))
}
