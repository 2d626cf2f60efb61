package graph

import (
	"math/bits"
	"slices"
)

// Elle keeps its graphs in Bifurcan maps (io.lacuna.bifurcan.Map, a CHAMP
// hash trie, bifurcan 0.2.0-alpha7 as Elle 0.2.2 pins it) keyed by Jepsen
// ops, and walks vertices and successors in the maps' iteration order. That
// order is not insertion order but a function of the keys' hashes, and Elle
// hashes an op by its :index alone (jepsen.history.Op/index-hash). So the
// order Elle visits ops in is reproducible from the indices: OpHash is the
// hash Bifurcan files an op under, BifurcanOrder the order it iterates a set
// of them in.

// OpHash is the 32-bit hash under which a Bifurcan map built by Elle files
// the op with this :index: Clojure's Murmur3/hashLong of the index
// (index-hash), widened to a long by bifurcan-clj's functional wrapper, then
// folded and spread by Map.keyHash.
func OpHash(index int) uint32 {
	h := murmur3HashLong(int64(index))
	// keyHash: (int) ((hash64 >> 32) ^ hash64) of the sign-extended int,
	// which flips every bit of a negative hash.
	x := uint32(int64(h)>>32 ^ int64(h))
	x ^= x>>20 ^ x>>12
	x ^= x>>7 ^ x>>4
	return x
}

// murmur3HashLong is clojure.lang.Murmur3.hashLong (seed 0).
func murmur3HashLong(input int64) int32 {
	if input == 0 {
		return 0
	}
	h := murmur3MixH1(0, murmur3MixK1(uint32(input)))
	h = murmur3MixH1(h, murmur3MixK1(uint32(uint64(input)>>32)))
	return int32(murmur3Fmix(h, 8))
}

func murmur3MixK1(k uint32) uint32 {
	return bits.RotateLeft32(k*0xcc9e2d51, 15) * 0x1b873593
}

func murmur3MixH1(h, k uint32) uint32 {
	return bits.RotateLeft32(h^k, 13)*5 + 0xe6546b64
}

func murmur3Fmix(h, length uint32) uint32 {
	h ^= length
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// BifurcanOrder returns keys in the order a Bifurcan map holding exactly
// those keys iterates them, given each key's hash. A CHAMP node consumes 5
// bits of the hash per level, lowest first; it iterates the keys that sit
// alone in their 5-bit slot (its entries) before its sub-nodes, both in slot
// order, and a sub-node holds the keys sharing a slot. Maps built by
// insertion alone (all of Elle's search graphs are) have exactly that shape,
// whatever the insertion order. Keys whose hashes are equal end up in one
// collision node, iterated in insertion order; we cannot know that order
// and take ascending keys instead.
func BifurcanOrder(keys []int, hash func(int) uint32) []int {
	out := make([]int, 0, len(keys))
	hashed := make([]hashedKey, len(keys))
	for i, k := range keys {
		hashed[i] = hashedKey{k, hash(k)}
	}
	return appendCHAMPNode(out, hashed, 0)
}

type hashedKey struct {
	key  int
	hash uint32
}

// appendCHAMPNode appends the iteration order of the CHAMP node at shift
// holding keys.
func appendCHAMPNode(out []int, keys []hashedKey, shift uint) []int {
	if len(keys) == 0 {
		return out
	}
	if len(keys) > 1 && allSameHash(keys) {
		// a collision node
		sorted := slices.Clone(keys)
		slices.SortFunc(sorted, func(a, b hashedKey) int { return a.key - b.key })
		for _, k := range sorted {
			out = append(out, k.key)
		}
		return out
	}
	var slots [32][]hashedKey
	for _, k := range keys {
		s := (k.hash >> shift) & 31
		slots[s] = append(slots[s], k)
	}
	for _, s := range slots {
		if len(s) == 1 {
			out = append(out, s[0].key)
		}
	}
	for _, s := range slots {
		if len(s) > 1 {
			out = appendCHAMPNode(out, s, shift+5)
		}
	}
	return out
}

func allSameHash(keys []hashedKey) bool {
	for _, k := range keys[1:] {
		if k.hash != keys[0].hash {
			return false
		}
	}
	return true
}
