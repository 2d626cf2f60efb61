package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"
	"time"
)

var testCfg = Config{
	Interval:      100 * time.Millisecond,
	AckDelay:      time.Second,
	Retry:         2 * time.Second,
	MaxBatchBytes: 16 << 10,
}

// sim is a deterministic cluster: messages go through JSON, take latency to
// arrive, and are dropped at delivery if cut says so (as Maelstrom checks
// partitions when it delivers).
type sim struct {
	t        *testing.T
	start    time.Time
	now      time.Time
	names    []string
	nodes    map[string]*Gossip
	latency  time.Duration
	interval time.Duration
	nextTick time.Time
	queue    []flight
	cut      func(src, dest string) bool
	sent     int
	byType   map[string]int
}

type flight struct {
	at        time.Time
	src, dest string
	raw       []byte
}

func newSim(t *testing.T, n int, cfg Config) *sim {
	s := &sim{t: t, start: time.Unix(1000, 0), nodes: map[string]*Gossip{}, latency: 100 * time.Millisecond,
		interval: cfg.Interval, byType: map[string]int{}}
	s.now, s.nextTick = s.start, s.start.Add(cfg.Interval)
	for i := 0; i < n; i++ {
		s.names = append(s.names, fmt.Sprintf("n%d", i))
	}
	for _, name := range s.names {
		s.nodes[name] = NewGossip(name, s.names, cfg)
	}
	s.cut = func(string, string) bool { return false }
	return s
}

func (s *sim) send(src string, out []Outgoing) {
	for _, o := range out {
		raw, err := json.Marshal(o.Body)
		if err != nil {
			s.t.Fatal(err)
		}
		if len(raw) > 60<<10 {
			s.t.Fatalf("%d-byte message from %s: over the library's line limit", len(raw), src)
		}
		var typ struct{ Type string }
		_ = json.Unmarshal(raw, &typ)
		s.sent++
		s.byType[typ.Type]++
		s.queue = append(s.queue, flight{at: s.now.Add(s.latency), src: src, dest: o.Dest, raw: raw})
	}
}

func (s *sim) deliver(f flight) {
	if s.cut(f.src, f.dest) {
		return
	}
	var typ struct{ Type string }
	if err := json.Unmarshal(f.raw, &typ); err != nil {
		s.t.Fatal(err)
	}
	g := s.nodes[f.dest]
	switch typ.Type {
	case "up":
		var m upBody
		if err := json.Unmarshal(f.raw, &m); err != nil {
			s.t.Fatal(err)
		}
		g.HandleUp(f.src, m)
	case "down":
		var m downBody
		if err := json.Unmarshal(f.raw, &m); err != nil {
			s.t.Fatal(err)
		}
		s.send(f.dest, g.HandleDown(m, s.now))
	default:
		s.t.Fatalf("unknown message %s", f.raw)
	}
}

// run advances the clock by d in 1 ms steps: deliveries first, then ticks.
func (s *sim) run(d time.Duration) {
	end := s.now.Add(d)
	for !s.now.After(end) {
		sort.SliceStable(s.queue, func(i, j int) bool { return s.queue[i].at.Before(s.queue[j].at) })
		for len(s.queue) > 0 && !s.queue[0].at.After(s.now) {
			f := s.queue[0]
			s.queue = s.queue[1:]
			s.deliver(f)
		}
		if !s.now.Before(s.nextTick) {
			for _, name := range s.names {
				s.send(name, s.nodes[name].Tick(s.now))
			}
			s.nextTick = s.nextTick.Add(s.interval)
		}
		s.now = s.now.Add(time.Millisecond)
	}
}

func (s *sim) broadcast(node string, v int) {
	s.send(node, s.nodes[node].Broadcast(json.RawMessage(strconv.Itoa(v)), s.now))
}

// has reports whether node holds exactly the values want (in any order, once each).
func (s *sim) has(node string, want ...int) bool {
	got := s.nodes[node].Read()
	if len(got) != len(want) {
		return false
	}
	set := map[string]bool{}
	for _, v := range got {
		set[string(v)] = true
	}
	for _, v := range want {
		if !set[strconv.Itoa(v)] {
			return false
		}
	}
	return len(set) == len(got)
}

