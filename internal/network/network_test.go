package network

import (
	"errors"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"gossip-glomers/internal/wire"
)

func TestLatencyDistributions(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const draws = 20000
	for _, tc := range []struct {
		dist       string
		mean       time.Duration
		wantMean   float64 // ms
		tolerance  float64
		maxAllowed float64 // ms, exclusive; 0 = unbounded
	}{
		{"constant", 100 * time.Millisecond, 100, 0, 100.5},
		{"uniform", 100 * time.Millisecond, 99.5, 2, 200},
		{"exponential", 100 * time.Millisecond, 99.5, 4, 0},
		{"uniform", 0, 0, 0, 0.5},
		{"exponential", 0, 0, 0, 0.5},
	} {
		l := Latency{Mean: tc.mean, Dist: tc.dist}
		if err := l.Validate(); err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for i := 0; i < draws; i++ {
			d := l.Draw(rng)
			if d%time.Millisecond != 0 || d < 0 {
				t.Fatalf("%s: draw %v is not a whole, non-negative number of ms", tc.dist, d)
			}
			ms := float64(d.Milliseconds())
			if tc.maxAllowed > 0 && ms >= tc.maxAllowed {
				t.Fatalf("%s mean %v: draw %v ms out of range", tc.dist, tc.mean, ms)
			}
			sum += ms
		}
		if got := sum / draws; math.Abs(got-tc.wantMean) > tc.tolerance {
			t.Errorf("%s mean %v: average %.2f ms, want %.2f ± %.1f", tc.dist, tc.mean, got, tc.wantMean, tc.tolerance)
		}
	}
	if err := (Latency{Dist: "gaussian"}).Validate(); err == nil {
		t.Error("unknown distribution accepted")
	}
}

// sink collects deliveries with their arrival time.
type sink struct {
	mu   sync.Mutex
	got  []wire.Message
	when []time.Time
	ch   chan struct{}
}

func newSink() *sink { return &sink{ch: make(chan struct{}, 1000)} }

func (s *sink) deliver(m wire.Message) {
	s.mu.Lock()
	s.got = append(s.got, m)
	s.when = append(s.when, time.Now())
	s.mu.Unlock()
	s.ch <- struct{}{}
}

func (s *sink) wait(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-s.ch:
		case <-time.After(2 * time.Second):
			t.Fatalf("only %d of %d messages arrived", i, n)
		}
	}
}

func (s *sink) none(t *testing.T, within time.Duration) {
	t.Helper()
	select {
	case <-s.ch:
		t.Fatal("a message arrived that should have been dropped")
	case <-time.After(within):
	}
}

func msg(src, dest string) wire.Message {
	return wire.Message{Src: src, Dest: dest, Body: []byte(`{"type":"x"}`)}
}

func newNet(t *testing.T, mean time.Duration, names ...string) (*Network, map[string]*sink, *Journal) {
	t.Helper()
	j := NewJournal(time.Now(), nil)
	n := New(Latency{Mean: mean, Dist: "constant"}, rand.New(rand.NewPCG(1, 1)), j)
	t.Cleanup(n.Close)
	sinks := map[string]*sink{}
	for _, name := range names {
		s := newSink()
		sinks[name] = s
		if err := n.Register(name, s.deliver); err != nil {
			t.Fatal(err)
		}
	}
	return n, sinks, j
}

func TestLatencyAppliesBetweenServersOnly(t *testing.T) {
	n, sinks, _ := newNet(t, 80*time.Millisecond, "n0", "n1", "c0", "lin-kv")
	cases := []struct {
		src, dest string
		delayed   bool
	}{
		{"n0", "n1", true},
		{"n0", "lin-kv", true}, // services are servers: they get latency
		{"c0", "n1", false},    // clients are co-located with nodes
		{"n1", "c0", false},
	}
	for _, tc := range cases {
		start := time.Now()
		if _, err := n.Send(msg(tc.src, tc.dest)); err != nil {
			t.Fatal(err)
		}
		sinks[tc.dest].wait(t, 1)
		took := time.Since(start)
		if tc.delayed && took < 75*time.Millisecond {
			t.Errorf("%s->%s took %v, want about 80 ms", tc.src, tc.dest, took)
		}
		if !tc.delayed && took > 40*time.Millisecond {
			t.Errorf("%s->%s took %v, want no latency", tc.src, tc.dest, took)
		}
	}
}

