// Command forward-once is a deliberately broken broadcast node for the
// workbench's tests: it forwards each new message once to its topology
// neighbours and never retries, so a message sent across a partition is
// dropped for good and the checker must report it lost.
package main

import (
	"encoding/json"
	"sync"

	"gossip-glomers/internal/node"
)

type broadcastReq struct {
	Message json.RawMessage `json:"message"`
}

type topologyReq struct {
	Topology map[string][]string `json:"topology"`
}

type state struct {
	mu        sync.Mutex
	seen      map[string]bool
	messages  []json.RawMessage
	neighbors []string
}

// add records m and reports whether it was new.
func (s *state) add(m json.RawMessage) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen[string(m)] {
		return false
	}
	s.seen[string(m)] = true
	s.messages = append(s.messages, m)
	return true
}

func main() {
	n := node.New()
	s := &state{seen: map[string]bool{}}

	forward := func(from string, m json.RawMessage) {
		s.mu.Lock()
		nbrs := append([]string(nil), s.neighbors...)
		s.mu.Unlock()
		for _, dest := range nbrs {
			if dest != from {
				// Fire and forget: no ack, no retry.
				_ = n.Send(dest, map[string]any{"type": "gossip", "message": m})
			}
		}
	}

	node.Handle(n, "topology", func(_ string, req topologyReq) (any, error) {
		s.mu.Lock()
		s.neighbors = req.Topology[n.ID()]
		s.mu.Unlock()
		return map[string]any{"type": "topology_ok"}, nil
	})
	node.Handle(n, "broadcast", func(_ string, req broadcastReq) (any, error) {
		if s.add(req.Message) {
			forward("", req.Message)
		}
		return map[string]any{"type": "broadcast_ok"}, nil
	})
	node.Handle(n, "gossip", func(src string, req broadcastReq) (any, error) {
		if s.add(req.Message) {
			forward(src, req.Message)
		}
		return nil, nil
	})
	node.Handle(n, "read", func(_ string, _ struct{}) (any, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return map[string]any{"type": "read_ok", "messages": append([]json.RawMessage{}, s.messages...)}, nil
	})
	node.Main(n)
}