func (s *sim) allHave(want ...int) error {
	for _, name := range s.names {
		if !s.has(name, want...) {
			return fmt.Errorf("%s holds %s, want %v", name, s.nodes[name].Read(), want)
		}
	}
	return nil
}

func TestSingleNode(t *testing.T) {
	s := newSim(t, 1, testCfg)
	s.broadcast("n0", 1)
	s.broadcast("n0", 2)
	s.run(5 * time.Second)
	if err := s.allHave(1, 2); err != nil {
		t.Fatal(err)
	}
	if s.sent != 0 {
		t.Errorf("a lone node sent %d messages", s.sent)
	}
}

// TestBatching: values from several leaves within one interval reach every
// node in one batch per leaf, and an idle cluster is silent.
func TestBatching(t *testing.T) {
	s := newSim(t, 5, testCfg)
	s.run(time.Second)
	if s.sent != 0 {
		t.Fatalf("idle cluster sent %d messages", s.sent)
	}
	s.now = s.nextTick.Add(-90 * time.Millisecond) // just after a tick
	s.broadcast("n1", 10)
	s.broadcast("n2", 20)
	s.broadcast("n3", 30)
	if s.byType["up"] != 3 {
		t.Fatalf("%d ups for 3 broadcasts at leaves", s.byType["up"])
	}
	// Ups land at the hub after 100 ms, the next tick sends one batch to
	// each of the 4 leaves, which land 100 ms later.
	s.run(350 * time.Millisecond)
	if err := s.allHave(10, 20, 30); err != nil {
		t.Fatal(err)
	}
	if s.byType["down"] != 4 {
		t.Errorf("%d downs, want one batch per leaf", s.byType["down"])
	}
	// Only acks after that, then silence.
	s.run(5 * time.Second)
	before := s.sent
	s.run(10 * time.Second)
	if s.sent != before {
		t.Errorf("%d messages in a quiet, converged cluster", s.sent-before)
	}
	for name, lv := range s.nodes["n0"].leaves {
		if lv.acked != 3 || lv.received != len(s.nodes[name].own) {
			t.Errorf("hub view of %s: %+v", name, lv)
		}
	}
	for _, name := range s.names[1:] {
		if g := s.nodes[name]; g.hubAck != 3 || g.upAcked != len(g.own) {
			t.Errorf("%s: hubAck %d upAcked %d of %d", name, g.hubAck, g.upAcked, len(g.own))
		}
	}
}

// TestBatchExcludesOwnValues: a leaf's own values are not sent back to it.
func TestBatchExcludesOwnValues(t *testing.T) {
	g := NewGossip("n0", []string{"n0", "n1", "n2"}, testCfg)
	now := time.Unix(0, 0)
	g.HandleUp("n1", upBody{Type: "up", From: 0, Vals: raws(1, 2), Ack: 0})
	g.Broadcast(json.RawMessage("3"), now)
	out := g.Tick(now)
	if len(out) != 2 {
		t.Fatalf("%d messages", len(out))
	}
	for _, o := range out {
		d := o.Body.(downBody)
		want := map[string]string{"n1": `[3]`, "n2": `[1,2,3]`}[o.Dest]
		got, _ := json.Marshal(d.Vals)
		if string(got) != want || d.From != 0 || d.To != 3 {
			t.Errorf("to %s: %+v (vals %s), want vals %s", o.Dest, d, got, want)
		}
		if o.Dest == "n1" && d.Ack != 2 {
			t.Errorf("n1 not acked: %+v", d)
		}
	}
}

func raws(vs ...int) []json.RawMessage {
	out := make([]json.RawMessage, len(vs))
	for i, v := range vs {
		out[i] = json.RawMessage(strconv.Itoa(v))
	}
	return out
}

