// Command maelstrom-counter solves Gossip Glomers challenge 4 (grow-only
// counter): a G-counter whose per-node totals are committed to seq-kv
// (pending adds grouped into one cas) and gossiped between nodes (see
// counter.go). Maelstrom
// passes no arguments; the flags exist for the benchmark sweep and default
// to the best setting.
package main

import (
	"context"
	"flag"
	"log"
	"sync/atomic"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

// kvTimeout bounds each seq-kv request.
const kvTimeout = time.Second

type addReq struct {
	Delta int64 `json:"delta"`
}

type gossipReq struct {
	Counts Counts `json:"counts"`
}

func main() {
	cfg := DefaultConfig
	flag.DurationVar(&cfg.CommitGap, "commit-gap", cfg.CommitGap, "least time between two cas; adds meanwhile share the next")
	flag.DurationVar(&cfg.Gossip, "gossip", cfg.Gossip, "how often totals go to peers")
	flag.Parse()

	n := node.New()
	var counter atomic.Pointer[Counter] // set at init, when the node list is known
	send := func(o Outgoing) {
		if err := n.Send(o.Dest, o.Body); err != nil {
			log.Printf("send to %s: %v", o.Dest, err)
		}
	}
	ready := func() (*Counter, error) {
		if c := counter.Load(); c != nil {
			return c, nil
		}
		return nil, maelstrom.NewRPCError(maelstrom.TemporarilyUnavailable, "not initialised yet")
	}

	n.Handle("init", func(maelstrom.Message) error {
		store := NewKV(node.ServiceCaller(n, "seq-kv", kvTimeout))
		c := NewCounter(n.ID(), n.NodeIDs(), store, cfg, time.Now())
		counter.Store(c)
		c.Run(context.Background(), send)
		return nil
	})
	node.Handle(n, "add", func(_ string, req addReq) (any, error) {
		c, err := ready()
		if err != nil {
			return nil, err
		}
		if req.Delta < 0 {
			return nil, maelstrom.NewRPCError(maelstrom.MalformedRequest, "a grow-only counter takes no negative delta")
		}
		if err := c.Add(context.Background(), req.Delta); err != nil {
			log.Printf("add %d: %v; not replying (it stays pending)", req.Delta, err)
			return nil, nil
		}
		return map[string]any{"type": "add_ok"}, nil
	})
	node.Handle(n, "read", func(string, struct{}) (any, error) {
		c, err := ready()
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "read_ok", "value": c.Value()}, nil
	})
	node.Handle(n, "gossip", func(src string, req gossipReq) (any, error) {
		if c := counter.Load(); c != nil { // always: requests wait for init
			c.HandleGossip(src, req.Counts)
		}
		return nil, nil // gossip gets no reply
	})
	node.Main(n)
}