func TestPartitionsDropExactlyTheGrudgedPairs(t *testing.T) {
	n, sinks, j := newNet(t, 0, "n0", "n1", "n2", "c0", "seq-kv")
	// n0 is cut off from n1 and n2, both ways; n1<->n2 stays up.
	n.Partition(map[string][]string{"n0": {"n1", "n2"}, "n1": {"n0"}, "n2": {"n0"}})
	blocked := [][2]string{{"n1", "n0"}, {"n2", "n0"}, {"n0", "n1"}, {"n0", "n2"}}
	open := [][2]string{{"n1", "n2"}, {"n2", "n1"}, {"c0", "n0"}, {"n0", "c0"}, {"n0", "seq-kv"}, {"seq-kv", "n0"}}
	for _, p := range blocked {
		if _, err := n.Send(msg(p[0], p[1])); err != nil {
			t.Fatal(err)
		}
		sinks[p[1]].none(t, 30*time.Millisecond)
	}
	for _, p := range open {
		if _, err := n.Send(msg(p[0], p[1])); err != nil {
			t.Fatal(err)
		}
		sinks[p[1]].wait(t, 1)
	}
	n.Heal()
	for _, p := range blocked {
		if _, err := n.Send(msg(p[0], p[1])); err != nil {
			t.Fatal(err)
		}
		sinks[p[1]].wait(t, 1)
	}
	// Dropped messages count as sends but never as receives.
	s := j.Stats()
	if s.All.SendCount != 14 || s.All.RecvCount != 10 || s.All.MsgCount != 14 {
		t.Errorf("stats %+v, want 14 sends, 10 receives, 14 messages", s.All)
	}
}

func TestOneWayPartition(t *testing.T) {
	n, sinks, _ := newNet(t, 0, "n0", "n1")
	n.Partition(map[string][]string{"n1": {"n0"}}) // n1 drops what n0 sends
	n.Send(msg("n0", "n1"))
	sinks["n1"].none(t, 30*time.Millisecond)
	n.Send(msg("n1", "n0"))
	sinks["n0"].wait(t, 1)
}

func TestSendValidatesEndpointsAndNumbersMessages(t *testing.T) {
	n, _, _ := newNet(t, 0, "n0", "n1")
	id0, err := n.Send(msg("n0", "n1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Send(msg("n0", "c9")); !errors.Is(err, ErrUnknownEndpoint) {
		t.Fatalf("send to an unknown dest: %v", err)
	}
	if _, err := n.Send(msg("n7", "n1")); !errors.Is(err, ErrUnknownEndpoint) {
		t.Fatalf("send from an unknown src: %v", err)
	}
	id3, _ := n.Send(msg("n1", "n0"))
	if id0 != 0 || id3 != 3 {
		t.Fatalf("ids %d, %d: want 0 and 3 (rejected sends still take an id, as in Maelstrom)", id0, id3)
	}
}

func TestConstantLatencyKeepsOrderPerReceiver(t *testing.T) {
	n, sinks, _ := newNet(t, 5*time.Millisecond, "n0", "n1")
	for i := 0; i < 50; i++ {
		n.Send(msg("n0", "n1"))
	}
	sinks["n1"].wait(t, 50)
	s := sinks["n1"]
	for i := 1; i < len(s.got); i++ {
		if s.got[i].ID < s.got[i-1].ID {
			t.Fatalf("message %d delivered before %d", s.got[i-1].ID, s.got[i].ID)
		}
	}
}

func TestStatsGroups(t *testing.T) {
	n, sinks, j := newNet(t, 0, "n0", "n1", "c0", "lin-kv")
	n.Send(msg("c0", "n0"))
	n.Send(msg("n0", "c0"))
	n.Send(msg("n0", "n1"))
	n.Send(msg("n0", "lin-kv"))
	n.Send(msg("lin-kv", "n0"))
	sinks["n0"].wait(t, 2)
	sinks["c0"].wait(t, 1)
	sinks["n1"].wait(t, 1)
	sinks["lin-kv"].wait(t, 1)
	s := j.Stats()
	want := Stats{
		All:     GroupStats{SendCount: 5, RecvCount: 5, MsgCount: 5},
		Clients: GroupStats{SendCount: 2, RecvCount: 2, MsgCount: 2},
		Servers: GroupStats{SendCount: 3, RecvCount: 3, MsgCount: 3},
	}
	if s != want {
		t.Fatalf("stats %+v, want %+v", s, want)
	}
	if got := MsgsPerOp(s.Servers, 2); got != 1.5 {
		t.Fatalf("servers msgs-per-op %v, want 1.5", got)
	}
	if got := MsgsPerOp(s.Servers, 0); got != 0 {
		t.Fatalf("msgs-per-op with no ops %v, want 0", got)
	}
}
