// Command maelstrom-kafka solves Gossip Glomers challenges 5a-5c (a
// Kafka-style log) without coordination on the hot path: each node assigns
// offsets from its own disjoint sequence and acknowledges sends at once,
// replicates in batches on a ticker, and serves polls locally up to the
// watermarks its peers report (see log.go).
package main

import (
	"encoding/json"
	"log"
	"sync/atomic"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

type sendReq struct {
	Key string          `json:"key"`
	Msg json.RawMessage `json:"msg"`
}

type offsetsReq struct {
	Offsets map[string]int64 `json:"offsets"`
}

type listReq struct {
	Keys []string `json:"keys"`
}

func main() {
	n := node.New()
	var kafka atomic.Pointer[Log] // set at init, when the node list is known
	ready := func() (*Log, error) {
		if l := kafka.Load(); l != nil {
			return l, nil
		}
		return nil, maelstrom.NewRPCError(maelstrom.TemporarilyUnavailable, "not initialised yet")
	}

	n.Handle("init", func(maelstrom.Message) error {
		l := NewLog(n.ID(), n.NodeIDs(), DefaultConfig)
		kafka.Store(l)
		go func() {
			for range time.Tick(DefaultConfig.Interval) {
				for _, o := range l.Tick() {
					if err := n.Send(o.Dest, o.Body); err != nil {
						log.Printf("batch to %s: %v", o.Dest, err)
					}
				}
			}
		}()
		return nil
	})
	node.Handle(n, "send", func(_ string, req sendReq) (any, error) {
		l, err := ready()
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "send_ok", "offset": l.Send(req.Key, req.Msg)}, nil
	})
	node.Handle(n, "poll", func(_ string, req offsetsReq) (any, error) {
		l, err := ready()
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "poll_ok", "msgs": l.Poll(req.Offsets)}, nil
	})
	node.Handle(n, "commit_offsets", func(_ string, req offsetsReq) (any, error) {
		l, err := ready()
		if err != nil {
			return nil, err
		}
		l.Commit(req.Offsets)
		return map[string]any{"type": "commit_offsets_ok"}, nil
	})
	node.Handle(n, "list_committed_offsets", func(_ string, req listReq) (any, error) {
		l, err := ready()
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "list_committed_offsets_ok", "offsets": l.Committed(req.Keys)}, nil
	})
	node.Handle(n, "kafka_batch", func(src string, b Batch) (any, error) {
		if l := kafka.Load(); l != nil { // always: requests wait for init
			l.Receive(src, b)
		}
		return nil, nil // batches get no reply
	})
	node.Main(n)
}
