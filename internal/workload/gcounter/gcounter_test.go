package gcounter

import (
	"context"
	"encoding/json"
	"errors"
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
	w := New()
	g := w.NewGenerator(&workload.Params{})
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
			if d < 0 || d > 4 {
				t.Fatalf("delta %d outside 0..4", d)
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
	if frac := float64(adds) / n; frac < 0.31 || frac > 0.36 {
		t.Errorf("adds are %.3f of ops, want about 1/3", frac)
	}
	for d := int64(0); d <= 4; d++ {
		if c := perDelta[d]; c < adds/5*8/10 || c > adds/5*12/10 {
			t.Errorf("delta %d drawn %d times of %d adds, want about a fifth", d, c, adds)
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
		return nil, errors.New("wrong dest or timeout")
	}
	c.sent = append(c.sent, body)
	if c.err != nil {
		return nil, c.err
	}
	b, err := wire.DecodeBody([]byte(c.reply))
	if err != nil {
		panic(err)
	}
	return b, nil
}

func TestClient(t *testing.T) {
	rpcErr := &workload.RPCError{Code: wire.CodeKeyDoesNotExist, Text: "nope"} // definite, still info
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
		{"add ok with msg_id", history.Op{F: "add", Value: int64(0)}, `{"type":"add_ok","in_reply_to":1,"msg_id":4}`, nil, history.OK, int64(0), ""},
		{"add extra key", history.Op{F: "add", Value: int64(3)}, `{"type":"add_ok","in_reply_to":1,"value":3}`, nil, history.Info, int64(3), "disallowed"},
		{"add definite error is info", history.Op{F: "add", Value: int64(3)}, ``, rpcErr, history.Info, int64(3), "indeterminate"},
		{"add timeout", history.Op{F: "add", Value: int64(3)}, ``, workload.ErrTimeout, history.Info, int64(3), "net-timeout"},
		{"read ok", history.Op{F: "read"}, `{"type":"read_ok","in_reply_to":1,"value":42}`, nil, history.OK, int64(42), ""},
		{"read float", history.Op{F: "read"}, `{"type":"read_ok","in_reply_to":1,"value":42.0}`, nil, history.Info, nil, "integer"},
		{"read string", history.Op{F: "read"}, `{"type":"read_ok","in_reply_to":1,"value":"42"}`, nil, history.Info, nil, "integer"},
		{"read beyond long", history.Op{F: "read"}, `{"type":"read_ok","in_reply_to":1,"value":9223372036854775808}`, nil, history.Info, nil, "long"},
		{"read missing value", history.Op{F: "read"}, `{"type":"read_ok","in_reply_to":1}`, nil, history.Info, nil, "missing"},
		{"read wrong type", history.Op{F: "read"}, `{"type":"add_ok","in_reply_to":1}`, nil, history.Info, nil, "read_ok"},
		{"read timeout", history.Op{F: "read"}, ``, workload.ErrTimeout, history.Info, nil, "net-timeout"},
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
				want["delta"] = c.op.Value
			}
			if len(conn.sent) != 1 || !wire.Equal(map[string]any(conn.sent[0]), want) {
				t.Fatalf("sent %v, want %v", conn.sent, want)
			}
		})
	}
}

// hist builds a history from (process, type, f, value, final) tuples.
type e struct {
	p     int
	typ   history.Type
	f     string
	v     any
	final bool
}

func hist(es ...e) history.History {
	h := history.History{}
	for _, x := range es {
		h = append(h, history.Op{Process: x.p, Type: x.typ, F: x.f, Value: x.v, Final: x.final})
	}
	return h.Reindex()
}

func add(p int, d int64, outcome history.Type) []e {
	return []e{{p, history.Invoke, "add", d, false}, {p, outcome, "add", d, false}}
}

func finalRead(p int, v any) []e {
	return []e{{p, history.Invoke, "read", nil, true}, {p, history.OK, "read", v, true}}
}

