package kafka

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
)

// fakeConn answers each request with reply(body) and records the requests.
type fakeConn struct {
	reply func(req wire.Body) (wire.Body, error)
	reqs  []wire.Body
}

func (f *fakeConn) Name() string { return "c9" }

func (f *fakeConn) Call(_ context.Context, _ string, body wire.Body, _ time.Duration) (wire.Body, error) {
	// Round-trip the request as the network would.
	req, err := wire.DecodeBody(wire.Marshal(body))
	if err != nil {
		return nil, err
	}
	f.reqs = append(f.reqs, req)
	out, err := f.reply(req)
	if out != nil {
		out, _ = wire.DecodeBody(wire.Marshal(out))
	}
	return out, err
}

func newClient(f *fakeConn) *client {
	return New().NewClient(nil, f, "n0").(*client)
}

func invoke(c *client, f string, v any) history.Op {
	return c.Invoke(context.Background(), history.Op{Type: history.Invoke, F: f, Value: v})
}

func TestClientSend(t *testing.T) {
	f := &fakeConn{reply: func(req wire.Body) (wire.Body, error) {
		if req["key"] != "3" || wire.Key(req["msg"]) != "7" || req.Type() != "send" {
			t.Errorf("request %v", req)
		}
		return wire.Body{"type": "send_ok", "in_reply_to": 1, "offset": 12}, nil
	}}
	op := invoke(newClient(f), "send", []any{[]any{"send", "3", json.Number("7")}})
	if op.Type != history.OK || wire.Key(op.Value) != `[["send","3",[12,7]]]` {
		t.Fatalf("completion %+v", op)
	}
}

func TestClientSchema(t *testing.T) {
	cases := map[string]wire.Body{
		"extra key":     {"type": "send_ok", "in_reply_to": 1, "offset": 1, "extra": true},
		"float offset":  {"type": "send_ok", "in_reply_to": 1, "offset": 1.5},
		"string offset": {"type": "send_ok", "in_reply_to": 1, "offset": "1"},
		"missing":       {"type": "send_ok", "in_reply_to": 1},
		"wrong type":    {"type": "sent", "in_reply_to": 1, "offset": 1},
	}
	for name, body := range cases {
		f := &fakeConn{reply: func(wire.Body) (wire.Body, error) { return body, nil }}
		op := invoke(newClient(f), "send", []any{[]any{"send", "3", 7}})
		if op.Type != history.Info || !strings.HasPrefix(op.Error.(string), "indeterminate") {
			t.Errorf("%s: completion %+v, want info indeterminate", name, op)
		}
	}
	// Poll pairs must be 2-element arrays with an integer offset; a null list is fine.
	polls := map[string]any{
		"null list":    nil,
		"short pair":   []any{[]any{1}},
		"long pair":    []any{[]any{1, 2, 3}},
		"float offset": []any{[]any{json.Number("1.0"), 2}},
		"not a list":   7,
	}
	for name, list := range polls {
		f := &fakeConn{reply: func(req wire.Body) (wire.Body, error) {
			if req.Type() == "commit_offsets" {
				return wire.Body{"type": "commit_offsets_ok", "in_reply_to": 2}, nil
			}
			return wire.Body{"type": "poll_ok", "in_reply_to": 1, "msgs": map[string]any{"1": list}}, nil
		}}
		op := invoke(newClient(f), "poll", []any{[]any{"poll"}})
		if want := name == "null list"; (op.Type == history.OK) != want {
			t.Errorf("%s: completion %+v", name, op)
		}
	}
}

