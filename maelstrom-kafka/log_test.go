package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"testing"
)

func TestNextOffset(t *testing.T) {
	cases := []struct {
		highest      int64
		index, nodes int
		want         int64
	}{
		{-1, 0, 1, 0}, {0, 0, 1, 1}, {41, 0, 1, 42}, // one node: dense offsets
		{-1, 0, 2, 0}, {-1, 1, 2, 1}, // each node's first offset is its index
		{0, 0, 2, 2}, {0, 1, 2, 1}, {1, 0, 2, 2}, {1, 1, 2, 3}, // above what is known, in its own residue
		{6, 2, 3, 8}, {7, 2, 3, 8}, {8, 2, 3, 11}, {8, 0, 3, 9},
	}
	for _, c := range cases {
		if got := NextOffset(c.highest, c.index, c.nodes); got != c.want {
			t.Errorf("NextOffset(%d, %d, %d) = %d, want %d", c.highest, c.index, c.nodes, got, c.want)
		}
	}
}

// cluster is a set of logs and the batches between them, delivered by hand.
type cluster struct {
	logs  map[string]*Log
	nodes []string
}

func newCluster(n int, cfg Config) *cluster {
	c := &cluster{logs: map[string]*Log{}}
	for i := range n {
		c.nodes = append(c.nodes, "n"+strconv.Itoa(i))
	}
	for _, id := range c.nodes {
		c.logs[id] = NewLog(id, c.nodes, cfg)
	}
	return c
}

// tick returns every node's due batches.
func (c *cluster) tick() []delivery {
	var out []delivery
	for _, id := range c.nodes {
		for _, o := range c.logs[id].Tick() {
			out = append(out, delivery{id, o})
		}
	}
	return out
}

type delivery struct {
	src string
	out Outgoing
}

func (c *cluster) deliver(ds ...delivery) {
	for _, d := range ds {
		// Through JSON, as on the wire.
		raw, err := json.Marshal(d.out.Body)
		if err != nil {
			panic(err)
		}
		var b Batch
		if err := json.Unmarshal(raw, &b); err != nil {
			panic(err)
		}
		c.logs[d.out.Dest].Receive(d.src, b)
	}
}

// settle ticks and delivers everything until the cluster goes quiet, and
// returns how many batches that took.
func (c *cluster) settle(t *testing.T) int {
	t.Helper()
	sent := 0
	for range 20 {
		ds := c.tick()
		if len(ds) == 0 {
			return sent
		}
		sent += len(ds)
		c.deliver(ds...)
	}
	t.Fatal("the cluster never went quiet")
	return 0
}

func msg(v int) json.RawMessage { return json.RawMessage(strconv.Itoa(v)) }

// offsets lists the offsets a poll of key from 0 returns.
func offsets(l *Log, key string) []int64 {
	var out []int64
	for _, p := range l.Poll(map[string]int64{key: 0})[key] {
		out = append(out, p[0].(int64))
	}
	return out
}

func TestSendAssignsDisjointGrowingOffsets(t *testing.T) {
	c := newCluster(2, DefaultConfig)
	n0, n1 := c.logs["n0"], c.logs["n1"]
	got := []int64{n0.Send("k", msg(1)), n0.Send("k", msg(2)), n1.Send("k", msg(3)), n0.Send("other", msg(4))}
	if want := []int64{0, 2, 1, 0}; !slices.Equal(got, want) {
		t.Fatalf("offsets %v, want %v", got, want)
	}
	c.settle(t)
	// n1 now knows offset 2, so its next offset of k is above it.
	if o := n1.Send("k", msg(5)); o != 3 {
		t.Fatalf("n1's offset after learning 2: %d, want 3", o)
	}
}

