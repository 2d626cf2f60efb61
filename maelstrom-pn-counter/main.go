// Command maelstrom-pn-counter solves the pn-counter exercise of Maelstrom's
// tutorial (doc/04-crdts/02-counters.md): a state-based PN-counter, gossiped
// between nodes on a ticker (see counter.go). Reads and adds are answered
// from memory, so the counter stays available through any partition. The
// flags exist for experiments; Maelstrom passes none.
package main

import (
	"flag"
	"log"
	"sync/atomic"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

type addReq struct {
	Delta int64 `json:"delta"`
}

func main() {
	cfg := DefaultConfig
	flag.DurationVar(&cfg.Interval, "interval", cfg.Interval, "how often to gossip")
	flag.DurationVar(&cfg.Retry, "retry", cfg.Retry, "resend news a peer has not acknowledged after this long")
	flag.Parse()

	n := node.New()
	var counter atomic.Pointer[Counter] // set at init, when the node list is known
	ready := func() (*Counter, error) {
		if c := counter.Load(); c != nil {
			return c, nil
		}
		return nil, maelstrom.NewRPCError(maelstrom.TemporarilyUnavailable, "not initialised yet")
	}

	n.Handle("init", func(maelstrom.Message) error {
		c := NewCounter(n.ID(), n.NodeIDs(), cfg)
		counter.Store(c)
		go func() {
			for now := range time.Tick(cfg.Interval) {
				for _, o := range c.Tick(now) {
					if err := n.Send(o.Dest, o.Body); err != nil {
						log.Printf("send to %s: %v", o.Dest, err)
					}
				}
			}
		}()
		return nil
	})
	node.Handle(n, "add", func(_ string, req addReq) (any, error) {
		c, err := ready()
		if err != nil {
			return nil, err
		}
		if err := c.Add(req.Delta); err != nil {
			return nil, maelstrom.NewRPCError(maelstrom.MalformedRequest, err.Error())
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
	node.Handle(n, "gossip", func(src string, m GossipBody) (any, error) {
		if c := counter.Load(); c != nil {
			c.Receive(src, m)
		}
		return nil, nil // gossip is never answered directly: replies go out on the tick
	})
	node.Main(n)
}
