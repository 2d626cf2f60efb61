// Command maelstrom-broadcast solves Gossip Glomers challenges 3a-3e with one
// binary: a hub-and-leaves overlay with batched, acknowledged, retried
// gossip, whose reads wait for the next batch (see gossip.go). Maelstrom
// passes no arguments; the flags exist for the benchmark sweep and default
// to the best setting.
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

type broadcastReq struct {
	Message json.RawMessage `json:"message"`
}

// readOK is written directly (not through Reply, which round-trips the body
// through float64) so that values go back exactly as they came.
type readOK struct {
	Type      string            `json:"type"`
	InReplyTo int               `json:"in_reply_to"`
	Messages  []json.RawMessage `json:"messages"`
}

func main() {
	cfg := DefaultConfig
	flag.DurationVar(&cfg.Interval, "interval", cfg.Interval, "hub batch interval")
	flag.DurationVar(&cfg.AckDelay, "ack-delay", cfg.AckDelay, "longest a leaf holds back an ack")
	flag.DurationVar(&cfg.Retry, "retry", cfg.Retry, "resend unacknowledged data after this long")
	flag.DurationVar(&cfg.ReadWait, "read-wait", cfg.ReadWait, "longest a leaf's read waits for the next batch (0: reads answer at once)")
	flag.Parse()

	n := node.New()
	var gossip atomic.Pointer[Gossip] // set at init, when the node list is known
	send := func(out []Outgoing) {
		for _, o := range out {
			if err := n.Send(o.Dest, o.Body); err != nil {
				log.Printf("send to %s: %v", o.Dest, err)
			}
		}
	}
	ready := func() *Gossip {
		g := gossip.Load()
		if g == nil {
			log.Printf("message before init, ignored")
		}
		return g
	}

	n.Handle("init", func(maelstrom.Message) error {
		g := NewGossip(n.ID(), n.NodeIDs(), cfg)
		gossip.Store(g)
		go func() {
			for now := range time.Tick(cfg.Interval) {
				send(g.Tick(now))
			}
		}()
		return nil
	})
	node.Handle(n, "topology", func(string, struct{}) (any, error) {
		return map[string]any{"type": "topology_ok"}, nil // our own overlay instead
	})
	node.Handle(n, "broadcast", func(_ string, req broadcastReq) (any, error) {
		if g := ready(); g != nil {
			send(g.Broadcast(req.Message, time.Now()))
		}
		return map[string]any{"type": "broadcast_ok"}, nil
	})
	n.Handle("read", func(msg maelstrom.Message) error {
		var req maelstrom.MessageBody
		if err := json.Unmarshal(msg.Body, &req); err != nil {
			return maelstrom.NewRPCError(maelstrom.MalformedRequest, err.Error())
		}
		var vals []json.RawMessage
		if g := ready(); g != nil {
			if cfg.ReadWait > 0 {
				wait := time.NewTimer(cfg.ReadWait)
				select {
				case <-g.Fresh():
				case <-wait.C:
				}
				wait.Stop()
			}
			vals = g.Read()
		}
		return n.Send(msg.Src, readOK{Type: "read_ok", InReplyTo: req.MsgID, Messages: append([]json.RawMessage{}, vals...)})
	})
	node.Handle(n, "up", func(src string, m upBody) (any, error) {
		if g := ready(); g != nil {
			g.HandleUp(src, m)
		}
		return nil, nil
	})
	node.Handle(n, "down", func(_ string, m downBody) (any, error) {
		if g := ready(); g != nil {
			send(g.HandleDown(m, time.Now()))
		}
		return nil, nil
	})
	node.Main(n)
}
