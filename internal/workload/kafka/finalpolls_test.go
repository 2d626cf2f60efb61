package kafka

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/workload"
)

// The final polls' targets are what TrackKeyOffsets saw of every main-phase
// completion, the last one included: Jepsen's interpreter keeps the
// generator holding the time-limited main phase until it dispatches the next
// op, and gen/phases' synchronize makes that op wait for every thread to be
// free (jepsen.generator.interpreter/run!, jepsen.generator/phases); the
// targets are read when the final-polls delay is first asked for an op,
// after the recovery sleep (jepsen.tests.kafka/final-polls). So a key first
// written by the last main-phase send is assigned and polled up to that
// send's offset, and a correct node shows no unseen message.
func TestFinalPollsCoverTheLastMainPhaseSend(t *testing.T) {
	send := func(process int, k string, offset int) history.Op {
		return okOp(process, "send", []any{[]any{"send", k, []any{offset, 1}}})
	}
	poll := func(process int, msgs map[string]any) history.Op {
		return okOp(process, "poll", []any{[]any{"poll", msgs}})
	}
	g := NewGenerator(params(1))
	early := send(0, "1", 0)
	g.Update(early)
	// The last main-phase send, to a fresh key, completes after the time
	// limit: the runner has stopped asking Next but still delivers it.
	last := send(0, "7", 0)
	g.Update(last)

	rng := rand.New(rand.NewPCG(13, 14))
	next := func() (workload.Op, bool) { return g.NextFinal(0, 0, rng) }
	if op, _ := next(); op.F != "crash" {
		t.Fatalf("first final op %+v", op)
	}
	g.Update(history.Op{Type: history.Info, Process: 0, F: "crash"})
	op, _ := next()
	if seek, _ := op.Value.(SeekToBeginning); op.F != "assign" || !slices.Equal(seek, SeekToBeginning{"1", "7"}) {
		t.Fatalf("final assign %+v, want keys 1 and 7 from the beginning", op)
	}
	if op, _ := next(); op.F != "poll" {
		t.Fatalf("first final poll %+v", op)
	}
	// A poll that reaches key 1 only leaves the thread waiting for key 7.
	g.Update(poll(1, map[string]any{"1": []any{[]any{0, 1}}}))
	if op, ok := next(); !ok || op.F != "poll" {
		t.Fatalf("thread stopped before polling key 7: %+v %v", op, ok)
	}
	final := poll(1, map[string]any{"7": []any{[]any{0, 1}}})
	g.Update(final)
	if op, ok := next(); ok {
		t.Fatalf("thread caught up but got %+v", op)
	}

	// The history those polls make holds no unseen message.
	var h history.History
	for _, done := range []history.Op{early, last, poll(1, map[string]any{"1": []any{[]any{0, 1}}}), final} {
		inv := history.Op{Index: len(h), Time: time.Duration(len(h)), Type: history.Invoke,
			Process: done.Process, F: done.F, Value: []any{[]any{"poll"}}}
		if done.F == "send" {
			k := done.Value.([]any)[0].([]any)[1]
			inv.Value = []any{[]any{"send", k, 1}}
		}
		done.Index, done.Time = len(h)+1, time.Duration(len(h)+1)
		h = append(h, inv, done)
	}
	if r := Check(h); r.Valid != checker.Valid {
		t.Fatalf("checked %v: %v", r.Valid, r.Anomalies)
	}
}
