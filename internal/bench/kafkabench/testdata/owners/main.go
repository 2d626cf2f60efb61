// Command owners is the previous maelstrom-kafka design, kept only as
// bench-kafka's comparison point (maelstrom-kafka replaced it): each key has
// an owner node that assigns its offsets and replicates to the others before
// acknowledging, with lin-kv used only to hand keys over when a partition
// cuts an owner off (see log.go). Its unit tests still run with
// `go test ./internal/bench/kafkabench/testdata/owners`.
package main

import (
	"context"
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

type pollReq struct {
	Offsets map[string]int64 `json:"offsets"`
}

type commitReq struct {
	Offsets map[string]int64 `json:"offsets"`
}

type listReq struct {
	Keys []string `json:"keys"`
}

// transport is the node's network as the broker sees it.
type transport struct{ n *node.Node }

func (t transport) RPC(ctx context.Context, dest string, body any, timeout time.Duration) (json.RawMessage, error) {
	m, err := t.n.Call(ctx, dest, body, timeout)
	return m.Body, err
}

func (t transport) Send(dest string, body any) error { return t.n.Send(dest, body) }

func main() {
	n := node.New()
	var broker atomic.Pointer[Broker] // set at init, when the node list is known
	ready := func() (*Broker, error) {
		if b := broker.Load(); b != nil {
			return b, nil
		}
		return nil, maelstrom.NewRPCError(maelstrom.TemporarilyUnavailable, "not initialised yet")
	}
	ctx := context.Background()

	n.Handle("init", func(maelstrom.Message) error {
		t := transport{n}
		b := NewBroker(n.ID(), n.NodeIDs(), t, linKV{t: t, timeout: DefaultConfig.KVTimeout}, DefaultConfig)
		broker.Store(b)
		b.Run(ctx)
		return nil
	})
	node.Handle(n, "send", func(_ string, req sendReq) (any, error) {
		b, err := ready()
		if err != nil {
			return nil, err
		}
		off, err := b.Send(ctx, req.Key, req.Msg)
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "send_ok", "offset": off}, nil
	})
	node.Handle(n, "poll", func(_ string, req pollReq) (any, error) {
		b, err := ready()
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "poll_ok", "msgs": b.Poll(ctx, req.Offsets)}, nil
	})
	node.Handle(n, "commit_offsets", func(_ string, req commitReq) (any, error) {
		b, err := ready()
		if err != nil {
			return nil, err
		}
		b.Commit(req.Offsets)
		return map[string]any{"type": "commit_offsets_ok"}, nil
	})
	node.Handle(n, "list_committed_offsets", func(_ string, req listReq) (any, error) {
		b, err := ready()
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "list_committed_offsets_ok", "offsets": b.Committed(req.Keys)}, nil
	})

	// Peer traffic.
	node.Handle(n, "kafka_sync", func(src string, req Sync) (any, error) {
		b, err := ready()
		if err != nil {
			return nil, err // the peer retries
		}
		return b.HandleSync(src, req), nil
	})
	node.Handle(n, "kafka_notify", func(src string, req Sync) (any, error) {
		if b := broker.Load(); b != nil {
			b.HandleSync(src, req)
		}
		return nil, nil
	})
	node.Handle(n, "kafka_fwd", func(src string, req Forward) (any, error) {
		b, err := ready()
		if err != nil {
			return nil, err
		}
		rep := b.HandleForward(src, req)
		if rep.Type == "" {
			log.Printf("forwarded send of %q from %s: outcome unknown, not answering", req.Key, src)
			return nil, nil
		}
		return rep, nil
	})
	node.Main(n)
}
