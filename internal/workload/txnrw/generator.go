package txnrw

import (
	"encoding/json"
	"math"
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
	keyDistBase            = 2.0
)

// Generator is Elle's wr-txns generator as Maelstrom configures it: a pool
// of active integer keys chosen with an exponential bias (key i of the pool
// is base^i times as likely as key 0), transactions of uniform length in
// [1, max-txn-length] whose micro-ops are reads or writes with equal odds,
// and per-key write values 1, 2, 3, ... A key that has had
// max-writes-per-key writes is retired: its slot gets a fresh key, one more
// than the largest active key, and the micro-op is drawn again.
type Generator struct {
	minLen, maxLen, maxWrites int
	scale                     float64
	active                    []int64
	next                      map[int64]int64 // next value to write per key
}

// NewGenerator builds the generator for the test parameters.
func NewGenerator(p *workload.Params) *Generator {
	keyCount := orDefault(p.KeyCount, defaultKeyCount)
	g := &Generator{
		minLen:    minTxnLength,
		maxLen:    orDefault(p.MaxTxnLength, defaultMaxTxnLength),
		maxWrites: orDefault(p.MaxWritesPerKey, defaultMaxWritesPerKey),
		// Elle's key-dist-scale: draws in [0, scale) map to pool indices.
		scale:  (math.Pow(keyDistBase, float64(keyCount)) - 1) * keyDistBase / (keyDistBase - 1),
		active: make([]int64, keyCount),
		next:   map[int64]int64{},
	}
	for i := range g.active {
		g.active[i] = int64(i)
	}
	return g
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
		k := g.key(rng)
		if !write {
			txn = append(txn, []any{"r", num(k), nil})
			continue
		}
		v, ok := g.next[k]
		if !ok {
			v = 1
		}
		if v > int64(g.maxWrites) {
			g.retire(k)
			continue
		}
		g.next[k] = v + 1
		txn = append(txn, []any{"w", num(k), num(v)})
	}
	return txn
}

// key is Elle's rand-key for the exponential distribution.
func (g *Generator) key(rng *rand.Rand) int64 {
	x := rng.Float64() * g.scale
	i := int(math.Floor(math.Log(x+keyDistBase)/math.Log(keyDistBase) - 1))
	i = max(0, min(i, len(g.active)-1)) // guards float rounding at the ends
	return g.active[i]
}

// retire is Elle's fresh-key: k's slot gets max(active)+1.
func (g *Generator) retire(k int64) {
	top := g.active[0]
	for _, a := range g.active {
		top = max(top, a)
	}
	for i, a := range g.active {
		if a == k {
			g.active[i] = top + 1
			return
		}
	}
}

func num(i int64) json.Number { return json.Number(strconv.FormatInt(i, 10)) }
