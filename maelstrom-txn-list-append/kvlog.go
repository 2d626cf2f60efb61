package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

// kvLog keeps the log in a key/value service: slot i is the key
// "txn-log-i".
type kvLog struct{ kv node.KV }

func slotKey(slot int) string { return "txn-log-" + strconv.Itoa(slot) }

// Claim creates the slot's key with e. The cas expects null, which no
// entry is, so it succeeds only while the key does not exist.
func (l kvLog) Claim(ctx context.Context, slot int, e Entry) (bool, error) {
	err := l.kv.CAS(ctx, slotKey(slot), nil, e, true)
	if maelstrom.ErrorCode(err) == maelstrom.PreconditionFailed {
		return false, nil
	}
	return err == nil, err
}

func (l kvLog) Read(ctx context.Context, slot int) (Entry, bool, error) {
	raw, err := l.kv.Read(ctx, slotKey(slot))
	if maelstrom.ErrorCode(err) == maelstrom.KeyDoesNotExist {
		return Entry{}, false, nil
	}
	if err != nil {
		return Entry{}, false, err
	}
	var e Entry
	if err := json.Unmarshal(raw, &e); err != nil {
		return Entry{}, false, fmt.Errorf("slot %d holds %s, not an entry: %v", slot, raw, err)
	}
	return e, true, nil
}
