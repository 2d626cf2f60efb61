package txnrw

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"time"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/workload"
)

// Defaults Maelstrom's CLI and Elle's generator give these options.
const (
	defaultKeyCount        = 10 // Elle, for the exponential key distribution
	defaultMaxTxnLength    = 4  // Maelstrom's --max-txn-length
	defaultMaxWritesPerKey = 16 // Maelstrom's --max-writes-per-key
	minTxnLength           = 1  // Elle's default; Maelstrom passes none
)

// Generator is Elle's wr-txns generator as Maelstrom configures it: a pool
// of active integer keys chosen with an exponential bias (key i of the pool
// is base^i times as likely as key 0), transactions of uniform length in
// [1, max-txn-length] whose micro-ops are reads or writes with equal odds,
// and per-key write values 1, 2, 3, ... A key that has had
// max-writes-per-key writes is retired: its slot gets a fresh key, one more
// than the largest active key, and the micro-op is drawn again.
type Generator struct {
	minLen, maxLen int
	keys           *workload.KeyPool
}

// NewGenerator builds the generator for the test parameters.
func NewGenerator(p *workload.Params) *Generator {
	return &Generator{
		minLen: minTxnLength,
		maxLen: orDefault(p.MaxTxnLength, defaultMaxTxnLength),
		keys: workload.NewKeyPool(orDefault(p.KeyCount, defaultKeyCount),
			orDefault(p.MaxWritesPerKey, defaultMaxWritesPerKey)),
	}
}

func orDefault(v, d int) int {
	if v > 0 {
		return v
	}
	return d
}

// Next returns the next transaction; the sequence is shared by all threads.
func (g *Generator) Next(_ int, _ time.Duration, rng *rand.Rand) (workload.Op, bool) {
	return workload.Op{F: "txn", Value: g.Txn(rng)}, true
}

// Update ignores completions: Elle's generator is open-loop.
func (g *Generator) Update(history.Op) {}

// Txn draws one transaction: a list of ["r", k, null] and ["w", k, v].
func (g *Generator) Txn(rng *rand.Rand) []any {
	length := g.minLen + rng.IntN(g.maxLen-g.minLen+1)
	txn := make([]any, 0, length)
	for len(txn) < length {
		write := rng.IntN(2) == 1
		k := g.keys.Key(rng)
		if !write {
			txn = append(txn, []any{"r", num(k), nil})
			continue
		}
		v, ok := g.keys.Write(k)
		if !ok {
			continue // k was spent and retired: draw again
		}
		txn = append(txn, []any{"w", num(k), num(v)})
	}
	return txn
}

func num(i int64) json.Number { return json.Number(strconv.FormatInt(i, 10)) }