func TestClientErrors(t *testing.T) {
	timeout := func(wire.Body) (wire.Body, error) { return nil, workload.ErrTimeout }
	// send and poll are not idempotent: a timeout is info; assign is: fail.
	for f, want := range map[string]history.Type{"send": history.Info, "poll": history.Info, "assign": history.Fail} {
		v := map[string]any{"send": []any{[]any{"send", "1", 1}}, "poll": []any{[]any{"poll"}}, "assign": []any{"1"}}[f]
		op := invoke(newClient(&fakeConn{reply: timeout}), f, v)
		if op.Type != want || op.Error != "net-timeout" {
			t.Errorf("%s timeout: %+v", f, op)
		}
	}
	// A definite error fails a send.
	op := invoke(newClient(&fakeConn{reply: func(wire.Body) (wire.Body, error) {
		return nil, &workload.RPCError{Code: wire.CodeTemporarilyUnavailable, Text: "later"}
	}}), "send", []any{[]any{"send", "1", 1}})
	if op.Type != history.Fail {
		t.Errorf("definite error: %+v", op)
	}
	// crash makes no RPC and is info.
	f := &fakeConn{reply: timeout}
	if op := invoke(newClient(f), "crash", nil); op.Type != history.Info || len(f.reqs) != 0 {
		t.Errorf("crash: %+v, %d requests", op, len(f.reqs))
	}
}

// pollNode answers polls from a fixed log and commits with ok (or fail).
func pollNode(log map[string][][2]int, commitErr error, committed map[string]int) func(wire.Body) (wire.Body, error) {
	return func(req wire.Body) (wire.Body, error) {
		switch req.Type() {
		case "poll":
			msgs := map[string]any{}
			for k, o := range req["offsets"].(map[string]any) {
				from, _ := wire.Int(o)
				var pairs []any
				for _, e := range log[k] {
					if int64(e[0]) >= from {
						pairs = append(pairs, []any{e[0], e[1]})
					}
				}
				if pairs != nil {
					msgs[k] = pairs
				}
			}
			return wire.Body{"type": "poll_ok", "in_reply_to": 1, "msgs": msgs}, nil
		case "commit_offsets":
			if commitErr != nil {
				return nil, commitErr
			}
			return wire.Body{"type": "commit_offsets_ok", "in_reply_to": 1}, nil
		case "list_committed_offsets":
			offs := map[string]any{}
			for k, o := range committed {
				offs[k] = o
			}
			return wire.Body{"type": "list_committed_offsets_ok", "in_reply_to": 1, "offsets": offs}, nil
		}
		return nil, workload.ErrTimeout
	}
}

func TestClientPollAndAssign(t *testing.T) {
	log := map[string][][2]int{"1": {{0, 10}, {1, 11}, {5, 12}}, "2": {{0, 20}}}
	f := &fakeConn{reply: pollNode(log, nil, map[string]int{"1": 5, "2": 0})}
	c := newClient(f)

	// Nothing assigned: an empty poll, no commit.
	op := invoke(c, "poll", []any{[]any{"poll"}})
	if op.Type != history.OK || wire.Key(op.Value) != `[["poll",{}]]` || len(f.reqs) != 1 {
		t.Fatalf("empty poll: %+v, requests %v", op, f.reqs)
	}
	// Assign lists committed offsets but (QUIRK) never uses them: "1" starts at 0.
	if op := invoke(c, "assign", []string{"1"}); op.Type != history.OK {
		t.Fatalf("assign: %+v", op)
	}
	if last := f.reqs[len(f.reqs)-1]; last.Type() != "list_committed_offsets" {
		t.Fatalf("assign sent %v", last)
	}
	op = invoke(c, "poll", []any{[]any{"poll"}})
	if wire.Key(op.Value) != `[["poll",{"1":[[0,10],[1,11],[5,12]]}]]` {
		t.Fatalf("poll after assign: %+v", op)
	}
	commit := f.reqs[len(f.reqs)-1]
	if commit.Type() != "commit_offsets" || wire.Key(commit["offsets"]) != `{"1":5}` {
		t.Fatalf("commit %v", commit)
	}
	if c.offsets["1"] != 6 {
		t.Fatalf("offsets %v", c.offsets)
	}
	// Re-assigning keeps the next offset of a kept key; a new key starts at 0.
	invoke(c, "assign", []string{"1", "2"})
	if c.offsets["1"] != 6 || c.offsets["2"] != 0 || len(c.offsets) != 2 {
		t.Fatalf("offsets after re-assign %v", c.offsets)
	}
	// Seek to beginning: every key at 0, no RPC.
	n := len(f.reqs)
	invoke(c, "assign", SeekToBeginning{"1"})
	if len(f.reqs) != n || c.offsets["1"] != 0 || len(c.offsets) != 1 {
		t.Fatalf("seek: offsets %v, %d new requests", c.offsets, len(f.reqs)-n)
	}
}