// TestRetry: dropped messages in either direction are resent after Retry.
func TestRetry(t *testing.T) {
	tests := []struct {
		name string
		drop func(src, dest string) bool // during the first 500 ms
		from string                      // where the value is broadcast
	}{
		{"lost up", func(src, dest string) bool { return src == "n2" && dest == "n0" }, "n2"},
		{"lost down", func(src, dest string) bool { return src == "n0" && dest == "n3" }, "n1"},
		{"lost acks", func(src, dest string) bool { return dest == "n0" && src != "n1" }, "n1"},
		{"hub cut off", func(src, dest string) bool { return src == "n0" || dest == "n0" }, "n4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSim(t, 5, testCfg)
			s.cut = tt.drop
			s.broadcast(tt.from, 1)
			s.run(500 * time.Millisecond)
			if s.allHave(1) == nil && tt.name != "lost acks" {
				t.Fatal("converged although messages were dropped")
			}
			s.cut = func(string, string) bool { return false }
			s.run(testCfg.Retry + time.Second)
			if err := s.allHave(1); err != nil {
				t.Fatal(err)
			}
			// and then it falls silent: everything acknowledged
			s.run(5 * time.Second)
			before := s.sent
			s.run(10 * time.Second)
			if s.sent != before {
				t.Errorf("%d messages after convergence", s.sent-before)
			}
		})
	}
}

// TestDedup: a value given twice, or arriving both from a client and from
// the hub, or in overlapping batches, is held once.
func TestDedup(t *testing.T) {
	s := newSim(t, 3, testCfg)
	s.broadcast("n1", 5)
	s.broadcast("n1", 5)
	s.broadcast("n2", 5)
	s.broadcast("n0", 5)
	s.run(3 * time.Second)
	if err := s.allHave(5); err != nil {
		t.Fatal(err)
	}
	if got := len(s.nodes["n0"].log); got != 1 {
		t.Errorf("hub log has %d entries", got)
	}

	g := NewGossip("n1", []string{"n0", "n1"}, testCfg)
	now := time.Unix(0, 0)
	g.HandleDown(downBody{Type: "down", From: 0, To: 2, Vals: raws(1, 2)}, now)
	g.HandleDown(downBody{Type: "down", From: 0, To: 3, Vals: raws(1, 2, 3)}, now) // resent from the old ack
	g.HandleDown(downBody{Type: "down", From: 0, To: 2, Vals: raws(1, 2)}, now)    // reordered duplicate
	if got, _ := json.Marshal(g.Read()); string(got) != "[1,2,3]" || g.hubAck != 3 {
		t.Errorf("read %s, hubAck %d", got, g.hubAck)
	}
	// Whitespace does not make a different value.
	g.Broadcast(json.RawMessage(" 3"), now)
	if len(g.Read()) != 3 {
		t.Errorf("read %s", g.Read())
	}
}

// TestHubAckAccounting: the hub counts a leaf's values in order, whatever
// order the ups arrive in, and owes an ack when a leaf resends.
func TestHubAckAccounting(t *testing.T) {
	g := NewGossip("n0", []string{"n0", "n1"}, testCfg)
	now := time.Unix(0, 0)
	g.HandleUp("n1", upBody{From: 0, Vals: raws(1, 2), Ack: 0})
	g.HandleUp("n1", upBody{From: 0, Vals: raws(1), Ack: 0}) // an older up, late
	lv := g.leaves["n1"]
	if lv.received != 2 {
		t.Fatalf("received %d", lv.received)
	}
	out := g.Tick(now)
	if len(out) != 1 || out[0].Body.(downBody).Ack != 2 {
		t.Fatalf("tick %+v", out)
	}
	if out := g.Tick(now.Add(testCfg.Interval)); len(out) != 0 {
		t.Fatalf("resent with nothing new: %+v", out)
	}
	// The leaf resends (our ack was lost): we owe it the ack again.
	g.HandleUp("n1", upBody{From: 0, Vals: raws(1, 2), Ack: 2})
	if out := g.Tick(now.Add(2 * testCfg.Interval)); len(out) != 1 || out[0].Body.(downBody).Ack != 2 {
		t.Fatalf("no ack for a resend: %+v", out)
	}
	// An ack beyond the log (a confused peer) is clamped.
	g.HandleUp("n1", upBody{From: 2, Vals: nil, Ack: 99})
	if lv.acked != len(g.log) {
		t.Errorf("acked %d of %d", lv.acked, len(g.log))
	}
}

