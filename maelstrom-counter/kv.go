package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

// Caller sends one request body to a key/value service and returns the
// reply body; an error reply comes back as *maelstrom.RPCError.
type Caller func(ctx context.Context, body map[string]any) (json.RawMessage, error)

// ServiceCaller calls the named Maelstrom service from node n with a timeout.
func ServiceCaller(n *node.Node, service string, timeout time.Duration) Caller {
	return func(ctx context.Context, body map[string]any) (json.RawMessage, error) {
		m, err := n.Call(ctx, service, body, timeout)
		return m.Body, err
	}
}

// ErrPrecondition is a cas whose from did not match.
var ErrPrecondition = errors.New("precondition failed")

// KV is the part of Maelstrom's key/value protocol the counter uses, with
// integer values.
type KV struct{ call Caller }

// Read returns the key's value; found is false if the key does not exist.
func (kv KV) Read(ctx context.Context, key string) (value int64, found bool, err error) {
	raw, err := kv.call(ctx, map[string]any{"type": "read", "key": key})
	if maelstrom.ErrorCode(err) == maelstrom.KeyDoesNotExist {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	var reply struct {
		Type  string       `json:"type"`
		Value *json.Number `json:"value"`
	}
	if err := json.Unmarshal(raw, &reply); err != nil || reply.Type != "read_ok" || reply.Value == nil {
		return 0, false, fmt.Errorf("unexpected read reply %s", raw)
	}
	v, err := reply.Value.Int64()
	if err != nil {
		return 0, false, fmt.Errorf("value of %s is not an integer: %s", key, raw)
	}
	return v, true, nil
}

// Write sets the key.
func (kv KV) Write(ctx context.Context, key string, value any) error {
	return kv.expect(ctx, "write_ok", map[string]any{"type": "write", "key": key, "value": value})
}

// CAS sets the key to to if it holds from (or, with create, does not exist).
// A mismatch is ErrPrecondition.
func (kv KV) CAS(ctx context.Context, key string, from, to int64, create bool) error {
	err := kv.expect(ctx, "cas_ok", map[string]any{
		"type": "cas", "key": key, "from": from, "to": to, "create_if_not_exists": create,
	})
	if maelstrom.ErrorCode(err) == maelstrom.PreconditionFailed {
		return fmt.Errorf("%w: %v", ErrPrecondition, err)
	}
	return err
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

// NewKV returns a KV speaking through call.
func NewKV(call Caller) KV { return KV{call: call} }
