// Command maelstrom-txn solves Gossip Glomers challenges 6a-6c (totally
// available transactions, read uncommitted then read committed): each node
// runs every transaction locally and atomically, and replicates each
// transaction's final writes to its peers in acknowledged batches with
// last-writer-wins versions (see store.go).
package main

import (
	"log"
	"sync/atomic"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

// tick is how often each peer is offered a replication batch.
const tick = 50 * time.Millisecond

type txnReq struct {
	Txn []MicroOp `json:"txn"`
}

func main() {
	n := node.New()
	var store atomic.Pointer[Store] // set at init, when the node list is known

	n.Handle("init", func(maelstrom.Message) error {
		s := NewStore(n.ID(), n.NodeIDs(), DefaultConfig)
		store.Store(s)
		go replicate(n, s)
		return nil
	})
	node.Handle(n, "txn", func(_ string, req txnReq) (any, error) {
		s := store.Load()
		if s == nil {
			return nil, maelstrom.NewRPCError(maelstrom.TemporarilyUnavailable, "not initialised yet")
		}
		return map[string]any{"type": "txn_ok", "txn": s.Txn(req.Txn)}, nil
	})
	node.Handle(n, "replicate", func(src string, b Batch) (any, error) {
		s := store.Load()
		if s == nil {
			return nil, nil // not initialised: the sender will re-send
		}
		ack, err := s.Receive(src, b)
		if err != nil {
			log.Printf("replicate from %s: %v", src, err)
			return nil, nil
		}
		if err := n.Send(src, ack); err != nil {
			log.Printf("ack to %s: %v", src, err)
		}
		return nil, nil
	})
	node.Handle(n, "replicate_ack", func(src string, a Ack) (any, error) {
		if s := store.Load(); s != nil {
			s.Acked(src, a.Upto)
		}
		return nil, nil
	})
	node.Main(n)
}

// replicate offers each peer its next batch on every tick, forever.
func replicate(n *node.Node, s *Store) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for now := range t.C {
		for _, p := range s.Peers() {
			if b := s.NextBatch(p, now); b != nil {
				if err := n.Send(p, b); err != nil {
					log.Printf("replicate to %s: %v", p, err)
				}
			}
		}
	}
}
