package linkv

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/workload"
)

func params(nodes, concurrency int) *workload.Params {
	p := &workload.Params{Concurrency: concurrency}
	for i := range nodes {
		p.Nodes = append(p.Nodes, "n"+string(rune('0'+i)))
	}
	return p
}

func keyOf(t *testing.T, op workload.Op) json.Number {
	t.Helper()
	tuple, ok := op.Value.([]any)
	if !ok || len(tuple) != 2 {
		t.Fatalf("op value %v is not a [key, value] tuple", op.Value)
	}
	return tuple[0].(json.Number)
}

// TestGeneratorRoles: with 3 nodes and 4n threads, threads 0-2 read and
// 3-5 write or cas key 0; threads 6-11, the second group, work on key 1 and
// never read, since gen/reserve's read range is absolute thread numbers.
func TestGeneratorRoles(t *testing.T) {
	g := NewGenerator(params(3, 12))
	rng := rand.New(rand.NewPCG(1, 2))
	counts := map[string]int{}
	for range 100 {
		for thread := range 12 {
			op, ok := g.Next(thread, 0, rng)
			if !ok {
				t.Fatalf("thread %d got no op", thread)
			}
			wantKey := json.Number("0")
			if thread >= 6 {
				wantKey = "1"
			}
			if k := keyOf(t, op); k != wantKey {
				t.Fatalf("thread %d works on key %s, want %s", thread, k, wantKey)
			}
			reads := thread < 3
			if (op.F == "read") != reads {
				t.Fatalf("thread %d got %s", thread, op.F)
			}
			counts[op.F]++
			switch op.F {
			case "read":
				if op.Value.([]any)[1] != nil {
					t.Fatalf("read invokes with %v, want [k, nil]", op.Value)
				}
			case "write":
				checkSmall(t, op.Value.([]any)[1])
			case "cas":
				pair := op.Value.([]any)[1].([]any)
				checkSmall(t, pair[0])
				checkSmall(t, pair[1])
			}
		}
	}
	// gen/mix [w cas cas]: a third of the writers' ops are writes.
	writers := counts["write"] + counts["cas"]
	if share := float64(counts["write"]) / float64(writers); share < 0.28 || share > 0.38 {
		t.Errorf("writes are %.2f of %d write/cas ops, want about 1/3", share, writers)
	}
}

func checkSmall(t *testing.T, v any) {
	t.Helper()
	n, err := v.(json.Number).Int64()
	if err != nil || n < 0 || n > 4 {
		t.Fatalf("value %v, want an integer in 0..4", v)
	}
}

// TestGeneratorRetiresKeys: a key lasts while at most 20 processes have run
// on its group. With 3 nodes a group starts with 6, so the 15th info in the
// group retires the key; the next group to ask takes the next unused key.
func TestGeneratorRetiresKeys(t *testing.T) {
	const concurrency = 12
	g := NewGenerator(params(3, concurrency))
	rng := rand.New(rand.NewPCG(1, 2))
	process := make([]int, concurrency)
	for t := range process {
		process[t] = t
	}
	crash := func(thread int) { // an info completion on thread
		g.Update(history.Op{Type: history.Info, Process: process[thread]})
		process[thread] += concurrency
	}
	next := func(thread int) json.Number {
		op, ok := g.Next(thread, 0, rng)
		if !ok {
			t.Fatalf("thread %d got no op", thread)
		}
		return keyOf(t, op)
	}
	next(0) // the group's first op: its 6 processes are on key 0
	for i := range 14 {
		crash(i % 6)
		if k := next(0); k != "0" {
			t.Fatalf("after %d infos group 0 moved to key %s", i+1, k)
		}
	}
	crash(3)
	if k := next(4); k != "2" {
		t.Fatalf("after 15 infos group 0 works on key %s, want 2 (key 1 is group 1's)", k)
	}
	if k := next(7); k != "1" {
		t.Fatalf("group 1 moved to key %s", k)
	}
	// Fail and ok completions leave the processes alone.
	g.Update(history.Op{Type: history.Fail, Process: process[0]})
	g.Update(history.Op{Type: history.OK, Process: process[0]})
	for range 3 {
		if k := next(0); k != "2" {
			t.Fatalf("key %s", k)
		}
	}
}

func TestThreadError(t *testing.T) {
	tests := []struct {
		nodes, concurrency int
		want               string // substring; "" for no error
	}{
		{3, 6, ""},
		{3, 12, ""},
		{1, 2, ""},
		{10, 20, ""},
		{3, 3, "With 3 worker threads, this jepsen.concurrent/concurrent-generator cannot run a key with 6 threads concurrently. Consider raising your test's :concurrency to at least 6."},
		{3, 9, "This jepsen.independent/concurrent-generator has 9 threads to work with, but can only use 6 of those threads to run 1 concurrent keys with 6 threads apiece. Consider raising or lowering the test's :concurrency to a multiple of 6."},
		{11, 22, "each key's 22 threads already exceed Jepsen's limit of 20 processes per key"},
	}
	for _, tt := range tests {
		err := ThreadError(tt.concurrency, tt.nodes)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%d nodes, %d threads: %v", tt.nodes, tt.concurrency, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%d nodes, %d threads: %v, want %q", tt.nodes, tt.concurrency, err, tt.want)
		}
		// A generator for parameters Maelstrom cannot run emits nothing
		// (and never spins).
		if tt.want != "" {
			if _, ok := NewGenerator(params(tt.nodes, tt.concurrency)).Next(0, 0, rand.New(rand.NewPCG(1, 1))); ok {
				t.Errorf("%d nodes, %d threads: the generator emitted an op", tt.nodes, tt.concurrency)
			}
		}
	}
}
