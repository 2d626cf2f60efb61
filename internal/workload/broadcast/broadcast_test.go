package broadcast

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
)

// fakeConn answers every call with a canned reply (decoded from JSON) or error.
type fakeConn struct {
	reply string
	err   error
	calls []call
}

type call struct {
	dest    string
	body    wire.Body
	timeout time.Duration
}

func (c *fakeConn) Name() string { return "c9" }

func (c *fakeConn) Call(_ context.Context, dest string, body wire.Body, timeout time.Duration) (wire.Body, error) {
	c.calls = append(c.calls, call{dest, body, timeout})
	if c.err != nil {
		return nil, c.err
	}
	return wire.DecodeBody([]byte(c.reply))
}

func TestClient(t *testing.T) {
	tests := []struct {
		name      string
		f         string
		value     any
		reply     string
		err       error
		wantType  history.Type
		wantValue any
		wantError string // substring of the error field, "" for none
	}{
		{"broadcast ok", "broadcast", int64(3), `{"type":"broadcast_ok","in_reply_to":1}`, nil,
			history.OK, int64(3), ""},
		{"broadcast ok with msg_id", "broadcast", int64(3), `{"type":"broadcast_ok","in_reply_to":1,"msg_id":7}`, nil,
			history.OK, int64(3), ""},
		{"broadcast extra key", "broadcast", int64(3), `{"type":"broadcast_ok","in_reply_to":1,"messages":[]}`, nil,
			history.Info, int64(3), "indeterminate"},
		{"broadcast wrong type", "broadcast", int64(3), `{"type":"read_ok","in_reply_to":1}`, nil,
			history.Info, int64(3), "indeterminate"},
		{"broadcast float msg_id", "broadcast", int64(3), `{"type":"broadcast_ok","in_reply_to":1,"msg_id":1.5}`, nil,
			history.Info, int64(3), "indeterminate"},
		{"broadcast timeout is info", "broadcast", int64(3), "", workload.ErrTimeout,
			history.Info, int64(3), "net-timeout"},
		{"broadcast definite error is fail", "broadcast", int64(3), "",
			&workload.RPCError{Code: wire.CodeTemporarilyUnavailable, Text: "busy"},
			history.Fail, int64(3), ""},
		{"broadcast crash error is info", "broadcast", int64(3), "",
			&workload.RPCError{Code: wire.CodeCrash, Text: "boom"},
			history.Info, int64(3), ""},
		{"read ok", "read", nil, `{"type":"read_ok","in_reply_to":1,"messages":[1,2]}`, nil,
			history.OK, []any{json.Number("1"), json.Number("2")}, ""},
		{"read null messages", "read", nil, `{"type":"read_ok","in_reply_to":1,"messages":null}`, nil,
			history.OK, nil, ""},
		{"read missing messages", "read", nil, `{"type":"read_ok","in_reply_to":1}`, nil,
			history.Info, nil, "missing required key"},
		{"read messages not a list", "read", nil, `{"type":"read_ok","in_reply_to":1,"messages":{"a":1}}`, nil,
			history.Info, nil, "not a sequence"},
		{"read extra key", "read", nil, `{"type":"read_ok","in_reply_to":1,"messages":[],"value":[]}`, nil,
			history.Info, nil, "disallowed key"},
		{"read timeout is fail", "read", nil, "", workload.ErrTimeout,
			history.Fail, nil, "net-timeout"},
		{"read indefinite error is fail", "read", nil, "",
			&workload.RPCError{Code: wire.CodeCrash, Text: "boom"},
			history.Fail, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := &fakeConn{reply: tt.reply, err: tt.err}
			c := New().NewClient(&workload.Params{}, conn, "n2")
			op := history.Op{Type: history.Invoke, F: tt.f, Value: tt.value, Process: 4}
			got := c.Invoke(context.Background(), op)
			if got.Type != tt.wantType || !reflect.DeepEqual(got.Value, tt.wantValue) {
				t.Errorf("got %s %#v (error %v), want %s %#v", got.Type, got.Value, got.Error, tt.wantType, tt.wantValue)
			}
			if tt.wantError != "" && !strings.Contains(wire.Key(got.Error), tt.wantError) {
				t.Errorf("error %v, want it to mention %q", got.Error, tt.wantError)
			}
			if len(conn.calls) != 1 || conn.calls[0].dest != "n2" || conn.calls[0].timeout != 5*time.Second {
				t.Fatalf("calls %v", conn.calls)
			}
			want := wire.Body{"type": tt.f}
			if tt.f == "broadcast" {
				want["message"] = tt.value
			}
			if !reflect.DeepEqual(conn.calls[0].body, want) {
				t.Errorf("sent %v, want %v", conn.calls[0].body, want)
			}
		})
	}
}

