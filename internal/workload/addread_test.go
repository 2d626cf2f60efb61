package workload

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
)

// replyConn answers every call with one reply (or error), recording the request.
type replyConn struct {
	reply wire.Body
	err   error
	sent  wire.Body
}

func (c *replyConn) Name() string { return "c0" }

func (c *replyConn) Call(_ context.Context, _ string, body wire.Body, _ time.Duration) (wire.Body, error) {
	c.sent = body
	return c.reply, c.err
}

func TestAddRead(t *testing.T) {
	ok := func(typ string, fields ...any) wire.Body {
		b := wire.Body{"type": typ, "in_reply_to": json.Number("1")} // as decoded off the wire
		for i := 0; i+1 < len(fields); i += 2 {
			b[fields[i].(string)] = fields[i+1]
		}
		return b
	}
	asInt := func(v any) (any, error) {
		n, isInt := wire.Int(v)
		if !isInt {
			return nil, errors.New("not an integer")
		}
		return n, nil
	}
	for _, tc := range []struct {
		name      string
		op        history.Op
		reply     wire.Body
		err       error
		wantSent  wire.Body
		wantType  history.Type
		wantValue any
	}{
		{"an ok add keeps its value", history.Op{F: "add", Value: int64(3)}, ok("add_ok"), nil,
			wire.Body{"type": "add", "delta": int64(3)}, history.OK, int64(3)},
		{"an add that times out is info", history.Op{F: "add", Value: int64(3)}, nil, ErrTimeout,
			wire.Body{"type": "add", "delta": int64(3)}, history.Info, int64(3)},
		{"an error reply is info, never fail", history.Op{F: "add", Value: int64(3)}, nil, &RPCError{Code: wire.CodeTemporarilyUnavailable},
			wire.Body{"type": "add", "delta": int64(3)}, history.Info, int64(3)},
		{"an add_ok with extra keys breaks the schema", history.Op{F: "add", Value: int64(3)}, ok("add_ok", "x", 1), nil,
			wire.Body{"type": "add", "delta": int64(3)}, history.Info, int64(3)},
		{"an ok read takes ReadValue's value", history.Op{F: "read"}, ok("read_ok", "value", json.Number("7")), nil,
			wire.Body{"type": "read"}, history.OK, int64(7)},
		{"a read value ReadValue refuses is info", history.Op{F: "read"}, ok("read_ok", "value", "seven"), nil,
			wire.Body{"type": "read"}, history.Info, nil},
		{"a read_ok without a value is info", history.Op{F: "read"}, ok("read_ok"), nil,
			wire.Body{"type": "read"}, history.Info, nil},
		{"an unknown op is info, sent nowhere", history.Op{F: "cas"}, nil, nil,
			nil, history.Info, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := &replyConn{reply: tc.reply, err: tc.err}
			c := &AddRead{Conn: conn, Node: "n0", AddField: "delta", ReadValue: asInt, Timeout: time.Second}
			got := c.Invoke(context.Background(), tc.op)
			if got.Type != tc.wantType || !wire.Equal(got.Value, tc.wantValue) {
				t.Errorf("completed %v %v, want %v %v", got.Type, got.Value, tc.wantType, tc.wantValue)
			}
			if !wire.Equal(map[string]any(conn.sent), map[string]any(tc.wantSent)) {
				t.Errorf("sent %v, want %v", conn.sent, tc.wantSent)
			}
		})
	}
}
