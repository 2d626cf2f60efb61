package gset

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
)

func TestGeneratorMix(t *testing.T) {
	g := New().NewGenerator(&workload.Params{})
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 10000
	next := int64(0)
	for range n {
		op, ok := g.Next(0, 0, rng)
		if !ok {
			t.Fatal("main phase generator ran dry")
		}
		switch op.F {
		case "add":
			if op.Value != next || op.Final {
				t.Fatalf("add %+v, want element %d", op, next)
			}
			next++
		case "read":
			if op.Value != nil || op.Final {
				t.Fatalf("bad read op %+v", op)
			}
		default:
			t.Fatalf("unexpected f %q", op.F)
		}
	}
	if frac := float64(next) / n; frac < 0.48 || frac > 0.52 {
		t.Errorf("adds are %.3f of ops, want about half", frac)
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

// fakeConn answers every call with a scripted reply or error and records
// what was sent.
type fakeConn struct {
	reply string
	err   error
	sent  []wire.Body
}

func (c *fakeConn) Name() string { return "c0" }

func (c *fakeConn) Call(_ context.Context, dest string, body wire.Body, timeout time.Duration) (wire.Body, error) {
	if dest != "n1" || timeout != 5*time.Second {
		return nil, &workload.RPCError{Code: wire.CodeCrash, Text: "wrong dest or timeout"}
	}
	c.sent = append(c.sent, body)
	if c.err != nil {
		return nil, c.err
	}
	return wire.DecodeBody([]byte(c.reply))
}

// TestClient: g_set.clj's requests and reply schemas; with no error mapping
// every failure, even a definite error, is info.
func TestClient(t *testing.T) {
	definite := &workload.RPCError{Code: wire.CodeTemporarilyUnavailable, Text: "busy"}
	cases := []struct {
		name      string
		op        history.Op
		reply     string
		err       error
		wantType  history.Type
		wantValue any
		wantError string // substring of the info error
	}{
		{"add ok", history.Op{F: "add", Value: int64(3)}, `{"type":"add_ok","in_reply_to":1}`, nil, history.OK, int64(3), ""},
		{"add ok with msg_id", history.Op{F: "add", Value: int64(3)}, `{"type":"add_ok","in_reply_to":1,"msg_id":4}`, nil, history.OK, int64(3), ""},
		{"add extra key", history.Op{F: "add", Value: int64(3)}, `{"type":"add_ok","in_reply_to":1,"value":[3]}`, nil, history.Info, int64(3), "disallowed"},
		{"add definite error is info", history.Op{F: "add", Value: int64(3)}, ``, definite, history.Info, int64(3), "indeterminate"},
		{"add timeout", history.Op{F: "add", Value: int64(3)}, ``, workload.ErrTimeout, history.Info, int64(3), "net-timeout"},
		{"read ok", history.Op{F: "read"}, `{"type":"read_ok","in_reply_to":1,"value":[1,"a",1]}`, nil,
			history.OK, []any{json.Number("1"), "a", json.Number("1")}, ""},
		{"read null", history.Op{F: "read"}, `{"type":"read_ok","in_reply_to":1,"value":null}`, nil, history.OK, nil, ""},
		{"read not a list", history.Op{F: "read"}, `{"type":"read_ok","in_reply_to":1,"value":3}`, nil, history.Info, nil, "not a sequence"},
		{"read elements is the doc's name, not the schema's", history.Op{F: "read"}, `{"type":"read_ok","in_reply_to":1,"elements":[]}`, nil,
			history.Info, nil, "missing required key"},
		{"read wrong type", history.Op{F: "read"}, `{"type":"add_ok","in_reply_to":1}`, nil, history.Info, nil, "read_ok"},
		{"read timeout is info", history.Op{F: "read"}, ``, workload.ErrTimeout, history.Info, nil, "net-timeout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn := &fakeConn{reply: c.reply, err: c.err}
			cl := New().NewClient(&workload.Params{}, conn, "n1")
			op := c.op
			op.Type = history.Invoke
			got := cl.Invoke(context.Background(), op)
			if got.Type != c.wantType || !wire.Equal(got.Value, c.wantValue) {
				t.Fatalf("got %s %#v, want %s %#v", got.Type, got.Value, c.wantType, c.wantValue)
			}
			if errText, _ := got.Error.(string); !strings.Contains(errText, c.wantError) {
				t.Fatalf("error %v, want it to mention %q", got.Error, c.wantError)
			}
			want := map[string]any{"type": c.op.F}
			if c.op.F == "add" {
				want["element"] = c.op.Value
			}
			if len(conn.sent) != 1 || !wire.Equal(map[string]any(conn.sent[0]), want) {
				t.Fatalf("sent %v, want %v", conn.sent, want)
			}
		})
	}
}

// TestCheckIsSetFullOnAdds: the workload's checker treats add as set-full's
// add: an acknowledged element that the last read misses is lost.
func TestCheckIsSetFullOnAdds(t *testing.T) {
	h := history.History{
		{Process: 0, Type: history.Invoke, F: "add", Value: int64(0)},
		{Process: 0, Type: history.OK, F: "add", Value: int64(0)},
		{Process: 1, Type: history.Invoke, F: "read"},
		{Process: 1, Type: history.OK, F: "read", Value: []any{}},
	}.Reindex()
	res := New().Check(&workload.Params{}, h)
	if res.Valid != checker.Invalid || res.Figures["lost-count"] != 1 {
		t.Fatalf("verdict %v, figures %v; want 0 lost", res.Valid, res.Figures)
	}
}