// TestPollWaitsForLowerOffsets: a node serves its own message at offset 1
// only once the peer that could still assign offset 0 has said it will not.
func TestPollWaitsForLowerOffsets(t *testing.T) {
	c := newCluster(2, DefaultConfig)
	n0, n1 := c.logs["n0"], c.logs["n1"]
	n0.Send("k", msg(10)) // offset 0, not yet replicated
	n1.Send("k", msg(11)) // offset 1
	if got := offsets(n1, "k"); len(got) != 0 {
		t.Fatalf("n1 served %v before hearing from n0, which holds offset 0", got)
	}
	if got := n1.Poll(map[string]int64{"k": 0}); len(got) != 0 {
		t.Fatalf("a key with nothing to serve must be left out, got %v", got)
	}
	// n1's batch reaches n0 (n0's to n1 is lost): n0 holds both offsets, and
	// n1 said it holds nothing of n0's, so n1 assigns above 1 only.
	for _, d := range c.tick() {
		if d.src == "n1" {
			c.deliver(d)
		}
	}
	if got := offsets(n0, "k"); !slices.Equal(got, []int64{0, 1}) {
		t.Fatalf("n0 serves %v, want [0 1]", got)
	}
	if got := offsets(n1, "k"); len(got) != 0 {
		t.Fatalf("n1 served %v without offset 0", got)
	}
	c.settle(t)
	if got := offsets(n1, "k"); !slices.Equal(got, []int64{0, 1}) {
		t.Fatalf("n1 serves %v after settling, want [0 1]", got)
	}
	if got := n1.Poll(map[string]int64{"k": 1, "unknown": 0}); !reflect.DeepEqual(got, map[string][][2]any{"k": {{int64(1), msg(11)}}}) {
		t.Fatalf("poll from offset 1: %v", got)
	}
}

// TestCutBatchDoesNotMoveWatermarks: a batch cut short by MaxBatchBytes
// leaves records behind whose offsets may lie below what the sender's Have
// vouches for, so the receiver must not take that Have.
func TestCutBatchDoesNotMoveWatermarks(t *testing.T) {
	cfg := DefaultConfig
	cfg.MaxBatchBytes = 1 // one record per batch
	c := newCluster(2, cfg)
	n0, n1 := c.logs["n0"], c.logs["n1"]
	n0.Send("a", msg(1))
	n0.Send("k", msg(2)) // offset 0 of k, second in n0's stream
	n1.Send("k", msg(3)) // offset 1 of k
	// n1 -> n0 first: n0 now holds n1's offset 1.
	for _, d := range c.tick() {
		if d.src == "n1" {
			c.deliver(d)
		}
	}
	// n0's next batch carries only its first record, with a Have that says
	// it holds n1's offset 1; its offset 0 of k is still behind the cut.
	ds := c.tick()
	for _, d := range ds {
		if d.src == "n0" {
			if d.out.Body.Complete || len(d.out.Body.Records) != 1 {
				t.Fatalf("batch %+v: want one record, not complete", d.out.Body)
			}
			c.deliver(d)
		}
	}
	if got := offsets(n1, "k"); len(got) != 0 {
		t.Fatalf("n1 served %v while n0's offset 0 is still on its way", got)
	}
	c.settle(t)
	if got := offsets(n1, "k"); !slices.Equal(got, []int64{0, 1}) {
		t.Fatalf("n1 serves %v after settling, want [0 1]", got)
	}
}

// TestBatching: one batch per peer and tick while it lacks something, lost
// batches are made good by the next tick, and a quiet cluster goes silent
// after a few: the records (sent twice when n0 ticks again before the
// answer arrives, as here), the peer's answer (its Have, which n0 needs to
// serve its own records) and n0's answer to that.
func TestBatching(t *testing.T) {
	c := newCluster(2, DefaultConfig)
	if ds := c.tick(); len(ds) != 0 {
		t.Fatalf("an empty cluster sent %v", ds)
	}
	c.logs["n0"].Send("k", msg(1))
	c.logs["n0"].Send("k", msg(2))
	ds := c.tick()
	if len(ds) != 1 || ds[0].out.Dest != "n1" || len(ds[0].out.Body.Records) != 2 || !ds[0].out.Body.Reply {
		t.Fatalf("first tick: %+v, want one batch of both records, asking for an answer", ds)
	}
	// Lost: the next tick sends the same records again.
	if again := c.tick(); len(again) != 1 || again[0].out.Body.From != 0 || len(again[0].out.Body.Records) != 2 {
		t.Fatalf("after a lost tick: %+v", again)
	}
	if n := c.settle(t); n > 6 {
		t.Fatalf("settling took %d batches, want at most 6", n)
	}
	for _, id := range c.nodes {
		if got := offsets(c.logs[id], "k"); !slices.Equal(got, []int64{0, 2}) {
			t.Fatalf("%s serves %v, want [0 2]", id, got)
		}
	}
	if ds := c.tick(); len(ds) != 0 {
		t.Fatalf("a settled cluster sent %+v", ds)
	}
	// Three nodes: every node's Have must reach every other one too.
	c = newCluster(3, DefaultConfig)
	c.logs["n1"].Send("k", msg(1))
	c.settle(t)
	for _, id := range c.nodes {
		if got := offsets(c.logs[id], "k"); !slices.Equal(got, []int64{1}) {
			t.Fatalf("%s of three serves %v, want [1]", id, got)
		}
	}
}

