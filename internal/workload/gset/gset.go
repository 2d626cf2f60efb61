// Package gset is Maelstrom's g-set workload (src/maelstrom/workload/g_set.clj):
// clients add the integers 0, 1, 2, ... to a grow-only set and read the
// whole set, every client thread does one final read after the healed quiet
// period, and Jepsen's set-full checker, the one broadcast uses, judges the
// history.
package gset

import (
	"math/rand/v2"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/checker/setfull"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/workload"
)

// rpcTimeout is Maelstrom's default client RPC timeout.
const rpcTimeout = 5 * time.Second

// New returns the g-set workload.
func New() *workload.Workload {
	return &workload.Workload{
		Name:           "g-set",
		ReusableClient: false, // Maelstrom opens a new client after an info
		NewGenerator:   func(*workload.Params) workload.Generator { return &generator{} },
		NewClient: func(_ *workload.Params, conn workload.Conn, node string) workload.Client {
			// An ok add keeps its element as its value; an ok read's value is
			// the reply's value, a list or null.
			return &workload.AddRead{Conn: conn, Node: node, AddField: "element", Timeout: rpcTimeout,
				ReadValue: func(v any) (any, error) { return v, workload.Sequence("value", v) }}
		},
		Check: func(_ *workload.Params, h history.History) checker.Result { return setfull.Check(h, "add") },
		EDN:   ednValues,
	}
}

// generator is (gen/mix [adds reads]) with adds drawing 0, 1, 2, ... from
// one counter. The final phase is one read per thread: g_set.clj's
// (gen/each-thread {:f :read}) has no :final? flag, but the workbench flags
// those reads final all the same, so that results name what each final read
// lacks (set-full never looks at the flag).
type generator struct {
	next int64
	workload.OneFinalRead
}

func (g *generator) Next(_ int, _ time.Duration, rng *rand.Rand) (workload.Op, bool) {
	if rng.IntN(2) == 0 {
		v := g.next
		g.next++
		return workload.Op{F: "add", Value: v}, true
	}
	return workload.Op{F: "read"}, true
}

func (g *generator) Update(history.Op) {}
