// Command maelstrom-unique-ids solves Gossip Glomers challenge 2: every node
// hands out globally unique Snowflake ids without talking to any other node,
// so it stays totally available under partitions.
package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync/atomic"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

type generateReply struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

func main() {
	n := node.New()
	var ids atomic.Pointer[Snowflake]

	n.Handle("init", func(msg maelstrom.Message) error {
		index := slices.Index(n.NodeIDs(), n.ID())
		if index < 0 {
			return fmt.Errorf("node %s is not in node_ids %v", n.ID(), n.NodeIDs())
		}
		s, err := NewSnowflake(index)
		if err != nil {
			return err
		}
		ids.Store(s)
		return nil
	})
	node.Handle(n, "generate", func(_ string, _ json.RawMessage) (any, error) {
		s := ids.Load()
		if s == nil {
			return nil, maelstrom.NewRPCError(maelstrom.TemporarilyUnavailable, "not initialised yet")
		}
		id, err := s.NextString()
		if err != nil {
			return nil, err
		}
		return generateReply{Type: "generate_ok", ID: id}, nil
	})
	node.Main(n)
}
