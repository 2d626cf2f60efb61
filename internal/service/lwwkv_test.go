package service

import (
	"math/rand/v2"
	"testing"

	"gossip-glomers/internal/wire"
)

// scripted makes an LWWKV whose replica choices follow picks.
func scripted(t *testing.T, picks ...int) *LWWKV {
	s := NewLWWKV(rand.New(rand.NewPCG(1, 1)))
	s.intn = func(n int) int {
		if len(picks) == 0 {
			t.Fatal("ran out of scripted replica choices")
		}
		p := picks[0]
		picks = picks[1:]
		return p
	}
	return s
}

func TestLWWKVReplicas(t *testing.T) {
	cases := []struct {
		name  string
		picks []int
		steps []step
	}{
		{"replicas never merge", []int{0, 0, 1, 1, 0}, []step{
			{`{"type":"write","key":"x","value":1}`, `{"type":"write_ok"}`},
			{`{"type":"read","key":"x"}`, `{"type":"read_ok","value":1}`},
			{`{"type":"read","key":"x"}`, `{"type":"error","code":20,"text":"key does not exist"}`},
			{`{"type":"write","key":"x","value":2}`, `{"type":"write_ok"}`},
			{`{"type":"read","key":"x"}`, `{"type":"read_ok","value":1}`},
		}},
		{"cas ignores create_if_not_exists", []int{0, 0, 0}, []step{
			{`{"type":"cas","key":"x","from":1,"to":2,"create_if_not_exists":true}`, `{"type":"error","code":20,"text":"key does not exist"}`},
			{`{"type":"write","key":"x","value":1}`, `{"type":"write_ok"}`},
			{`{"type":"cas","key":"x","from":1,"to":2,"create_if_not_exists":true}`, `{"type":"cas_ok"}`},
		}},
		{"precondition text prints from with str", []int{1, 1, 1, 1}, []step{
			{`{"type":"write","key":"x","value":"a"}`, `{"type":"write_ok"}`},
			{`{"type":"cas","key":"x","from":"b","to":"c"}`, `{"type":"error","code":22,"text":"current value \"a\" is not b"}`},
			{`{"type":"cas","key":"x","from":null,"to":"c"}`, `{"type":"error","code":22,"text":"current value \"a\" is not "}`},
			{`{"type":"cas","key":"x","from":[1,"b"],"to":"c"}`, `{"type":"error","code":22,"text":"current value \"a\" is not [1 \"b\"]"}`},
		}},
		{"unknown type", []int{0}, []step{{`{"type":"ts"}`, ``}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { runSteps(t, scripted(t, c.picks...), "n0", c.steps) })
	}
}

// TestLWWKVHalfTheReadsForever: with real random routing a single write is
// seen by about half the reads, and that never improves.
func TestLWWKVHalfTheReadsForever(t *testing.T) {
	s := NewLWWKV(rand.New(rand.NewPCG(11, 11)))
	call(s, "n0", wire.Body{"type": "write", "key": "k", "value": num(7)})
	seen := 0
	for range 400 {
		if call(s, "n1", read("k")).Type() == "read_ok" {
			seen++
		}
	}
	if seen < 120 || seen > 280 {
		t.Fatalf("%d of 400 reads saw the write, want about half", seen)
	}
	missing := 0
	for range 100 {
		if call(s, "n1", read("k")).Type() == "error" {
			missing++
		}
	}
	if missing == 0 {
		t.Fatal("replicas converged; the reference's never do")
	}
}
