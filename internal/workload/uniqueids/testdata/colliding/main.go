// Command colliding is a deliberately broken unique-ids node: each node
// counts from 0, so ids collide across nodes. The checker must catch it.
package main

import (
	"encoding/json"
	"sync/atomic"

	"gossip-glomers/internal/node"
)

func main() {
	n := node.New()
	var next atomic.Int64
	node.Handle(n, "generate", func(_ string, _ json.RawMessage) (any, error) {
		return map[string]any{"type": "generate_ok", "id": next.Add(1)}, nil
	})
	node.Main(n)
}
