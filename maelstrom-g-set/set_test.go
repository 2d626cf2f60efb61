package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"
	"time"
)

var (
	nodes = []string{"n0", "n1", "n2"}
	cfg   = Config{Interval: 100 * time.Millisecond, Retry: time.Second, MaxBatchBytes: 1 << 10}
	t0    = time.Unix(0, 0)
)

func raw(s string) json.RawMessage { return json.RawMessage(s) }

func texts(es []json.RawMessage) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, string(e))
	}
	return out
}

func TestAddKeepsEachElementOnce(t *testing.T) {
	s := NewSet("n0", nodes, cfg)
	for _, e := range []string{`1`, `"a"`, `1`, `1.0`, `{"k": [1, 2]}`, `{"k":[1,2]}`, `null`} {
		s.Add(raw(e))
	}
	want := []string{`1`, `"a"`, `1.0`, `{"k": [1, 2]}`, `null`}
	if got := texts(s.Read()); !reflect.DeepEqual(got, want) {
		t.Fatalf("read %q, want %q (1.0 is not 1, as in Clojure)", got, want)
	}
	if got := len(s.logs["n0"]); got != len(want) {
		t.Fatalf("own log has %d elements, want %d", got, len(want))
	}
	if got := NewSet("n1", nodes, cfg).Read(); got == nil || len(got) != 0 {
		t.Fatalf("empty read %#v, want an empty list", got)
	}
}

// TestTick: news goes to every peer once, asking for a reply; nothing more
// until the own log grows or Retry passes; a peer that shows it holds the
// log gets nothing; a peer that asked for a reply gets one, not asking back.
func TestTick(t *testing.T) {
	s := NewSet("n0", nodes, cfg)
	sent := func(out []Outgoing) map[string]bool {
		m := map[string]bool{}
		for _, o := range out {
			m[o.Dest] = o.Body.WantReply
		}
		return m
	}
	if out := s.Tick(t0); len(out) != 0 {
		t.Fatalf("nothing to say, sent %v", out)
	}
	s.Add(raw(`7`))
	out := s.Tick(t0)
	if got := sent(out); !reflect.DeepEqual(got, map[string]bool{"n1": true, "n2": true}) {
		t.Fatalf("first news went to %v", got)
	}
	if got := out[0].Body; !reflect.DeepEqual(got.Have, map[string]int{"n0": 1}) ||
		!reflect.DeepEqual(texts(got.Logs["n0"].Elements), []string{"7"}) || got.Logs["n0"].From != 0 {
		t.Fatalf("first message %+v", got)
	}
	if out := s.Tick(t0.Add(cfg.Interval)); len(out) != 0 {
		t.Fatalf("unchanged news resent before Retry: %v", out)
	}
	s.Receive("n1", GossipBody{Have: map[string]int{"n0": 1}}) // n1 shows it holds our log
	if got := sent(s.Tick(t0.Add(cfg.Retry))); !reflect.DeepEqual(got, map[string]bool{"n2": true}) {
		t.Fatalf("after Retry, sent to %v; want only n2, which never answered", got)
	}
	s.Receive("n2", GossipBody{Have: map[string]int{"n0": 1, "n2": 1},
		Logs: map[string]Part{"n2": {From: 0, Elements: []json.RawMessage{raw(`8`)}}}, WantReply: true})
	out = s.Tick(t0.Add(cfg.Retry + cfg.Interval))
	if got := sent(out); !reflect.DeepEqual(got, map[string]bool{"n2": false}) {
		t.Fatalf("reply went to %v; want n2, asking nothing back", got)
	}
	if got := out[0].Body; !reflect.DeepEqual(got.Have, map[string]int{"n0": 1, "n2": 1}) || got.Logs != nil {
		t.Fatalf("reply %+v, want our lengths and no elements (n2 holds everything)", got)
	}
	if out := s.Tick(t0.Add(10 * cfg.Retry)); len(out) != 0 {
		t.Fatalf("everyone holds everything, yet sent %v", out)
	}
	if got := texts(s.Read()); !reflect.DeepEqual(got, []string{"7", "8"}) {
		t.Fatalf("read %q", got)
	}
}

