package txnrw

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

func TestGeneratorShape(t *testing.T) {
	g := NewGenerator(&workload.Params{})
	rng := rand.New(rand.NewPCG(1, 2))
	lengths := map[int]int{}
	keyPicks := map[string]int{}
	last := map[string]int64{}
	reads, writes := 0, 0
	for range 20000 {
		op, ok := g.Next(0, 0, rng)
		if !ok || op.F != "txn" {
			t.Fatalf("op %+v", op)
		}
		txn := op.Value.([]any)
		lengths[len(txn)]++
		for _, m := range txn {
			mop := m.([]any)
			k := string(mop[1].(json.Number))
			keyPicks[k]++
			switch mop[0] {
			case "r":
				reads++
				if mop[2] != nil {
					t.Fatalf("read with a value: %v", mop)
				}
			case "w":
				writes++
				v, _ := mop[2].(json.Number).Int64()
				if v != last[k]+1 {
					t.Fatalf("key %s: write %d after %d", k, v, last[k])
				}
				if v > defaultMaxWritesPerKey {
					t.Fatalf("key %s written %d times", k, v)
				}
				last[k] = v
			default:
				t.Fatalf("bad f in %v", mop)
			}
		}
	}
	for n := range lengths {
		if n < 1 || n > defaultMaxTxnLength {
			t.Fatalf("txn length %d", n)
		}
	}
	for n := 1; n <= defaultMaxTxnLength; n++ {
		if lengths[n] < 4000 || lengths[n] > 6000 {
			t.Errorf("length %d drawn %d times of 20000, want about 5000", n, lengths[n])
		}
	}
	if r := float64(reads) / float64(reads+writes); r < 0.45 || r > 0.55 {
		t.Errorf("read fraction %.3f", r)
	}
	// Keys retire after 16 writes, so far more than 10 keys appear, and
	// every retired key was written exactly 16 times.
	if len(keyPicks) < 100 {
		t.Errorf("only %d keys used", len(keyPicks))
	}
	retired := 0
	for _, k := range g.keys.Active() {
		delete(last, wire.Key(num(k)))
	}
	for k, v := range last {
		if v != defaultMaxWritesPerKey {
			t.Errorf("retired key %s had %d writes", k, v)
		}
		retired++
	}
	if retired == 0 {
		t.Error("no key was retired")
	}
}

func TestParseReply(t *testing.T) {
	good := func() wire.Body {
		return wire.Body{"type": "txn_ok", "in_reply_to": json.Number("1"),
			"txn": []any{[]any{"r", json.Number("1"), json.Number("3")}, []any{"w", json.Number("1"), json.Number("4")}}}
	}
	if txn, err := ParseReply(good()); err != nil || len(txn) != 2 {
		t.Fatalf("%v %v", txn, err)
	}
	null := good()
	null["txn"] = nil
	if txn, err := ParseReply(null); err != nil || len(txn) != 0 {
		t.Fatalf("null txn: %v %v", txn, err)
	}
	for name, mutate := range map[string]func(wire.Body){
		"extra key":       func(b wire.Body) { b["extra"] = 1 },
		"missing txn":     func(b wire.Body) { delete(b, "txn") },
		"wrong type":      func(b wire.Body) { b["type"] = "txn" },
		"txn not a list":  func(b wire.Body) { b["txn"] = "x" },
		"two-element mop": func(b wire.Body) { b["txn"] = []any{[]any{"r", json.Number("1")}} },
		"bad f":           func(b wire.Body) { b["txn"] = []any{[]any{"append", json.Number("1"), nil}} },
		"float msg_id":    func(b wire.Body) { b["msg_id"] = json.Number("1.5") },
	} {
		b := good()
		mutate(b)
		if _, err := ParseReply(b); err == nil {
			t.Errorf("%s: accepted %v", name, b)
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

func TestClient(t *testing.T) {
	req := []any{[]any{"r", json.Number("1"), nil}, []any{"w", json.Number("1"), json.Number("2")}}
	inv := history.Op{Type: history.Invoke, F: "txn", Value: req}
	okReply := wire.Body{"type": "txn_ok", "in_reply_to": json.Number("1"),
		"txn": []any{[]any{"r", json.Number("1"), nil}, []any{"w", json.Number("1"), json.Number("2")}}}
	for _, tc := range []struct {
		name  string
		conn  *fakeConn
		typ   history.Type
		error string
	}{
		{"ok", &fakeConn{reply: okReply}, history.OK, ""},
		{"timeout", &fakeConn{err: workload.ErrTimeout}, history.Info, "net-timeout"},
		{"txn-conflict", &fakeConn{err: &workload.RPCError{Code: 30, Text: "abort"}}, history.Fail, "txn-conflict"},
		{"crash", &fakeConn{err: &workload.RPCError{Code: 13, Text: "boom"}}, history.Info, "crash"},
		{"schema", &fakeConn{reply: wire.Body{"type": "txn_ok", "in_reply_to": json.Number("1")}}, history.Info, "indeterminate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Client{Conn: tc.conn, Node: "n0", Parse: ParseReply}
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
			if tc.typ != history.OK && wire.Key(got.Value) != wire.Key(req) {
				t.Fatalf("a failed txn keeps its invocation value, got %v", got.Value)
			}
		})
	}
}
