package txnlistappend

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
	"gossip-glomers/internal/workload/txnrw"
)

// The generator is txn-rw-register's with appends for writes: reads carry
// null, and each key's appended elements are 1, 2, 3, ... in order.
func TestGeneratorAppendsUniqueElements(t *testing.T) {
	g := NewGenerator(&workload.Params{})
	rng := rand.New(rand.NewPCG(1, 2))
	last := map[string]int64{}
	reads, appends := 0, 0
	for range 5000 {
		op, ok := g.Next(0, 0, rng)
		if !ok || op.F != "txn" {
			t.Fatalf("op %+v", op)
		}
		for _, m := range op.Value.([]any) {
			mop := m.([]any)
			k := wire.Key(mop[1])
			switch mop[0] {
			case "r":
				reads++
				if mop[2] != nil {
					t.Fatalf("read with a value: %v", mop)
				}
			case "append":
				appends++
				v, _ := mop[2].(json.Number).Int64()
				if v != last[k]+1 {
					t.Fatalf("key %s: append %d after %d", k, v, last[k])
				}
				last[k] = v
			default:
				t.Fatalf("bad f in %v", mop)
			}
		}
	}
	if reads == 0 || appends == 0 {
		t.Fatalf("%d reads, %d appends", reads, appends)
	}
}

func TestParseReply(t *testing.T) {
	good := func() wire.Body {
		return wire.Body{"type": "txn_ok", "in_reply_to": json.Number("1"), "txn": []any{
			[]any{"r", json.Number("1"), []any{json.Number("3")}},
			[]any{"r", json.Number("2"), nil},
			[]any{"append", json.Number("1"), json.Number("4")},
		}}
	}
	if txn, err := ParseReply(good()); err != nil || len(txn) != 3 {
		t.Fatalf("%v %v", txn, err)
	}
	null := good()
	null["txn"] = nil
	if txn, err := ParseReply(null); err != nil || len(txn) != 0 {
		t.Fatalf("null txn: %v %v", txn, err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(wire.Body)
	}{
		{"extra key", func(b wire.Body) { b["extra"] = 1 }},
		{"missing txn", func(b wire.Body) { delete(b, "txn") }},
		{"wrong type", func(b wire.Body) { b["type"] = "txn" }},
		{"txn not a list", func(b wire.Body) { b["txn"] = "x" }},
		{"two-element mop", func(b wire.Body) { b["txn"] = []any{[]any{"r", json.Number("1")}} }},
		{"a write", func(b wire.Body) { b["txn"] = []any{[]any{"w", json.Number("1"), json.Number("2")}} }},
		{"a read of a number", func(b wire.Body) { b["txn"] = []any{[]any{"r", json.Number("1"), json.Number("2")}} }},
		{"a read of an object", func(b wire.Body) { b["txn"] = []any{[]any{"r", json.Number("1"), map[string]any{}}} }},
	} {
		b := good()
		tc.mutate(b)
		if _, err := ParseReply(b); err == nil {
			t.Errorf("%s: accepted %v", tc.name, b)
		}
	}
}

type fakeConn struct {
	reply wire.Body
	err   error
	sent  wire.Body
}

func (f *fakeConn) Name() string { return "c1" }
func (f *fakeConn) Call(_ context.Context, _ string, body wire.Body, _ time.Duration) (wire.Body, error) {
	f.sent = body
	return f.reply, f.err
}

// Maelstrom's error mapping with no idempotent f, and a reply that breaks
// the schema recorded as info.
func TestClient(t *testing.T) {
	req := []any{[]any{"r", json.Number("1"), nil}, []any{"append", json.Number("1"), json.Number("2")}}
	inv := history.Op{Type: history.Invoke, F: "txn", Value: req}
	okReply := wire.Body{"type": "txn_ok", "in_reply_to": json.Number("1"),
		"txn": []any{[]any{"r", json.Number("1"), []any{}}, []any{"append", json.Number("1"), json.Number("2")}}}
	for _, tc := range []struct {
		name  string
		conn  *fakeConn
		typ   history.Type
		error string
	}{
		{"ok", &fakeConn{reply: okReply}, history.OK, ""},
		{"timeout", &fakeConn{err: workload.ErrTimeout}, history.Info, "net-timeout"},
		{"txn-conflict", &fakeConn{err: &workload.RPCError{Code: 30, Text: "conflict"}}, history.Fail, "txn-conflict"},
		{"crash", &fakeConn{err: &workload.RPCError{Code: 13, Text: "boom"}}, history.Info, "crash"},
		{"schema", &fakeConn{reply: wire.Body{"type": "txn_ok", "in_reply_to": json.Number("1"),
			"txn": []any{[]any{"r", json.Number("1"), json.Number("5")}}}}, history.Info, "indeterminate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &txnrw.Client{Conn: tc.conn, Node: "n0", Parse: ParseReply}
			got := c.Invoke(context.Background(), inv)
			if got.Type != tc.typ {
				t.Fatalf("type %s, want %s (error %v)", got.Type, tc.typ, got.Error)
			}
			if tc.conn.sent["type"] != "txn" || tc.conn.sent["txn"] == nil {
				t.Fatalf("sent %v", tc.conn.sent)
			}
			if tc.error != "" && !strings.Contains(wire.Key(got.Error), tc.error) {
				t.Fatalf("error %v, want %s", got.Error, tc.error)
			}
			if tc.typ == history.OK && wire.Key(got.Value) != wire.Key(okReply["txn"]) {
				t.Fatalf("ok value %v, want the reply's txn", got.Value)
			}
			if tc.typ != history.OK && wire.Key(got.Value) != wire.Key(req) {
				t.Fatalf("a failed txn keeps its invocation value, got %v", got.Value)
			}
		})
	}
}
