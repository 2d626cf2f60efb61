package graph

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// Clojure's (hash n) for a long is Murmur3/hashLong; these are the values
// Clojure prints (and jepsen.history's own test asserts index-hash of index 1).
func TestMurmur3HashLong(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want int32
	}{
		{0, 0},
		{1, 1392991556},
		{2, -971005196},
		{42, 1871679806},
		{100, -970256272},
		{-1, 1651860712},
	} {
		if got := murmur3HashLong(tc.in); got != tc.want {
			t.Errorf("hashLong(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// The expected orders were printed by iterating an
// io.lacuna.bifurcan.Map (0.2.0-alpha7) keyed by these longs with Elle's
// index hash (Murmur3/hashLong), keys inserted in the order listed.
func TestBifurcanOrder(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys []int
		want []int
	}{
		{"empty", nil, []int{}},
		{"one", []int{7}, []int{7}},
		{"0..20",
			[]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20},
			[]int{0, 10, 6, 20, 8, 13, 17, 15, 4, 9, 19, 18, 5, 16, 11, 12, 1, 7, 3, 14, 2}},
		{"30 keys below 3000",
			[]int{2161, 170, 2454, 2458, 2820, 541, 2858, 2000, 1880, 1369, 2813, 229, 2066, 830, 1617,
				2550, 1893, 1688, 363, 2106, 2735, 1268, 1307, 2257, 2832, 2623, 2116, 700, 2261, 469},
			[]int{1617, 2832, 1688, 2820, 2000, 2261, 1880, 2161, 1369, 2735, 2813, 2257, 2116, 541, 1307,
				700, 2623, 2458, 2858, 1268, 170, 830, 363, 2106, 1893, 229, 2550, 469, 2066, 2454}},
		{"45 keys below 3000",
			[]int{940, 1923, 2776, 2452, 149, 388, 190, 441, 792, 1088, 288, 2987, 2187, 903, 2181,
				2114, 2754, 477, 1173, 191, 926, 984, 127, 1518, 2355, 1766, 171, 2206, 466, 2397,
				694, 2740, 1966, 1250, 1748, 1361, 2546, 765, 2146, 2663, 2553, 1929, 604, 153, 1414},
			[]int{765, 1518, 792, 388, 984, 2114, 604, 1966, 171, 2187, 1173, 926, 149, 940, 1748,
				903, 1250, 2754, 441, 1414, 1088, 1929, 2740, 694, 2553, 1766, 2546, 2181, 1361, 466,
				2987, 2452, 127, 477, 2206, 288, 190, 2776, 2355, 153, 1923, 2146, 2663, 2397, 191}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := BifurcanOrder(tc.keys, OpHash); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
}

// The order depends on the set only, never on the order keys come in
// (CHAMP tries built by insertion are canonical).
func TestBifurcanOrderIgnoresInputOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for range 200 {
		keys := rng.Perm(5000)[:1+rng.IntN(300)]
		want := BifurcanOrder(keys, OpHash)
		shuffled := slices.Clone(keys)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := BifurcanOrder(shuffled, OpHash); !reflect.DeepEqual(got, want) {
			t.Fatalf("order of %v changed with input order", keys)
		}
		sorted := slices.Clone(want)
		slices.Sort(sorted)
		ks := slices.Clone(keys)
		slices.Sort(ks)
		if !reflect.DeepEqual(sorted, ks) {
			t.Fatalf("not a permutation: %v of %v", want, keys)
		}
	}
}

// Keys with equal hashes share a collision node, iterated (we assume) in
// ascending key order, after the keys that sit alone at that level.
func TestBifurcanOrderCollisions(t *testing.T) {
	hash := map[int]uint32{1: 0b00001, 2: 0b00010, 3: 0b00001, 4: 0b00011}
	got := BifurcanOrder([]int{3, 4, 2, 1}, func(k int) uint32 { return hash[k] })
	if want := []int{2, 4, 1, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
