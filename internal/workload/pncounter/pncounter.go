// Package pncounter is Maelstrom's pn-counter workload
// (src/maelstrom/workload/pn_counter.clj): clients add deltas in -5..4 and
// read the counter, every client thread does one final read after the healed
// quiet period, and each final read must be a sum the acknowledged and
// indeterminate adds allow.
package pncounter

import (
	"math/rand/v2"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/checker/counter"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/workload"
	"gossip-glomers/internal/workload/gcounter"
)

// New returns the pn-counter workload. In Maelstrom g-counter is pn-counter
// with negative adds filtered out; here the shared client lives in gcounter,
// so pn-counter takes it from there and sets its own name and generator.
func New() *workload.Workload {
	w := gcounter.New()
	w.Name = "pn-counter"
	w.NewGenerator = func(*workload.Params) workload.Generator { return &generator{} }
	w.Check = func(_ *workload.Params, h history.History) checker.Result { return counter.Check(h) }
	return w
}

// generator is (gen/mix [adds reads]), adds drawing (- (rand-int 10) 5),
// a delta uniform in -5..4. The final phase is
// (gen/each-thread {:f :read, :final? true}).
type generator struct {
	workload.OneFinalRead
}

func (g *generator) Next(_ int, _ time.Duration, rng *rand.Rand) (workload.Op, bool) {
	if rng.IntN(2) == 0 {
		return workload.Op{F: "read"}, true
	}
	return workload.Op{F: "add", Value: int64(rng.IntN(10) - 5)}, true
}

func (g *generator) Update(history.Op) {}