func TestCommitsReplicate(t *testing.T) {
	c := newCluster(2, DefaultConfig)
	n0, n1 := c.logs["n0"], c.logs["n1"]
	n0.Commit(map[string]int64{"a": 4, "b": 2})
	n1.Commit(map[string]int64{"a": 6})
	n1.Commit(map[string]int64{"a": 5}) // lower: ignored
	c.settle(t)
	for _, l := range []*Log{n0, n1} {
		if got := l.Committed([]string{"a", "b", "c"}); !reflect.DeepEqual(got, map[string]int64{"a": 6, "b": 2}) {
			t.Fatalf("%s committed %v", l.self, got)
		}
	}
}

// TestRandomSchedules runs random sends, polls and deliveries (batches lost,
// delayed and reordered) on three nodes, and checks Jepsen's poll rules:
// every poll from offset 0 returns exactly the messages at or below its
// highest offset (never one with a lower offset still to come), a node's
// polls never shrink, and once the network delivers everything every node
// serves every message.
func TestRandomSchedules(t *testing.T) {
	for seed := range uint64(50) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 1))
			cfg := DefaultConfig
			if seed%2 == 1 {
				cfg.MaxBatchBytes = 80 // a couple of records per batch
			}
			c := newCluster(3, cfg)
			keys := []string{"a", "b"}
			var inFlight []delivery
			polls := map[string][]int64{} // node/key -> offsets seen
			type seenPoll struct {
				node, key string
				offs      []int64
			}
			var seen []seenPoll
			value := 0
			sends := map[string]int{}
			for range 400 {
				id := c.nodes[rng.IntN(3)]
				k := keys[rng.IntN(len(keys))]
				switch r := rng.IntN(10); {
				case r < 3:
					value++
					sends[k]++
					c.logs[id].Send(k, msg(value))
				case r < 6:
					offs := offsets(c.logs[id], k)
					prev := polls[id+"/"+k]
					if len(offs) < len(prev) || !slices.Equal(offs[:len(prev)], prev) {
						t.Fatalf("%s's poll of %s went from %v to %v", id, k, prev, offs)
					}
					polls[id+"/"+k] = offs
					seen = append(seen, seenPoll{id, k, offs})
				case r < 8:
					inFlight = append(inFlight, c.tick()...)
				default:
					rng.Shuffle(len(inFlight), func(i, j int) { inFlight[i], inFlight[j] = inFlight[j], inFlight[i] })
					n := rng.IntN(len(inFlight) + 1)
					for _, d := range inFlight[:n] {
						if rng.IntN(4) > 0 { // a quarter are lost
							c.deliver(d)
						}
					}
					inFlight = inFlight[n:]
				}
			}
			c.settle(t)
			for _, k := range keys {
				all := offsets(c.logs["n0"], k)
				if len(all) != sends[k] {
					t.Fatalf("after settling n0 serves %d messages of %s, %d were sent", len(all), k, sends[k])
				}
				for _, id := range c.nodes {
					if got := offsets(c.logs[id], k); !slices.Equal(got, all) {
						t.Fatalf("after settling %s serves %v of %s, n0 %v", id, got, k, all)
					}
				}
				for _, p := range seen {
					if p.key != k || len(p.offs) == 0 {
						continue
					}
					var want []int64
					for _, o := range all {
						if o <= p.offs[len(p.offs)-1] {
							want = append(want, o)
						}
					}
					if !slices.Equal(p.offs, want) {
						t.Fatalf("%s polled %v of %s; the log below its highest offset is %v", p.node, p.offs, k, want)
					}
				}
			}
		})
	}
}
