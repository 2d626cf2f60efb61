// Command maelstrom-g-set solves the g-set exercise of Maelstrom's tutorial
// (doc/04-crdts/01-g-set.md): a grow-only set, replicated as a delta-state
// CRDT gossiped between nodes on a ticker (see set.go). Reads and adds are
// answered from memory, so the set stays available through any partition.
// The flags exist for experiments; Maelstrom passes none.
package main

import (
	"encoding/json"
	"flag"
	"log"
	"sync/atomic"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

type addReq struct {
	Element json.RawMessage `json:"element"`
}

// readOK is written directly (not through Reply, which round-trips the body
// through float64) so that elements go back exactly as they came.
type readOK struct {
	Type      string            `json:"type"`
	InReplyTo int               `json:"in_reply_to"`
	Value     []json.RawMessage `json:"value"`
}

func main() {
	cfg := DefaultConfig
	flag.DurationVar(&cfg.Interval, "interval", cfg.Interval, "how often to gossip")
	flag.DurationVar(&cfg.Retry, "retry", cfg.Retry, "resend news a peer has not acknowledged after this long")
	flag.Parse()

	n := node.New()
	var set atomic.Pointer[Set] // set at init, when the node list is known
	ready := func() (*Set, error) {
		if s := set.Load(); s != nil {
			return s, nil
		}
		return nil, maelstrom.NewRPCError(maelstrom.TemporarilyUnavailable, "not initialised yet")
	}

	n.Handle("init", func(maelstrom.Message) error {
		s := NewSet(n.ID(), n.NodeIDs(), cfg)
		set.Store(s)
		go func() {
			for now := range time.Tick(cfg.Interval) {
				for _, o := range s.Tick(now) {
					if err := n.Send(o.Dest, o.Body); err != nil {
						log.Printf("send to %s: %v", o.Dest, err)
					}
				}
			}
		}()
		return nil
	})
	node.Handle(n, "add", func(_ string, req addReq) (any, error) {
		s, err := ready()
		if err != nil {
			return nil, err
		}
		if len(req.Element) == 0 {
			return nil, maelstrom.NewRPCError(maelstrom.MalformedRequest, "add needs an element")
		}
		s.Add(req.Element)
		return map[string]any{"type": "add_ok"}, nil
	})
	n.Handle("read", func(msg maelstrom.Message) error {
		s, err := ready()
		if err != nil {
			return err
		}
		var req maelstrom.MessageBody
		if err := json.Unmarshal(msg.Body, &req); err != nil {
			return maelstrom.NewRPCError(maelstrom.MalformedRequest, err.Error())
		}
		return n.Send(msg.Src, readOK{Type: "read_ok", InReplyTo: req.MsgID, Value: s.Read()})
	})
	node.Handle(n, "gossip", func(src string, m GossipBody) (any, error) {
		if s := set.Load(); s != nil {
			s.Receive(src, m)
		}
		return nil, nil // gossip is never answered directly: replies go out on the tick
	})
	node.Main(n)
}
