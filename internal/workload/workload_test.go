package workload

import (
	"errors"
	"fmt"
	"testing"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
)

func TestComplete(t *testing.T) {
	inv := history.Op{Type: history.Invoke, F: "cas", Value: "v"}
	for _, tc := range []struct {
		name       string
		err        error
		idempotent bool
		want       history.Type
		wantErr    any
	}{
		{"ok", nil, false, history.OK, nil},
		{"timeout", ErrTimeout, false, history.Info, "net-timeout"},
		{"timeout of an idempotent f", ErrTimeout, true, history.Fail, "net-timeout"},
		{"definite error", &RPCError{Code: 22, Text: "nope"}, false, history.Fail, []any{"precondition-failed", "nope"}},
		{"indefinite error", &RPCError{Code: 13, Text: "boom"}, false, history.Info, []any{"crash", "boom"}},
		{"indefinite error, idempotent f", &RPCError{Code: 0, Text: "t"}, true, history.Fail, []any{"timeout", "t"}},
		{"unknown code is indefinite", &RPCError{Code: 1001, Text: "x"}, false, history.Info, []any{"unknown", "x"}},
		{"schema violation", errors.New("disallowed key foo"), true, history.Info, "indeterminate: disallowed key foo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Complete(inv, "result", tc.err, tc.idempotent)
			if got.Type != tc.want || fmt.Sprint(got.Error) != fmt.Sprint(tc.wantErr) {
				t.Fatalf("got %s %v, want %s %v", got.Type, got.Error, tc.want, tc.wantErr)
			}
			if tc.err == nil && got.Value != "result" {
				t.Fatalf("ok value %v", got.Value)
			}
			if tc.err != nil && got.Value != "v" {
				t.Fatalf("a failed op keeps its invocation value, got %v", got.Value)
			}
		})
	}
}

func TestExpect(t *testing.T) {
	body := func(raw string) wire.Body {
		b, err := wire.DecodeBody([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		raw string
		ok  bool
	}{
		{`{"type":"echo_ok","in_reply_to":1,"echo":"x"}`, true},
		{`{"type":"echo_ok","in_reply_to":1,"msg_id":4,"echo":null}`, true},
		{`{"type":"echo_ok","in_reply_to":1}`, false},                      // missing echo
		{`{"type":"echo_ok","in_reply_to":1,"echo":"x","extra":2}`, false}, // closed schema
		{`{"type":"echo","in_reply_to":1,"echo":"x"}`, false},              // wrong type
		{`{"type":"echo_ok","in_reply_to":1.0,"echo":"x"}`, false},         // not an integer
		{`{"type":"echo_ok","in_reply_to":1,"msg_id":"a","echo":"x"}`, false},
	} {
		err := Expect(body(tc.raw), "echo_ok", "echo")
		if (err == nil) != tc.ok {
			t.Errorf("%s: err=%v, want ok=%v", tc.raw, err, tc.ok)
		}
	}
}