// TestBatchesAreCapped: a long backlog goes out in messages of about
// MaxBatchBytes, own elements first, and keeps going tick after tick
// without waiting for Retry.
func TestBatchesAreCapped(t *testing.T) {
	small := cfg
	small.MaxBatchBytes = 10
	s := NewSet("n0", []string{"n0", "n1"}, small)
	s.Receive("n9", GossipBody{Logs: map[string]Part{"n9": {Elements: []json.RawMessage{raw(`"relayed"`)}}}})
	for i := range 8 {
		s.Add(raw(fmt.Sprint(100 + i))) // 4 bytes with the comma: 3 per message
	}
	var got [][]string
	for tick := range 3 {
		out := s.Tick(t0.Add(time.Duration(tick) * small.Interval))
		if len(out) != 1 {
			t.Fatalf("tick %d sent %d messages, want 1", tick, len(out))
		}
		logs := out[0].Body.Logs
		got = append(got, texts(logs["n0"].Elements))
		if tick < 2 && len(logs) != 1 {
			t.Fatalf("tick %d: relayed elements before our own: %v", tick, logs)
		}
		// n1 acknowledges what it got.
		s.Receive("n1", GossipBody{Have: map[string]int{"n0": logs["n0"].From + len(logs["n0"].Elements), "n9": len(logs["n9"].Elements)}})
	}
	want := [][]string{{"100", "101", "102"}, {"103", "104", "105"}, {"106", "107"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("batches %q, want %q", got, want)
	}
	if out := s.Tick(t0.Add(3 * small.Interval)); len(out) != 0 {
		t.Fatalf("n1 holds everything (the relayed element went with the last batch), yet sent %v", out)
	}
	huge := NewSet("n0", []string{"n0", "n1"}, small)
	huge.Add(raw(`"an element longer than a whole batch"`))
	if out := huge.Tick(t0); len(out) != 1 || len(out[0].Body.Logs["n0"].Elements) != 1 {
		t.Fatalf("an element beyond the cap must still go: %v", out)
	}
}

// TestReceive: stretches that overlap what is held add only the rest, a
// stretch beyond a gap is ignored, and an element two origins added is one
// member.
func TestReceive(t *testing.T) {
	s := NewSet("n0", nodes, cfg)
	part := func(from int, es ...string) Part {
		p := Part{From: from}
		for _, e := range es {
			p.Elements = append(p.Elements, raw(e))
		}
		return p
	}
	s.Receive("n1", GossipBody{Logs: map[string]Part{"n1": part(0, "1", "2")}})
	s.Receive("n2", GossipBody{Logs: map[string]Part{"n1": part(1, "2", "3"), "n2": part(0, "3")}})
	s.Receive("n2", GossipBody{Logs: map[string]Part{"n2": part(5, "9")}})
	if got := texts(s.Read()); !reflect.DeepEqual(got, []string{"1", "2", "3"}) {
		t.Fatalf("read %q, want 1 2 3", got)
	}
	if got := s.lengths(); !reflect.DeepEqual(got, map[string]int{"n1": 3, "n2": 1}) {
		t.Fatalf("lengths %v", got)
	}
}

// cluster is a set of nodes and a network between them that the test steps
// by hand: each step delivers the messages of the previous one, unless drop
// says to lose them, then ticks every node.
type cluster struct {
	sets     map[string]*Set
	inFlight []message
	sent     int
}

type message struct {
	src string
	Outgoing
}

func newCluster(cfg Config) *cluster {
	c := &cluster{sets: map[string]*Set{}}
	for _, id := range nodes {
		c.sets[id] = NewSet(id, nodes, cfg)
	}
	return c
}

func (c *cluster) step(now time.Time, drop func() bool) {
	delivered := c.inFlight
	c.inFlight = nil
	for _, m := range delivered {
		if !drop() {
			c.sets[m.Dest].Receive(m.src, roundTrip(m.Body))
		}
	}
	for _, id := range nodes {
		for _, o := range c.sets[id].Tick(now) {
			c.inFlight = append(c.inFlight, message{id, o})
			c.sent++
		}
	}
}

func never() bool { return false }

// roundTrip passes a body through JSON, as the network does.
func roundTrip(b GossipBody) GossipBody {
	data, err := json.Marshal(b)
	if err != nil {
		panic(err)
	}
	var out GossipBody
	if err := json.Unmarshal(data, &out); err != nil {
		panic(err)
	}
	return out
}

func sorted(es []json.RawMessage) []string {
	out := texts(es)
	sort.Strings(out)
	return out
}

// TestClusterConverges: adds on every node, half the messages lost for a
// while (a lossy partition), small batches, then a healed network: every
// node ends with every element, and once nothing changes no more messages
// flow.
func TestClusterConverges(t *testing.T) {
	small := cfg
	small.MaxBatchBytes = 40
	c := newCluster(small)
	rng := rand.New(rand.NewPCG(7, 8))
	var all []json.RawMessage
	now := t0
	lossy := func() bool { return rng.IntN(2) == 0 }
	for i := range 150 {
		e := raw(fmt.Sprint(i))
		all = append(all, e)
		c.sets[nodes[rng.IntN(len(nodes))]].Add(e)
		now = now.Add(small.Interval)
		if i < 100 {
			c.step(now, lossy)
		} else {
			c.step(now, never)
		}
	}
	for range 3 * int(small.Retry/small.Interval) {
		now = now.Add(small.Interval)
		c.step(now, never)
	}
	for _, id := range nodes {
		if got, want := sorted(c.sets[id].Read()), sorted(all); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s holds %d of %d elements", id, len(got), len(want))
		}
	}
	before := c.sent
	for range 3 * int(small.Retry/small.Interval) {
		now = now.Add(small.Interval)
		c.step(now, never)
	}
	if c.sent != before {
		t.Fatalf("%d messages after convergence, want none", c.sent-before)
	}
}
