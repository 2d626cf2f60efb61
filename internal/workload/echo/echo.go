// Package echo is Maelstrom's echo workload: clients send a payload and
// expect the same payload back.
package echo

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

const rpcTimeout = 5 * time.Second

// New returns the echo workload.
func New() *workload.Workload {
	return &workload.Workload{
		Name:         "echo",
		NewGenerator: func(*workload.Params) workload.Generator { return generator{} },
		NewClient: func(_ *workload.Params, conn workload.Conn, node string) workload.Client {
			return &client{conn: conn, node: node}
		},
		Check: func(_ *workload.Params, h history.History) checker.Result { return Check(h) },
		EDN:   ednValues,
	}
}

// generator asks every op to echo "Please echo K", K uniform in 0..127.
type generator struct{}

func (generator) Next(_ int, _ time.Duration, rng *rand.Rand) (workload.Op, bool) {
	return workload.Op{F: "echo", Value: fmt.Sprintf("Please echo %d", rng.IntN(128))}, true
}

func (generator) Update(history.Op) {}

type client struct {
	conn workload.Conn
	node string
}

// Invoke sends the payload; an ok completion's value is the whole reply
// body, as in Maelstrom, and a timeout or error is info (no f is idempotent).
func (c *client) Invoke(ctx context.Context, op history.Op) history.Op {
	reply, err := c.conn.Call(ctx, c.node, wire.Body{"type": "echo", "echo": op.Value}, rpcTimeout)
	if err == nil {
		err = workload.Expect(reply, "echo_ok", "echo")
	}
	return workload.Complete(op, map[string]any(reply), err, false)
}

// Check is Maelstrom's echo checker: every ok or fail completion must carry
// its invocation's payload in its echo field. Like Maelstrom (which pairs
// ops with knossos' pair-index), an op that ended in info (a timeout, an
// indefinite error, a reply that broke the schema) or never completed is not
// paired and so not checked; a fail carries no echo, so it is an error.
func Check(h history.History) checker.Result {
	errs := []any{}
	invoked := map[int]history.Op{}
	for _, op := range h {
		if !op.IsClient() {
			continue
		}
		switch op.Type {
		case history.Invoke:
			invoked[op.Process] = op
			continue
		case history.Info:
			delete(invoked, op.Process)
			continue
		}
		inv, ok := invoked[op.Process]
		if !ok {
			continue
		}
		delete(invoked, op.Process)
		var echoed any
		if body, ok := op.Value.(map[string]any); ok {
			echoed = body["echo"]
		}
		if !wire.Equal(echoed, inv.Value) {
			errs = append(errs, []any{"Expected a message with :echo", inv.Value, "But received", op.Value})
		}
	}
	res := checker.Result{Valid: checker.Of(len(errs) == 0), Figures: map[string]any{"error_count": len(errs)}}
	if len(errs) > 0 {
		res.Anomalies = []string{"wrong-echo"}
		if len(errs) > 8 {
			errs = errs[:8]
		}
		res.Figures["errors"] = errs
	}
	return res
}
