package network

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"gossip-glomers/internal/wire"
)

// A batch receiver gets the messages that are due together in one call, in
// the order one-at-a-time delivery gives them (deadline, then id), and a
// message its receiver holds a grudge against is dropped from a batch as it
// would be on its own.
func TestBatchDelivery(t *testing.T) {
	n := New(Latency{}, rand.New(rand.NewPCG(1, 1)), NewJournal(time.Now(), nil))
	t.Cleanup(n.Close)
	var mu sync.Mutex
	var batches [][]int64
	var srcs []string
	first, release := make(chan struct{}), make(chan struct{})
	got := make(chan struct{}, 1000)
	err := n.RegisterBatch("n1", func(ms []wire.Message) {
		mu.Lock()
		ids := []int64{}
		for _, m := range ms {
			ids = append(ids, m.ID)
			srcs = append(srcs, m.Src)
		}
		batches = append(batches, ids)
		isFirst := len(batches) == 1
		mu.Unlock()
		if isFirst {
			close(first)
			<-release // hold the pump while more messages queue up
		}
		for range ms {
			got <- struct{}{}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"n0", "n2"} {
		if err := n.Register(name, func(wire.Message) {}); err != nil {
			t.Fatal(err)
		}
	}
	n.Send(msg("n0", "n1"))
	<-first
	n.Partition(map[string][]string{"n1": {"n2"}})
	for i := range 20 {
		src := "n0"
		if i%4 == 3 {
			src = "n2" // dropped
		}
		n.Send(msg(src, "n1"))
	}
	close(release)
	for range 16 {
		select {
		case <-got:
		case <-time.After(5 * time.Second):
			t.Fatal("messages did not arrive")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(batches) != 2 {
		t.Fatalf("batches %v, want the first message alone, then the 15 that queued behind it together", batches)
	}
	var want []int64
	want = append(want, 0)
	for id := int64(1); id <= 20; id++ {
		if id%4 != 0 {
			want = append(want, id)
		}
	}
	var all []int64
	for _, b := range batches {
		all = append(all, b...)
	}
	if !equalIDs(all, want) {
		t.Errorf("delivered %v, want %v", all, want)
	}
	for _, s := range srcs {
		if s != "n0" {
			t.Errorf("a message from %s got through the partition", s)
		}
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Messages not yet due are not taken into a batch: with latency, each is
// delivered at its own time.
func TestBatchWaitsForDeadlines(t *testing.T) {
	n := New(Latency{Mean: 30 * time.Millisecond, Dist: "constant"}, rand.New(rand.NewPCG(1, 1)), nil)
	t.Cleanup(n.Close)
	type delivery struct {
		ids []int64
		at  time.Time
	}
	got := make(chan delivery, 10)
	n.RegisterBatch("n1", func(ms []wire.Message) {
		d := delivery{at: time.Now()}
		for _, m := range ms {
			d.ids = append(d.ids, m.ID)
		}
		got <- d
	})
	n.Register("n0", func(wire.Message) {})
	sent := time.Now()
	n.Send(msg("n0", "n1"))
	time.Sleep(40 * time.Millisecond) // past the first one's deadline
	n.Send(msg("n0", "n1"))
	for i, want := range []int64{0, 1} {
		d := <-got
		if len(d.ids) != 1 || d.ids[0] != want {
			t.Fatalf("delivery %d: %v, want [%d]", i, d.ids, want)
		}
		if i == 1 && d.at.Sub(sent) < 69*time.Millisecond {
			t.Errorf("second message delivered %v after the first send, before its deadline", d.at.Sub(sent))
		}
	}
}

// The journal writes each event exactly as json.Marshal encodes an Event,
// bodies that need compacting or HTML escaping included.
func TestJournalLinesAreJSONMarshal(t *testing.T) {
	var out bytes.Buffer
	start := time.Now()
	j := NewJournal(start, &out)
	n := New(Latency{}, rand.New(rand.NewPCG(1, 1)), j)
	s := newSink()
	n.Register("n0", func(wire.Message) {})
	n.Register("n1", s.deliver)
	bodies := []string{`{"type":"x"}`, `{ "type" : "y", "s" : "a b" }`, `{"s":"<&>"}`, "{\"s\":\"\u2028\"}"}
	for _, b := range bodies {
		n.Send(wire.Message{Src: "n0", Dest: "n1", Body: json.RawMessage(b)})
	}
	s.wait(t, len(bodies))
	n.Close()
	if err := j.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(out.Bytes(), []byte("\n")), []byte("\n"))
	if len(lines) != 2*len(bodies) {
		t.Fatalf("%d journal lines, want %d", len(lines), 2*len(bodies))
	}
	for _, line := range lines {
		var e Event
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		want, _ := json.Marshal(e)
		if !bytes.Equal(line, want) {
			t.Errorf("journal line\n %s\nwant\n %s", line, want)
		}
	}
}

// The journal keeps counts, not messages: recording 200,000 of them leaves
// the live heap where it was (a set of message ids, as it once kept, would
// hold several megabytes; what a run sent is in its journal file).
func TestJournalKeepsNoPerMessageState(t *testing.T) {
	j := NewJournal(time.Now(), nil)
	m := wire.Message{Src: "n0", Dest: "n1", Body: json.RawMessage(`{"type":"x"}`)}
	heap := func() uint64 {
		runtime.GC()
		var s runtime.MemStats
		runtime.ReadMemStats(&s)
		return s.HeapAlloc
	}
	before := heap()
	for id := range int64(200_000) {
		m.ID = id
		j.record(EventSend, time.Now(), m)
		j.record(EventRecv, time.Now(), m)
	}
	after := heap()
	runtime.KeepAlive(j)
	if after > before+1<<20 {
		t.Errorf("the live heap grew by %d KiB over 200,000 messages", (after-before)>>10)
	}
	if s := j.Stats(); s.All.MsgCount != 200_000 || s.All.RecvCount != 200_000 {
		t.Errorf("stats %+v", s)
	}
}

// A message is due at the one whole millisecond of the network's clock in
// (deadline - 1 ms, deadline], Maelstrom's window: never after its deadline,
// less than a millisecond before it, and messages whose deadlines share a
// window are due at the same instant.
func TestDueAt(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct{ deadline, want time.Duration }{
		{0, 0},
		{1, 0},
		{ms - 1, 0},
		{ms, ms},
		{ms + 1, ms},
		{100*ms + 300*time.Microsecond, 100 * ms},
		{100*ms + 999*time.Microsecond, 100 * ms},
		{101 * ms, 101 * ms},
		{-ms / 2, -ms},
	} {
		if got := dueAt(tc.deadline); got != tc.want {
			t.Errorf("dueAt(%v) = %v, want %v", tc.deadline, got, tc.want)
		}
	}
	for d := -3 * ms; d < 5*ms; d += 37 * time.Microsecond {
		if due := dueAt(d); due%ms != 0 || due <= d-ms || due > d {
			t.Errorf("dueAt(%v) = %v: not a whole millisecond in (deadline - 1 ms, deadline]", d, due)
		}
	}
}
