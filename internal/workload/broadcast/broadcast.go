// Package broadcast is Maelstrom's broadcast workload
// (src/maelstrom/workload/broadcast.clj): every node gets the whole topology
// map at start, clients broadcast the integers 0, 1, 2, ... and read each
// node's set, every client thread does one final read after the healed quiet
// period, and Jepsen's set-full checker judges the history.
package broadcast

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

const (
	// rpcTimeout is Maelstrom's default client RPC timeout.
	rpcTimeout = 5 * time.Second
	// topologyTimeout bounds the topology RPC of the setup step.
	topologyTimeout = 5 * time.Second
)

// New returns the broadcast workload.
func New() *workload.Workload {
	return &workload.Workload{
		Name:           "broadcast",
		ReusableClient: false, // Maelstrom opens a new client after an info
		Setup:          setup,
		NewGenerator:   func(*workload.Params) workload.Generator { return &generator{} },
		NewClient: func(_ *workload.Params, conn workload.Conn, node string) workload.Client {
			return &client{conn: conn, node: node}
		},
		Check: func(_ *workload.Params, h history.History) checker.Result { return Check(h) },
		EDN:   ednValues,
	}
}

// setup sends the whole topology map to one node and requires topology_ok.
// Any failure (timeout, error reply, malformed reply) aborts the test, as in
// Maelstrom where the exception escapes the client's setup!.
func setup(ctx context.Context, p *workload.Params, node string, conn workload.Conn) error {
	topo, err := Topology(p.Topology, p.Nodes)
	if err != nil {
		return err
	}
	reply, err := conn.Call(ctx, node, wire.Body{"type": "topology", "topology": topo}, topologyTimeout)
	if err == nil {
		err = workload.Expect(reply, "topology_ok")
	}
	if err != nil {
		return fmt.Errorf("topology on %s: %w", node, err)
	}
	return nil
}

// generator is (gen/mix [broadcasts reads]) with broadcasts drawing 0, 1,
// 2, ... from one counter, and a final phase of one final read per thread
// (gen/each-thread {:f :read, :final? true}).
type generator struct {
	next int64
	workload.OneFinalRead
}

func (g *generator) Next(_ int, _ time.Duration, rng *rand.Rand) (workload.Op, bool) {
	if rng.IntN(2) == 0 {
		v := g.next
		g.next++
		return workload.Op{F: "broadcast", Value: v}, true
	}
	return workload.Op{F: "read"}, true
}

func (g *generator) Update(history.Op) {}

// client performs broadcast and read against one node. Reads are idempotent
// (a read timeout is fail); broadcasts are not (a timeout is info).
type client struct {
	conn workload.Conn
	node string
}

func (c *client) Invoke(ctx context.Context, op history.Op) history.Op {
	idempotent := op.F == "read"
	switch op.F {
	case "broadcast":
		reply, err := c.conn.Call(ctx, c.node, wire.Body{"type": "broadcast", "message": op.Value}, rpcTimeout)
		if err == nil {
			err = workload.Expect(reply, "broadcast_ok")
		}
		// A broadcast completes with the value it sent.
		return workload.Complete(op, op.Value, err, idempotent)
	case "read":
		reply, err := c.conn.Call(ctx, c.node, wire.Body{"type": "read"}, rpcTimeout)
		if err == nil {
			err = workload.Expect(reply, "read_ok", "messages")
		}
		if err == nil {
			err = workload.Sequence("messages", reply["messages"])
		}
		var value any
		if err == nil {
			value = reply["messages"] // a list, or nil for null
		}
		return workload.Complete(op, value, err, idempotent)
	}
	return workload.Complete(op, nil, fmt.Errorf("unknown operation %q", op.F), idempotent)
}