func TestClientCommitFailure(t *testing.T) {
	log := map[string][][2]int{"1": {{0, 10}, {1, 11}}}
	f := &fakeConn{reply: pollNode(log, &workload.RPCError{Code: wire.CodeCrash, Text: "boom"}, nil)}
	c := newClient(f)
	invoke(c, "assign", []string{"1"})
	op := invoke(c, "poll", []any{[]any{"poll"}})
	// QUIRK: the poll is lost (info, no value) but the offsets moved on.
	if op.Type != history.Info || wire.Key(op.Value) != `[["poll"]]` || c.offsets["1"] != 2 {
		t.Fatalf("commit failure: %+v offsets %v", op, c.offsets)
	}
}

func params(conc int) *workload.Params {
	return &workload.Params{Concurrency: conc, MaxWritesPerKey: 16}
}

func TestGeneratorMix(t *testing.T) {
	g := NewGenerator(params(4))
	rng := rand.New(rand.NewPCG(1, 2))
	counts := map[string]int{}
	keys := map[string]int{}
	perKey := map[string][]int{}
	const n = 64000
	// Far from any crash: always 2 s after the last one could be due... the
	// first crash is due at once, later ones every 15 s on average.
	for i := range n {
		op, ok := g.Next(i%4, time.Duration(i)*time.Microsecond, rng)
		if !ok {
			t.Fatal("generator ran dry")
		}
		counts[op.F]++
		if op.F == "send" {
			mop := op.Value.([]any)[0].([]any)
			k := mop[1].(string)
			keys[k]++
			v, _ := mop[2].(json.Number).Int64()
			perKey[k] = append(perKey[k], int(v))
		}
	}
	if counts["crash"] < 1 || counts["crash"] > 3 {
		t.Errorf("crashes in 64 ms: %d", counts["crash"])
	}
	frac := func(f string) float64 { return float64(counts[f]) / n }
	if f := frac("assign"); f < 0.012 || f > 0.019 {
		t.Errorf("assign fraction %.4f, want about 1/64", f)
	}
	if f := frac("send") / (frac("send") + frac("poll")); f < 0.48 || f > 0.52 {
		t.Errorf("send share %.3f, want about 1/2", f)
	}
	// Each key gets 1, 2, ..., 16 then is retired.
	for k, vs := range perKey {
		for i, v := range vs {
			if v != i+1 || v > 16 {
				t.Fatalf("key %s values %v", k, vs)
			}
		}
	}
	if len(keys) < 100 {
		t.Errorf("only %d keys used for %d sends", len(keys), counts["send"])
	}
}

func TestGeneratorKeyBias(t *testing.T) {
	g := NewGenerator(&workload.Params{Concurrency: 1, MaxWritesPerKey: 1 << 30})
	rng := rand.New(rand.NewPCG(3, 4))
	hits := make([]int, 10)
	const n = 100000
	for range n {
		hits[g.keys.Key(rng)]++
	}
	// Key i is 2^i times as likely as key 0: P(i) = 2^(i+1)/2046.
	for i, h := range hits {
		want := float64(n) * float64(int(1)<<(i+1)) / 2046
		if d := float64(h) - want; d*d > 25*want+100 {
			t.Errorf("key %d drawn %d times, want about %.0f", i, h, want)
		}
	}
}

func TestGeneratorCrashSchedule(t *testing.T) {
	g := NewGenerator(params(4)) // crashes every 7.5 s on average
	rng := rand.New(rand.NewPCG(5, 6))
	var crashes []time.Duration
	for ms := range 600000 {
		now := time.Duration(ms) * time.Millisecond
		if op, _ := g.Next(0, now, rng); op.F == "crash" {
			crashes = append(crashes, now)
		}
	}
	// 600 s / 7.5 s = 80 crashes, the first within a few ms.
	if len(crashes) < 65 || len(crashes) > 95 || crashes[0] > 10*time.Millisecond {
		t.Fatalf("%d crashes, first at %v", len(crashes), crashes[0])
	}
	for i := 1; i < len(crashes); i++ {
		if gap := crashes[i] - crashes[i-1]; gap > 15*time.Second+50*time.Millisecond {
			t.Fatalf("gap %v exceeds 2*30/concurrency", gap)
		}
	}
}

