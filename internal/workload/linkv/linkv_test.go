package linkv

import (
	"context"
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
	calls []wire.Body
	waits []time.Duration
}

func (c *fakeConn) Name() string { return "c3" }

func (c *fakeConn) Call(_ context.Context, _ string, body wire.Body, timeout time.Duration) (wire.Body, error) {
	c.calls = append(c.calls, body)
	c.waits = append(c.waits, timeout)
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
		wantBody  string
		wantType  history.Type
		wantValue any
		wantError string // substring of the error field, "" for none
	}{
		{name: "read", f: "read", value: kv(2, nil),
			reply:    `{"type":"read_ok","value":4,"in_reply_to":1}`,
			wantBody: `{"key":2,"type":"read"}`, wantType: history.OK, wantValue: kv(2, n(4))},
		{name: "a read of null is ok", f: "read", value: kv(2, nil),
			reply:    `{"type":"read_ok","value":null,"in_reply_to":1}`,
			wantBody: `{"key":2,"type":"read"}`, wantType: history.OK, wantValue: kv(2, nil)},
		{name: "write", f: "write", value: kv(2, n(3)),
			reply:    `{"type":"write_ok","in_reply_to":1}`,
			wantBody: `{"key":2,"type":"write","value":3}`, wantType: history.OK, wantValue: kv(2, n(3))},
		{name: "cas", f: "cas", value: kv(2, cas(3, 4)),
			reply:    `{"type":"cas_ok","in_reply_to":1,"msg_id":7}`,
			wantBody: `{"from":3,"key":2,"to":4,"type":"cas"}`, wantType: history.OK, wantValue: kv(2, cas(3, 4))},
		{name: "a timed out read did not happen: read is idempotent", f: "read", value: kv(2, nil),
			err:      workload.ErrTimeout,
			wantBody: `{"key":2,"type":"read"}`, wantType: history.Fail, wantValue: kv(2, nil), wantError: "net-timeout"},
		{name: "a timed out write may have happened", f: "write", value: kv(2, n(3)),
			err:      workload.ErrTimeout,
			wantBody: `{"key":2,"type":"write","value":3}`, wantType: history.Info, wantValue: kv(2, n(3)), wantError: "net-timeout"},
		{name: "precondition-failed is definite", f: "cas", value: kv(2, cas(3, 4)),
			err:      &workload.RPCError{Code: wire.CodePreconditionFailed, Text: "expected 3"},
			wantBody: `{"from":3,"key":2,"to":4,"type":"cas"}`, wantType: history.Fail, wantValue: kv(2, cas(3, 4)), wantError: "precondition-failed"},
		{name: "crash is indefinite", f: "cas", value: kv(2, cas(3, 4)),
			err:      &workload.RPCError{Code: wire.CodeCrash, Text: "boom"},
			wantBody: `{"from":3,"key":2,"to":4,"type":"cas"}`, wantType: history.Info, wantValue: kv(2, cas(3, 4)), wantError: "crash"},
		{name: "a read_ok without value breaks the schema", f: "read", value: kv(2, nil),
			reply:    `{"type":"read_ok","in_reply_to":1}`,
			wantBody: `{"key":2,"type":"read"}`, wantType: history.Info, wantValue: kv(2, nil), wantError: "missing required key"},
		{name: "a write_ok with a value breaks the schema", f: "write", value: kv(2, n(3)),
			reply:    `{"type":"write_ok","value":3,"in_reply_to":1}`,
			wantBody: `{"key":2,"type":"write","value":3}`, wantType: history.Info, wantValue: kv(2, n(3)), wantError: "disallowed key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := &fakeConn{reply: tt.reply, err: tt.err}
			c := New().NewClient(&workload.Params{Latency: 250 * time.Millisecond}, conn, "n1")
			done := c.Invoke(context.Background(), history.Op{Type: history.Invoke, F: tt.f, Value: tt.value})
			if len(conn.calls) != 1 || string(wire.Marshal(conn.calls[0])) != tt.wantBody {
				t.Fatalf("sent %v, want %s", conn.calls, tt.wantBody)
			}
			if conn.waits[0] != 2500*time.Millisecond {
				t.Errorf("timeout %v, want 10 x the 250 ms latency", conn.waits[0])
			}
			if done.Type != tt.wantType || !wire.Equal(done.Value, tt.wantValue) {
				t.Errorf("completed %s %v, want %s %v", done.Type, done.Value, tt.wantType, tt.wantValue)
			}
			errText, _ := done.Error.(string)
			if list, ok := done.Error.([]any); ok {
				errText, _ = list[0].(string)
			}
			if (tt.wantError == "") != (done.Error == nil) || !strings.Contains(errText, tt.wantError) {
				t.Errorf("error %v, want %q", done.Error, tt.wantError)
			}
		})
	}
}

func TestRPCTimeout(t *testing.T) {
	for latency, want := range map[time.Duration]time.Duration{
		0:                      time.Second,
		50 * time.Millisecond:  time.Second,
		100 * time.Millisecond: time.Second,
		300 * time.Millisecond: 3 * time.Second,
	} {
		if got := RPCTimeout(latency); got != want {
			t.Errorf("latency %v: timeout %v, want %v", latency, got, want)
		}
	}
}
