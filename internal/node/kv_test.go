package node

import (
	"context"
	"encoding/json"
	"testing"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"
)

func TestKV(t *testing.T) {
	var sent []map[string]any
	reply := func(raw string, err error) KVCaller {
		return func(_ context.Context, body map[string]any) (json.RawMessage, error) {
			sent = append(sent, body)
			return json.RawMessage(raw), err
		}
	}
	ctx := context.Background()

	v, err := NewKV(reply(`{"type":"read_ok","value":12345678901234567890}`, nil)).Read(ctx, "k")
	if err != nil || string(v) != "12345678901234567890" {
		t.Fatalf("read: %s, %v; want the exact number", v, err)
	}
	if _, err := NewKV(reply(``, maelstrom.NewRPCError(maelstrom.KeyDoesNotExist, "no"))).Read(ctx, "k"); maelstrom.ErrorCode(err) != maelstrom.KeyDoesNotExist {
		t.Fatalf("read of a missing key: %v, want error 20", err)
	}
	if _, err := NewKV(reply(`{"type":"write_ok"}`, nil)).Read(ctx, "k"); err == nil {
		t.Fatal("a read answered with write_ok was accepted")
	}
	if err := NewKV(reply(`{"type":"write_ok"}`, nil)).Write(ctx, "k", 1); err != nil {
		t.Fatalf("write: %v", err)
	}
	sent = nil
	if err := NewKV(reply(`{"type":"cas_ok"}`, nil)).CAS(ctx, "k", 1, 2, true); err != nil {
		t.Fatalf("cas: %v", err)
	}
	if b := sent[0]; b["type"] != "cas" || b["from"] != 1 || b["to"] != 2 || b["create_if_not_exists"] != true {
		t.Fatalf("cas request %v", b)
	}
	if err := NewKV(reply(``, maelstrom.NewRPCError(maelstrom.PreconditionFailed, "no"))).CAS(ctx, "k", 1, 2, false); maelstrom.ErrorCode(err) != maelstrom.PreconditionFailed {
		t.Fatalf("failed cas: %v, want error 22", err)
	}
}