func TestSetup(t *testing.T) {
	p := &workload.Params{Nodes: names(5), Topology: "tree2"}
	conn := &fakeConn{reply: `{"type":"topology_ok","in_reply_to":1}`}
	if err := New().Setup(context.Background(), p, "n3", conn); err != nil {
		t.Fatal(err)
	}
	want, _ := Topology("tree2", names(5))
	if len(conn.calls) != 1 || conn.calls[0].dest != "n3" || conn.calls[0].body["type"] != "topology" ||
		!reflect.DeepEqual(conn.calls[0].body["topology"], want) || conn.calls[0].timeout != 5*time.Second {
		t.Fatalf("sent %v", conn.calls)
	}

	for name, c := range map[string]*fakeConn{
		"timeout":     {err: workload.ErrTimeout},
		"error reply": {err: &workload.RPCError{Code: wire.CodeNotSupported}},
		"wrong type":  {reply: `{"type":"init_ok","in_reply_to":1}`},
		"extra key":   {reply: `{"type":"topology_ok","in_reply_to":1,"topology":{}}`},
	} {
		if err := New().Setup(context.Background(), p, "n3", c); err == nil {
			t.Errorf("%s: setup succeeded", name)
		}
	}
	if err := New().Setup(context.Background(), &workload.Params{Nodes: names(2), Topology: "ring"}, "n0",
		&fakeConn{reply: `{"type":"topology_ok","in_reply_to":1}`}); err == nil {
		t.Error("unknown topology accepted")
	}
}

func TestGenerator(t *testing.T) {
	g := New().NewGenerator(&workload.Params{})
	rng := rand.New(rand.NewPCG(1, 2))
	var next int64
	reads := 0
	const n = 10000
	for i := 0; i < n; i++ {
		op, ok := g.Next(i%5, time.Duration(i)*time.Millisecond, rng)
		if !ok {
			t.Fatal("main phase generator ran dry")
		}
		switch op.F {
		case "broadcast":
			if op.Value != next {
				t.Fatalf("broadcast value %v, want %d", op.Value, next)
			}
			next++
		case "read":
			reads++
			if op.Value != nil || op.Final {
				t.Fatalf("main read %+v", op)
			}
		default:
			t.Fatalf("unexpected op %+v", op)
		}
	}
	if reads < n*45/100 || reads > n*55/100 {
		t.Errorf("%d reads of %d ops: not a 50/50 mix", reads, n)
	}

	fp, ok := g.(workload.FinalPhase)
	if !ok {
		t.Fatal("generator has no final phase")
	}
	for thread := 0; thread < 3; thread++ {
		op, ok := fp.NextFinal(thread, 0, rng)
		if !ok || op.F != "read" || !op.Final {
			t.Fatalf("thread %d final op %+v %v", thread, op, ok)
		}
		if op, ok := fp.NextFinal(thread, time.Second, rng); ok {
			t.Fatalf("thread %d got a second final op %+v", thread, op)
		}
	}
}

func TestWorkloadShape(t *testing.T) {
	w := New()
	if w.Name != "broadcast" || w.ReusableClient || w.Setup == nil || w.Check == nil {
		t.Fatalf("workload %+v", w)
	}
	// Check goes through to the set-full checker.
	h := (&hb{}).bcast(0, 0, 0).read(10, 1).read(20, 1).done()
	if r := w.Check(&workload.Params{}, h); len(r.Anomalies) != 1 || r.Anomalies[0] != "lost" {
		t.Errorf("check %+v", r)
	}
}
