package network

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"gossip-glomers/internal/wire"
)

// A receiver that stops taking messages (its delivery blocks, as a node's
// stdin write does once the node stops reading) has its queue bounded: the
// message that passes the limit reports the overflow once, naming the main
// source, and everything to that receiver is dropped from then on. Other
// receivers are not affected.
func TestBacklogLimit(t *testing.T) {
	body := []byte(`{"type":"x"}`) // 12 bytes; with "n0" and "n1", 16 a message
	for _, tc := range []struct {
		name  string
		limit Backlog
		want  Backlog
	}{
		{"by messages", Backlog{Messages: 5}, Backlog{Messages: 6, Bytes: 96}},
		{"by bytes", Backlog{Bytes: 100}, Backlog{Messages: 7, Bytes: 112}},
		{"both, messages first", Backlog{Messages: 3, Bytes: 100}, Backlog{Messages: 4, Bytes: 64}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := New(Latency{}, rand.New(rand.NewPCG(1, 1)), NewJournal(time.Now(), nil))
			t.Cleanup(n.Close)
			var mu sync.Mutex
			var overflows []Overflow
			n.LimitBacklog(tc.limit, func(o Overflow) {
				mu.Lock()
				defer mu.Unlock()
				overflows = append(overflows, o)
			})
			taken, release := make(chan struct{}, 1), make(chan struct{})
			t.Cleanup(func() { close(release) })
			stuck := func(wire.Message) {
				select {
				case taken <- struct{}{}:
				default:
				}
				<-release
			}
			other := newSink()
			for name, deliver := range map[string]DeliverFunc{"n0": func(wire.Message) {}, "n1": stuck, "n2": other.deliver} {
				if err := n.Register(name, deliver); err != nil {
					t.Fatal(err)
				}
			}
			// The first message is taken and blocks n1's delivery; the rest wait.
			n.Send(wire.Message{Src: "n0", Dest: "n1", Body: body})
			<-taken
			for range 20 {
				if _, err := n.Send(wire.Message{Src: "n0", Dest: "n1", Body: body}); err != nil {
					t.Fatal(err)
				}
			}
			n.Send(wire.Message{Src: "n0", Dest: "n2", Body: body})
			other.wait(t, 1)

			mu.Lock()
			defer mu.Unlock()
			if len(overflows) != 1 {
				t.Fatalf("%d overflow reports, want 1: %+v", len(overflows), overflows)
			}
			want := Overflow{Endpoint: "n1", Waiting: tc.want, TopSource: "n0", TopSourceMessages: tc.want.Messages}
			if overflows[0] != want {
				t.Errorf("overflow %+v, want %+v", overflows[0], want)
			}
			e := n.endpoints["n1"]
			e.mu.Lock()
			defer e.mu.Unlock()
			if len(e.q) != 0 || e.bytes != 0 {
				t.Errorf("%d messages (%d bytes) still queued for n1 after the overflow, want none", len(e.q), e.bytes)
			}
		})
	}
}

// Without a limit (the zero Backlog) nothing is reported however long the
// queue.
func TestNoBacklogLimitByDefault(t *testing.T) {
	n := New(Latency{}, rand.New(rand.NewPCG(1, 1)), nil)
	t.Cleanup(n.Close)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	n.LimitBacklog(Backlog{}, func(o Overflow) { t.Errorf("overflow reported: %+v", o) })
	n.Register("n0", func(wire.Message) {})
	n.Register("n1", func(wire.Message) { <-release })
	for range 1000 {
		n.Send(wire.Message{Src: "n0", Dest: "n1", Body: []byte(`{}`)})
	}
}
