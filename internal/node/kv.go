package node

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// KVCaller sends one request body to a key/value service and returns the
// reply body; an error reply comes back as *maelstrom.RPCError.
type KVCaller func(ctx context.Context, body map[string]any) (json.RawMessage, error)

// ServiceCaller calls the named Maelstrom service (seq-kv, lin-kv, lww-kv)
// from node n, each request with the given timeout.
func ServiceCaller(n *Node, service string, timeout time.Duration) KVCaller {
	return func(ctx context.Context, body map[string]any) (json.RawMessage, error) {
		m, err := n.Call(ctx, service, body, timeout)
		return m.Body, err
	}
}

// KV speaks Maelstrom's key/value protocol (read, write, cas). Unlike the
// library's KV it keeps values as raw JSON, so numbers stay exact, and it
// does not leak a goroutine when a request times out. Error replies are
// returned as *maelstrom.RPCError for the caller to judge by code.
type KV struct{ call KVCaller }

// NewKV returns a KV speaking through call (tests pass a fake).
func NewKV(call KVCaller) KV { return KV{call: call} }

// Read returns the key's value. A missing key is the error reply
// key-does-not-exist (20).
func (kv KV) Read(ctx context.Context, key string) (json.RawMessage, error) {
	raw, err := kv.call(ctx, map[string]any{"type": "read", "key": key})
	if err != nil {
		return nil, err
	}
	var reply struct {
		Type  string          `json:"type"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &reply); err != nil || reply.Type != "read_ok" {
		return nil, fmt.Errorf("unexpected read reply %s", raw)
	}
	return reply.Value, nil
}

// Write sets the key.
func (kv KV) Write(ctx context.Context, key string, value any) error {
	return kv.expect(ctx, "write_ok", map[string]any{"type": "write", "key": key, "value": value})
}

// CAS sets the key to to if it holds from (or, with create, does not
// exist); a mismatch is precondition-failed (22), a missing key without
// create key-does-not-exist (20).
func (kv KV) CAS(ctx context.Context, key string, from, to any, create bool) error {
	return kv.expect(ctx, "cas_ok", map[string]any{
		"type": "cas", "key": key, "from": from, "to": to, "create_if_not_exists": create,
	})
}

func (kv KV) expect(ctx context.Context, typ string, body map[string]any) error {
	raw, err := kv.call(ctx, body)
	if err != nil {
		return err
	}
	var reply struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &reply); err != nil || reply.Type != typ {
		return fmt.Errorf("unexpected %s reply %s", body["type"], raw)
	}
	return nil
}
