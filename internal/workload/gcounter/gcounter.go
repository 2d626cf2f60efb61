// Package gcounter is Maelstrom's g-counter workload
// (src/maelstrom/workload/g_counter.clj, which reuses pn_counter.clj's
// client and checker): clients add non-negative deltas and read the counter,
// every client thread does one final read after the healed quiet period, and
// each final read must be a sum the acknowledged and indeterminate adds allow.
package gcounter

import (
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
		NewClient:      newClient,
		Check:          func(_ *workload.Params, h history.History) checker.Result { return Check(h) },
		EDN:            ednValues,
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

// newClient is pn-counter's client (pn-counter and g-counter share it): an
// ok add keeps its delta as its value; an ok read's value is the counter,
// which must be an integer that fits a long (Maelstrom applies long to it).
func newClient(_ *workload.Params, conn workload.Conn, node string) workload.Client {
	return &workload.AddRead{Conn: conn, Node: node, AddField: "delta", Timeout: rpcTimeout, ReadValue: readCounter}
}

func readCounter(v any) (any, error) {
	n, ok := wire.Int(v)
	if !ok {
		return nil, fmt.Errorf("read_ok: value %s is not an integer that fits a long", wire.Key(v))
	}
	return n, nil
}
