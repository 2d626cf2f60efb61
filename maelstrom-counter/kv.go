package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

// ErrPrecondition is a cas whose from did not match.
var ErrPrecondition = errors.New("precondition failed")

// KV is the part of Maelstrom's key/value protocol the counter uses, with
// integer values.
type KV struct{ kv node.KV }

// NewKV returns a KV speaking through call.
func NewKV(call node.KVCaller) KV { return KV{kv: node.NewKV(call)} }

// Read returns the key's value; found is false if the key does not exist.
func (kv KV) Read(ctx context.Context, key string) (value int64, found bool, err error) {
	raw, err := kv.kv.Read(ctx, key)
	if maelstrom.ErrorCode(err) == maelstrom.KeyDoesNotExist {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	var n *json.Number
	if err := json.Unmarshal(raw, &n); err != nil || n == nil {
		return 0, false, fmt.Errorf("value of %s is not a number: %s", key, raw)
	}
	v, err := n.Int64()
	if err != nil {
		return 0, false, fmt.Errorf("value of %s is not an integer: %s", key, raw)
	}
	return v, true, nil
}

// Write sets the key.
func (kv KV) Write(ctx context.Context, key string, value any) error {
	return kv.kv.Write(ctx, key, value)
}

// CAS sets the key to to if it holds from (or, with create, does not exist).
// A mismatch is ErrPrecondition.
func (kv KV) CAS(ctx context.Context, key string, from, to int64, create bool) error {
	err := kv.kv.CAS(ctx, key, from, to, create)
	if maelstrom.ErrorCode(err) == maelstrom.PreconditionFailed {
		return fmt.Errorf("%w: %v", ErrPrecondition, err)
	}
	return err
}