// TestSizeCap: a large backlog goes out in batches under the cap, each
// acknowledged at once, and all of it arrives.
func TestSizeCap(t *testing.T) {
	cfg := testCfg
	cfg.MaxBatchBytes = 1000
	s := newSim(t, 3, cfg)
	s.cut = func(src, dest string) bool { return src == "n2" || dest == "n2" }
	var want []int
	for v := 0; v < 2000; v++ {
		s.broadcast("n1", 100000+v)
		want = append(want, 100000+v)
	}
	s.run(time.Second)
	s.cut = func(string, string) bool { return false }
	s.run(20 * time.Second)
	if err := s.allHave(want...); err != nil {
		t.Fatal(err)
	}
}

// TestPartitionedConvergence drives random broadcasts through random
// partitions and checks that, once healed, every node holds everything and
// nothing was duplicated.
func TestPartitionedConvergence(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			s := newSim(t, 7, testCfg)
			var want []int
			v := 0
			for phase := 0; phase < 8; phase++ {
				side := map[string]int{}
				for _, name := range s.names {
					side[name] = rng.IntN(2)
				}
				if phase%2 == 1 {
					s.cut = func(src, dest string) bool { return side[src] != side[dest] }
				} else {
					s.cut = func(string, string) bool { return false }
				}
				for i := 0; i < 20; i++ {
					s.broadcast(s.names[rng.IntN(len(s.names))], v)
					want = append(want, v)
					v++
					s.run(time.Duration(rng.IntN(100)) * time.Millisecond)
				}
			}
			s.cut = func(string, string) bool { return false }
			s.run(5 * time.Second)
			if err := s.allHave(want...); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCapped(t *testing.T) {
	vals := raws(1, 22, 333)
	tests := []struct {
		limit int
		want  int
	}{
		{1, 1}, // always at least one
		{4, 1},
		{5, 2},
		{100, 3},
	}
	for _, tt := range tests {
		if got := len(capped(vals, tt.limit)); got != tt.want {
			t.Errorf("capped(limit %d) kept %d, want %d", tt.limit, got, tt.want)
		}
	}
	if b, _ := json.Marshal(capped(nil, 10)); string(b) != "[]" {
		t.Errorf("empty encodes as %s", b)
	}
}

// TestFreshReads: a read at a leaf is released by the next batch from the
// hub, and then holds every value broadcast anywhere more than two
// latencies before the read began, whatever the interval; the hub's reads
// go at once.
func TestFreshReads(t *testing.T) {
	cfg := testCfg
	cfg.Interval = 400 * time.Millisecond
	s := newSim(t, 5, cfg)
	select {
	case <-s.nodes["n0"].Fresh():
	default:
		t.Fatal("a read at the hub waits")
	}
	type read struct {
		node  string
		began time.Time
		fresh <-chan struct{}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	sentAt := map[int]time.Time{}
	var reads []read
	released := 0
	for v := 0; v < 300; v++ {
		node := s.names[rng.IntN(len(s.names))]
		if rng.IntN(2) == 0 {
			s.broadcast(node, v)
			sentAt[v] = s.now
		} else if node != "n0" {
			reads = append(reads, read{node, s.now, s.nodes[node].Fresh()})
		}
		for range 1 + rng.IntN(40) { // a few ms at a time, checking releases as they happen
			s.run(time.Millisecond)
			kept := reads[:0]
			for _, r := range reads {
				select {
				case <-r.fresh:
					released++
					held := map[string]bool{}
					for _, x := range s.nodes[r.node].Read() {
						held[string(x)] = true
					}
					for x, at := range sentAt {
						if at.Before(r.began.Add(-2*s.latency)) && !held[strconv.Itoa(x)] {
							t.Fatalf("a read at %s begun at %v missed %d, broadcast at %v",
								r.node, r.began.Sub(s.start), x, at.Sub(s.start))
						}
					}
				default:
					kept = append(kept, r)
				}
			}
			reads = kept
		}
	}
	if released < 50 {
		t.Fatalf("only %d reads were released", released)
	}
	if again := s.nodes["n1"].Fresh(); again == nil {
		t.Fatal("no channel for the next read")
	}
}