func cat(parts ...[]e) []e {
	var out []e
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestCheck(t *testing.T) {
	cases := []struct {
		name       string
		h          history.History
		valid      checker.Validity
		acceptable Ranges
	}{
		{"empty", hist(), checker.Valid, Ranges{{0, 0}}},
		{"exact sum", hist(cat(add(0, 3, history.OK), add(1, 4, history.OK), finalRead(0, int64(7)), finalRead(1, int64(7)))...),
			checker.Valid, Ranges{{7, 7}}},
		{"lost add", hist(cat(add(0, 3, history.OK), add(1, 4, history.OK), finalRead(0, int64(7)), finalRead(1, int64(3)))...),
			checker.Invalid, Ranges{{7, 7}}},
		{"too much", hist(cat(add(0, 3, history.OK), finalRead(0, int64(4)))...), checker.Invalid, Ranges{{3, 3}}},
		{"info add may or may not count", hist(cat(add(0, 3, history.OK), add(1, 2, history.Info),
			finalRead(0, int64(3)), finalRead(2, int64(5)))...), checker.Valid, Ranges{{3, 3}, {5, 5}}},
		{"info adds between the sums are not acceptable", hist(cat(add(0, 3, history.OK), add(1, 2, history.Info),
			finalRead(0, int64(4)))...), checker.Invalid, Ranges{{3, 3}, {5, 5}}},
		{"adjacent sums merge", hist(cat(add(0, 1, history.Info), add(1, 1, history.Info), add(2, 3, history.Info),
			finalRead(0, int64(2)))...), checker.Valid, Ranges{{0, 5}}},
		{"failed adds never count", hist(cat(add(0, 3, history.Fail), finalRead(0, int64(3)))...), checker.Invalid, Ranges{{0, 0}}},
		{"non-final reads are not checked", hist(cat(add(0, 3, history.OK),
			[]e{{1, history.Invoke, "read", nil, false}, {1, history.OK, "read", int64(99), false}})...), checker.Valid, Ranges{{3, 3}}},
		{"failed final reads are not checked", hist(cat(add(0, 3, history.OK),
			[]e{{1, history.Invoke, "read", nil, true}, {1, history.Info, "read", nil, true}})...), checker.Valid, Ranges{{3, 3}}},
		{"incomplete add is indeterminate", hist(cat(add(0, 3, history.OK), []e{{1, history.Invoke, "add", int64(2), false}},
			finalRead(2, int64(5)))...), checker.Valid, Ranges{{3, 3}, {5, 5}}},
		{"json numbers", hist(cat(add(0, 3, history.OK), finalRead(0, json.Number("3")))...), checker.Valid, Ranges{{3, 3}}},
		{"non-integer read is unknown", hist(cat(add(0, 3, history.OK), finalRead(0, json.Number("3.0")))...), checker.Unknown, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := Check(c.h)
			if res.Valid != c.valid {
				t.Fatalf("valid %v, want %v (%v)", res.Valid, c.valid, res.Figures)
			}
			if c.valid == checker.Unknown {
				return
			}
			if got := res.Figures["acceptable"].(Ranges); wire.Key(got) != wire.Key(c.acceptable) {
				t.Fatalf("acceptable %v, want %v", got, c.acceptable)
			}
			errs := res.Figures["errors"].([]history.Op)
			if (c.valid == checker.Invalid) != (len(errs) > 0) || (len(errs) > 0) != (len(res.Anomalies) > 0) {
				t.Fatalf("errors %v, anomalies %v for verdict %v", errs, res.Anomalies, res.Valid)
			}
		})
	}
}

func TestCheckFigures(t *testing.T) {
	h := hist(cat(add(0, 3, history.OK), add(1, 4, history.Info), add(2, 1, history.Info),
		finalRead(0, int64(3)), finalRead(1, int64(6)))...)
	res := Check(h)
	if res.Valid != checker.Invalid {
		t.Fatalf("verdict %v, want invalid (6 is not a possible sum)", res.Valid)
	}
	want := map[string]any{
		"definite-sum": int64(3), "indeterminate-sum": int64(5),
		"final-reads": []any{int64(3), int64(6)}, "acceptable": Ranges{{3, 4}, {7, 8}},
	}
	for k, v := range want {
		if wire.Key(res.Figures[k]) != wire.Key(v) {
			t.Errorf("%s = %v, want %v", k, res.Figures[k], v)
		}
	}
	errs := res.Figures["errors"].([]history.Op)
	if len(errs) != 1 || errs[0].Value != int64(6) || res.Anomalies[0] != Anomaly {
		t.Errorf("errors %v anomalies %v", errs, res.Anomalies)
	}
}