func okOp(process int, f string, v any) history.Op {
	return history.Op{Type: history.OK, Process: process, F: f, Value: v}
}

func TestGeneratorWidenedAssign(t *testing.T) {
	g := NewGenerator(params(2))
	g.nextCrash = new(time.Duration)
	*g.nextCrash = time.Hour
	// An acknowledged send to key 42 that nobody polled yet.
	g.Update(okOp(0, "send", []any{[]any{"send", "42", []any{3, 1}}}))
	rng := rand.New(rand.NewPCG(7, 8))
	widened, plain := 0, 0
	for range 64 * 300 {
		op, _ := g.Next(0, 0, rng)
		if op.F != "assign" {
			continue
		}
		keys := op.Value.([]string)
		if keys[0] == "42" {
			widened++
		} else {
			plain++
		}
	}
	if r := float64(widened) / float64(widened+plain); r < 0.2 || r > 0.5 {
		t.Fatalf("widened %d of %d assigns", widened, widened+plain)
	}
	// Once polled up to offset 3, key 42 is caught up and no longer added.
	g.Update(okOp(1, "poll", []any{[]any{"poll", map[string]any{"42": []any{[]any{3, 1}}}}}))
	if len(g.sent) != 0 {
		t.Fatalf("sent still tracks %v", g.sent)
	}
}

func TestGeneratorFinalPhase(t *testing.T) {
	g := NewGenerator(params(2))
	g.Update(okOp(0, "send", []any{[]any{"send", "1", []any{0, 1}}}))
	g.Update(okOp(1, "send", []any{[]any{"send", "2", []any{4, 1}}}))
	rng := rand.New(rand.NewPCG(9, 10))
	next := func(thread int, now time.Duration) workload.Op {
		op, ok := g.NextFinal(thread, now, rng)
		if !ok {
			t.Fatalf("thread %d: no final op", thread)
		}
		return op
	}
	if op := next(0, 0); op.F != "crash" {
		t.Fatalf("first final op %+v", op)
	}
	g.Update(history.Op{Type: history.Info, Process: 0, F: "crash"})
	op := next(0, 0)
	if seek, ok := op.Value.(SeekToBeginning); op.F != "assign" || !ok || strings.Join(seek, ",") != "1,2" {
		t.Fatalf("second final op %+v", op)
	}
	if op := next(0, 0); op.F != "poll" || op.Delay != 0 {
		t.Fatalf("first poll %+v", op)
	}
	// Later polls are staggered within [0, 0.4 s).
	op = next(0, 0)
	if op.F != "poll" || op.Delay < 0 || op.Delay >= 400*time.Millisecond {
		t.Fatalf("second poll %+v", op)
	}
	// Thread 0 (process 2 after its crash) catches up on key 1 only, then on 2.
	g.Update(okOp(2, "poll", []any{[]any{"poll", map[string]any{"1": []any{[]any{0, 1}}}}}))
	next(0, time.Second)
	g.Update(okOp(2, "poll", []any{[]any{"poll", map[string]any{"2": []any{[]any{4, 1}}}}}))
	if op, ok := g.NextFinal(0, 2*time.Second, rng); ok {
		t.Fatalf("thread 0 caught up but got %+v", op)
	}
	// Thread 1 has its own progress.
	if op := next(1, 2*time.Second); op.F != "crash" {
		t.Fatalf("thread 1 first op %+v", op)
	}
	// A generator that saw nothing in the main phase has no final ops.
	empty := NewGenerator(params(2))
	if _, ok := empty.NextFinal(0, 0, rng); ok {
		t.Fatal("final ops with no offsets to catch up on")
	}
}
