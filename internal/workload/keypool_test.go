package workload

import (
	"math/rand/v2"
	"testing"
)

func TestKeyPoolBias(t *testing.T) {
	p := NewKeyPool(4, 1<<30)
	rng := rand.New(rand.NewPCG(3, 4))
	counts := make([]int, 4)
	const n = 150000
	for range n {
		counts[p.Key(rng)]++
	}
	// Key i is 2^i times as likely as key 0: 1/15, 2/15, 4/15, 8/15.
	for i, c := range counts {
		want := float64(n) * float64(int(1)<<i) / 15
		if d := float64(c) - want; d > want*0.05 || d < -want*0.05 {
			t.Errorf("key %d drawn %d times, want about %.0f", i, c, want)
		}
	}
}

func TestKeyPoolRetirement(t *testing.T) {
	p := NewKeyPool(3, 2)
	p.next[2] = 3 // key 2 is spent
	p.retire(2)
	if p.active[2] != 3 {
		t.Fatalf("active %v, want [0 1 3]", p.active)
	}
	p.retire(0)
	if p.active[0] != 4 {
		t.Fatalf("active %v, want [4 1 3]", p.active)
	}
}

func TestKeyPoolWrites(t *testing.T) {
	p := NewKeyPool(2, 2)
	for _, tc := range []struct {
		key    int64
		want   int64
		wantOK bool
	}{
		{0, 1, true}, {0, 2, true}, {0, 0, false}, // third write retires key 0
		{1, 1, true},
	} {
		v, ok := p.Write(tc.key)
		if v != tc.want || ok != tc.wantOK {
			t.Fatalf("Write(%d) = %d, %v; want %d, %v", tc.key, v, ok, tc.want, tc.wantOK)
		}
	}
	if got := p.Active(); got[0] != 2 || got[1] != 1 {
		t.Fatalf("active %v, want [2 1]: key 0 retired for 2", got)
	}
}
