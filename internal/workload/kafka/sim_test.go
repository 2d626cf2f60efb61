package kafka

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
)

// memLog is an in-memory kafka node; hide, if set, makes polls skip some
// acknowledged messages (a broken node).
type memLog struct {
	logs      map[string][]any
	committed map[string]any
	hide      func(k string, offset int) bool
}

func (m *memLog) reply(req wire.Body) (wire.Body, error) {
	switch req.Type() {
	case "send":
		k := req["key"].(string)
		m.logs[k] = append(m.logs[k], req["msg"])
		return wire.Body{"type": "send_ok", "in_reply_to": 1, "offset": len(m.logs[k]) - 1}, nil
	case "poll":
		msgs := map[string]any{}
		for k, o := range req["offsets"].(map[string]any) {
			from, _ := wire.Int(o)
			var pairs []any
			for i := int(from); i < len(m.logs[k]); i++ {
				if m.hide == nil || !m.hide(k, i) {
					pairs = append(pairs, []any{i, m.logs[k][i]})
				}
			}
			if len(pairs) > 0 {
				msgs[k] = pairs
			}
		}
		return wire.Body{"type": "poll_ok", "in_reply_to": 1, "msgs": msgs}, nil
	case "commit_offsets":
		for k, o := range req["offsets"].(map[string]any) {
			m.committed[k] = o
		}
		return wire.Body{"type": "commit_offsets_ok", "in_reply_to": 1}, nil
	case "list_committed_offsets":
		return wire.Body{"type": "list_committed_offsets_ok", "in_reply_to": 1, "offsets": map[string]any{}}, nil
	}
	return nil, workload.ErrTimeout
}

// simulate runs the generator with `threads` sequential clients against
// node for n main-phase ops, then the final phase, as the runner would
// (one op at a time, 1 ms apart).
func simulate(t *testing.T, node *memLog, threads, n int) history.History {
	p := &workload.Params{Concurrency: threads, MaxWritesPerKey: 16}
	w := New()
	g := w.NewGenerator(p)
	rng := rand.New(rand.NewPCG(11, 12))
	var h history.History
	now := time.Duration(0)
	process := make([]int, threads)
	clients := make([]workload.Client, threads)
	for i := range process {
		process[i] = i
	}
	run := func(thread int, op workload.Op) {
		if clients[thread] == nil {
			clients[thread] = w.NewClient(p, &fakeConn{reply: node.reply}, "n0")
		}
		now += time.Millisecond
		inv := history.Op{Index: len(h), Time: now, Type: history.Invoke, Process: process[thread], F: op.F, Value: op.Value}
		h = append(h, inv)
		done := clients[thread].Invoke(context.Background(), inv)
		now += time.Millisecond
		done.Index, done.Time, done.Process, done.F = len(h), now, process[thread], op.F
		h = append(h, done)
		g.Update(done)
		if done.Type == history.Info {
			process[thread] += threads
			clients[thread] = nil
		}
	}
	for i := range n {
		op, ok := g.Next(i%threads, now, rng)
		if !ok {
			t.Fatal("generator ran dry")
		}
		run(i%threads, op)
	}
	final := g.(workload.FinalPhase)
	start := now
	for thread := range threads {
		for {
			op, ok := final.NextFinal(thread, now-start, rng)
			if !ok || now-start > 10*time.Second {
				break
			}
			now += op.Delay
			run(thread, op)
		}
	}
	return h
}

func TestSimulatedCorrectNode(t *testing.T) {
	h := simulate(t, &memLog{logs: map[string][]any{}, committed: map[string]any{}}, 4, 3000)
	r := Check(h)
	if r.Valid != checker.Valid {
		t.Fatalf("correct node judged %v: %v", r.Valid, errorTypes(r))
	}
	counts := map[string]int{}
	for _, op := range h {
		if op.Type == history.Invoke {
			counts[op.F]++
		}
	}
	if counts["send"] < 1000 || counts["poll"] < 1000 || counts["assign"] < 20 || counts["crash"] < 4 {
		t.Fatalf("op mix %v", counts)
	}
}

func TestSimulatedLossyNode(t *testing.T) {
	// Polls never return offset 3 of any key: the message is acknowledged,
	// polls jump over it.
	node := &memLog{logs: map[string][]any{}, committed: map[string]any{},
		hide: func(_ string, offset int) bool { return offset == 3 }}
	r := Check(simulate(t, node, 4, 3000))
	if r.Valid != checker.Invalid {
		t.Fatalf("lossy node judged %v", r.Valid)
	}
	for _, want := range []string{"lost-write", "unseen", "int-poll-skip"} {
		if !slices.Contains(r.Anomalies, want) {
			t.Errorf("%s not reported: %v", want, r.Anomalies)
		}
	}
}
