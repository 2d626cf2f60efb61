package pncounter

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
)

func TestWorkload(t *testing.T) {
	w := New()
	if w.Name != "pn-counter" || w.ReusableClient {
		t.Fatalf("name %q, reusable %v; want pn-counter, not reusable", w.Name, w.ReusableClient)
	}
}

func TestGeneratorMix(t *testing.T) {
	g := New().NewGenerator(&workload.Params{})
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 30000
	adds := 0
	perDelta := map[int64]int{}
	for range n {
		op, ok := g.Next(0, 0, rng)
		if !ok {
			t.Fatal("main phase generator ran dry")
		}
		switch op.F {
		case "add":
			adds++
			d := op.Value.(int64)
			if d < -5 || d > 4 {
				t.Fatalf("delta %d outside -5..4", d)
			}
			perDelta[d]++
		case "read":
			if op.Value != nil || op.Final {
				t.Fatalf("bad read op %+v", op)
			}
		default:
			t.Fatalf("unexpected f %q", op.F)
		}
	}
	if frac := float64(adds) / n; frac < 0.48 || frac > 0.52 {
		t.Errorf("adds are %.3f of ops, want about half", frac)
	}
	for d := int64(-5); d <= 4; d++ {
		if c := perDelta[d]; c < adds/10*8/10 || c > adds/10*12/10 {
			t.Errorf("delta %d drawn %d times of %d adds, want about a tenth", d, c, adds)
		}
	}
}

func TestGeneratorFinalPhase(t *testing.T) {
	g := New().NewGenerator(&workload.Params{}).(workload.FinalPhase)
	rng := rand.New(rand.NewPCG(1, 2))
	for thread := range 3 {
		op, ok := g.NextFinal(thread, 0, rng)
		if !ok || op.F != "read" || !op.Final {
			t.Fatalf("thread %d: final op %+v %v, want one final read", thread, op, ok)
		}
		if _, ok := g.NextFinal(thread, time.Second, rng); ok {
			t.Fatalf("thread %d got a second final op", thread)
		}
	}
}

// oneReply answers every call with add_ok and records the request.
type oneReply struct{ sent wire.Body }

func (c *oneReply) Name() string { return "c0" }

func (c *oneReply) Call(_ context.Context, _ string, body wire.Body, _ time.Duration) (wire.Body, error) {
	c.sent = body
	return wire.DecodeBody([]byte(`{"type":"add_ok","in_reply_to":1}`))
}

// TestClientSendsNegativeDelta: a decrement goes out as a negative delta and
// completes ok with it.
func TestClientSendsNegativeDelta(t *testing.T) {
	conn := &oneReply{}
	got := New().NewClient(&workload.Params{}, conn, "n0").Invoke(context.Background(),
		history.Op{Type: history.Invoke, F: "add", Value: int64(-4)})
	if got.Type != history.OK || got.Value != int64(-4) {
		t.Fatalf("completion %+v, want ok -4", got)
	}
	if want := (map[string]any{"type": "add", "delta": int64(-4)}); !wire.Equal(map[string]any(conn.sent), want) {
		t.Fatalf("sent %v, want %v", conn.sent, want)
	}
}

// TestCheck: the workload's checker is the counter check, negative sums
// included.
func TestCheck(t *testing.T) {
	h := history.History{
		{Process: 0, Type: history.Invoke, F: "add", Value: int64(-5)},
		{Process: 0, Type: history.OK, F: "add", Value: int64(-5)},
		{Process: 1, Type: history.Invoke, F: "add", Value: int64(2)},
		{Process: 1, Type: history.OK, F: "add", Value: int64(2)},
		{Process: 0, Type: history.Invoke, F: "read", Final: true},
		{Process: 0, Type: history.OK, F: "read", Value: int64(-3), Final: true},
		{Process: 1, Type: history.Invoke, F: "read", Final: true},
		{Process: 1, Type: history.OK, F: "read", Value: int64(2), Final: true},
	}.Reindex()
	res := New().Check(&workload.Params{}, h)
	if res.Valid != checker.Invalid {
		t.Fatalf("verdict %v: the read of 2 lost the decrement", res.Valid)
	}
	if errs := res.Figures["errors"].([]history.Op); len(errs) != 1 || errs[0].Index != 7 {
		t.Fatalf("errors %v, want the read of 2", errs)
	}
}
