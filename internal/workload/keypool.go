package workload

import (
	"math"
	"math/rand/v2"
)

// keyDistBase is the base of Elle's exponential key distribution.
const keyDistBase = 2.0

// KeyPool is the key choice of Elle's transaction generators, which
// Maelstrom uses for txn-rw-register and, underneath, for kafka: a pool of
// active integer keys 0..keyCount-1 picked with an exponential bias (the
// i-th active key is base^i times as likely as the first: Elle's code, its
// docstring says the reverse), per-key write values 1, 2, 3, ..., and a key
// retired after maxWrites writes, its slot taking a fresh key one above the
// largest active one.
type KeyPool struct {
	active    []int64
	next      map[int64]int64 // next value to write per key
	maxWrites int64
	scale     float64 // Elle's key-dist-scale: draws in [0, scale) map to pool indices
}

// NewKeyPool returns a pool of keyCount active keys, each retired after
// maxWrites writes.
func NewKeyPool(keyCount, maxWrites int) *KeyPool {
	p := &KeyPool{
		active:    make([]int64, keyCount),
		next:      map[int64]int64{},
		maxWrites: int64(maxWrites),
		scale:     (math.Pow(keyDistBase, float64(keyCount)) - 1) * keyDistBase / (keyDistBase - 1),
	}
	for i := range p.active {
		p.active[i] = int64(i)
	}
	return p
}

// Key draws an active key (Elle's rand-key for the exponential distribution).
func (p *KeyPool) Key(rng *rand.Rand) int64 {
	x := rng.Float64() * p.scale
	i := int(math.Floor(math.Log(x+keyDistBase)/math.Log(keyDistBase) - 1))
	i = max(0, min(i, len(p.active)-1)) // guards float rounding at the ends
	return p.active[i]
}

// Write returns the value of the next write to k. When k has had its
// maxWrites writes, ok is false and k is retired: the caller draws again.
func (p *KeyPool) Write(k int64) (v int64, ok bool) {
	v, seen := p.next[k]
	if !seen {
		v = 1
	}
	if v > p.maxWrites {
		p.retire(k)
		return 0, false
	}
	p.next[k] = v + 1
	return v, true
}

// Active returns the keys in the pool now.
func (p *KeyPool) Active() []int64 { return append([]int64(nil), p.active...) }

// retire is Elle's fresh-key: k's slot gets max(active)+1.
func (p *KeyPool) retire(k int64) {
	top := p.active[0]
	for _, a := range p.active {
		top = max(top, a)
	}
	for i, a := range p.active {
		if a == k {
			p.active[i] = top + 1
			return
		}
	}
}
