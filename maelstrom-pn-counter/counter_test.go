package main

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

var (
	nodes = []string{"n0", "n1", "n2"}
	cfg   = Config{Interval: 100 * time.Millisecond, Retry: time.Second}
	t0    = time.Unix(0, 0)
)

// cluster is a set of counters and a network between them that the test
// steps by hand: each step delivers the messages of the previous one,
// unless drop says to lose them, then ticks every node.
type cluster struct {
	counters map[string]*Counter
	inFlight []message
	sent     int
}

type message struct {
	src string
	Outgoing
}

func newCluster() *cluster {
	c := &cluster{counters: map[string]*Counter{}}
	for _, id := range nodes {
		c.counters[id] = NewCounter(id, nodes, cfg)
	}
	return c
}

func (c *cluster) step(now time.Time, drop func() bool) {
	delivered := c.inFlight
	c.inFlight = nil
	for _, m := range delivered {
		if !drop() {
			c.counters[m.Dest].Receive(m.src, roundTrip(m.Body))
		}
	}
	for _, id := range nodes {
		for _, o := range c.counters[id].Tick(now) {
			c.inFlight = append(c.inFlight, message{id, o})
			c.sent++
		}
	}
}

func never() bool { return false }

// roundTrip passes a body through JSON, as the network does.
func roundTrip(b GossipBody) GossipBody {
	raw, err := json.Marshal(b)
	if err != nil {
		panic(err)
	}
	var out GossipBody
	if err := json.Unmarshal(raw, &out); err != nil {
		panic(err)
	}
	return out
}

func (c *cluster) values() []int64 {
	var vs []int64
	for _, id := range nodes {
		vs = append(vs, c.counters[id].Value())
	}
	return vs
}

func TestAddAndValue(t *testing.T) {
	c := NewCounter("n0", nodes, cfg)
	for _, d := range []int64{3, -5, 0, 4, -1} {
		if err := c.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.Value(); got != 1 {
		t.Fatalf("value %d, want 1", got)
	}
	if got := c.counts["n0"]; got != (Slot{Inc: 7, Dec: 6}) {
		t.Fatalf("slot %+v, want inc 7 dec 6", got)
	}
}

func TestAddOverflow(t *testing.T) {
	for _, deltas := range [][]int64{{math.MaxInt64, 1}, {math.MinInt64}, {-math.MaxInt64, -1}} {
		c := NewCounter("n0", nodes, cfg)
		var err error
		for _, d := range deltas {
			if err = c.Add(d); err != nil {
				break
			}
		}
		if !errors.Is(err, ErrOverflow) {
			t.Errorf("adds %v: error %v, want ErrOverflow", deltas, err)
		}
	}
}

// TestMergeKeepsDecrements: the tutorial's first counter, one signed total
// per node merged by max, loses a decrement once copies merge; separate
// increment and decrement totals do not.
func TestMergeKeepsDecrements(t *testing.T) {
	a, b := NewCounter("n0", nodes, cfg), NewCounter("n1", nodes, cfg)
	_ = a.Add(2)
	b.Receive("n0", GossipBody{Counts: Counts{"n0": a.counts["n0"]}})
	_ = a.Add(-5)
	a.Receive("n1", GossipBody{Counts: Counts{"n0": b.counts["n0"]}}) // b's older copy of a's slot
	b.Receive("n0", GossipBody{Counts: Counts{"n0": a.counts["n0"]}})
	if a.Value() != -3 || b.Value() != -3 {
		t.Fatalf("values %d, %d; want -3 on both", a.Value(), b.Value())
	}
}

// TestTick: news goes to every peer once, asking for a reply; nothing more
// until the slot changes or Retry passes; a peer that shows it holds the
// slot gets nothing; a peer that asked for a reply gets one, not asking back.
func TestTick(t *testing.T) {
	c := NewCounter("n0", nodes, cfg)
	dests := func(out []Outgoing) map[string]bool {
		m := map[string]bool{}
		for _, o := range out {
			m[o.Dest] = o.Body.WantReply
		}
		return m
	}
	if out := c.Tick(t0); len(out) != 0 {
		t.Fatalf("nothing to say, sent %v", out)
	}
	_ = c.Add(1)
	if got := dests(c.Tick(t0)); !reflect.DeepEqual(got, map[string]bool{"n1": true, "n2": true}) {
		t.Fatalf("first news went to %v", got)
	}
	if out := c.Tick(t0.Add(cfg.Interval)); len(out) != 0 {
		t.Fatalf("unchanged news resent before Retry: %v", out)
	}
	c.Receive("n1", GossipBody{Counts: Counts{"n0": {Inc: 1}}}) // n1 shows it holds our slot
	if got := dests(c.Tick(t0.Add(cfg.Retry))); !reflect.DeepEqual(got, map[string]bool{"n2": true}) {
		t.Fatalf("after Retry, sent to %v; want only n2, which never answered", got)
	}
	c.Receive("n2", GossipBody{Counts: Counts{"n0": {Inc: 1}, "n2": {Dec: 4}}, WantReply: true})
	out := c.Tick(t0.Add(cfg.Retry + cfg.Interval))
	if got := dests(out); !reflect.DeepEqual(got, map[string]bool{"n2": false}) {
		t.Fatalf("reply went to %v; want n2, asking nothing back", got)
	}
	if got := out[0].Body.Counts; !reflect.DeepEqual(got, Counts{"n0": {Inc: 1}, "n2": {Dec: 4}}) {
		t.Fatalf("reply carries %v, want the whole state", got)
	}
	if out := c.Tick(t0.Add(10 * cfg.Retry)); len(out) != 0 {
		t.Fatalf("everyone holds everything, yet sent %v", out)
	}
}

// TestClusterConverges: adds of both signs on every node, half the messages
// lost for a while (a lossy partition), then a healed network: every node
// ends with the sum, and once nothing changes no more messages flow.
func TestClusterConverges(t *testing.T) {
	c := newCluster()
	rng := rand.New(rand.NewPCG(7, 8))
	var sum int64
	now := t0
	lossy := func() bool { return rng.IntN(2) == 0 }
	for i := range 100 {
		id := nodes[rng.IntN(len(nodes))]
		d := int64(rng.IntN(10) - 5)
		_ = c.counters[id].Add(d)
		sum += d
		now = now.Add(cfg.Interval)
		if i < 60 {
			c.step(now, lossy)
		} else {
			c.step(now, never)
		}
	}
	for range 3 * int(cfg.Retry/cfg.Interval) {
		now = now.Add(cfg.Interval)
		c.step(now, never)
	}
	for _, v := range c.values() {
		if v != sum {
			t.Fatalf("values %v, want all %d", c.values(), sum)
		}
	}
	before := c.sent
	for range 3 * int(cfg.Retry/cfg.Interval) {
		now = now.Add(cfg.Interval)
		c.step(now, never)
	}
	if c.sent != before {
		t.Fatalf("%d messages after convergence, want none", c.sent-before)
	}
}
