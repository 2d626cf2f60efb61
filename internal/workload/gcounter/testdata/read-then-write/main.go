// Command read-then-write is a deliberately broken g-counter for the
// end-to-end tests: every node keeps the counter in one seq-kv key and adds
// by reading it, adding, and writing the sum back, with no cas. Concurrent
// adds overwrite each other, and seq-kv may serve the read from a stale
// state, so acknowledged adds get lost and the final reads fall short.
package main

import (
	"context"
	"encoding/json"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

const key = "counter"

func main() {
	n := node.New()
	kv := node.NewKV(node.ServiceCaller(n, "seq-kv", time.Second))
	ctx := context.Background()
	read := func() (int64, error) {
		raw, err := kv.Read(ctx, key)
		if maelstrom.ErrorCode(err) == maelstrom.KeyDoesNotExist {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		var v int64
		err = json.Unmarshal(raw, &v)
		return v, err
	}
	node.Handle(n, "add", func(_ string, req struct {
		Delta int64 `json:"delta"`
	}) (any, error) {
		v, err := read()
		if err != nil {
			return nil, err
		}
		if err := kv.Write(ctx, key, v+req.Delta); err != nil {
			return nil, err
		}
		return map[string]any{"type": "add_ok"}, nil
	})
	node.Handle(n, "read", func(string, struct{}) (any, error) {
		v, err := read()
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "read_ok", "value": v}, nil
	})
	node.Main(n)
}
