// Command dirty is a deliberately broken txn-rw-register node for the
// end-to-end tests: it applies a transaction's micro-ops one at a time, each
// under its own lock and with a pause between them, so concurrent
// transactions read each other's intermediate and uncommitted writes, and it
// forwards every write (intermediate ones too) to its peers as it happens.
// It is totally available but not read committed (G1b, G1c).
package main

import (
	"encoding/json"
	"log"
	"sync"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

// pause between micro-ops widens the window in which others see our state.
const pause = 2 * time.Millisecond

type txnReq struct {
	Txn [][]json.RawMessage `json:"txn"`
}

type writeMsg struct {
	Type  string          `json:"type"`
	Key   json.RawMessage `json:"k"`
	Value json.RawMessage `json:"v"`
}

type store struct {
	mu   sync.Mutex
	data map[string]json.RawMessage
}

func (s *store) read(k json.RawMessage) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.data[string(k)]; ok {
		return v
	}
	return json.RawMessage("null")
}

func (s *store) write(k, v json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[string(k)] = v
}

func main() {
	n := node.New()
	s := &store{data: map[string]json.RawMessage{}}
	node.Handle(n, "txn", func(_ string, req txnReq) (any, error) {
		out := make([][]json.RawMessage, len(req.Txn))
		for i, m := range req.Txn {
			if len(m) != 3 {
				return nil, maelstrom.NewRPCError(maelstrom.MalformedRequest, "micro-op is not [f, k, v]")
			}
			if i > 0 {
				time.Sleep(pause)
			}
			out[i] = []json.RawMessage{m[0], m[1], m[2]}
			if string(m[0]) == `"r"` {
				out[i][2] = s.read(m[1])
				continue
			}
			s.write(m[1], m[2])
			for _, peer := range n.NodeIDs() {
				if peer != n.ID() {
					if err := n.Send(peer, writeMsg{Type: "dirty_write", Key: m[1], Value: m[2]}); err != nil {
						log.Printf("send to %s: %v", peer, err)
					}
				}
			}
		}
		return map[string]any{"type": "txn_ok", "txn": out}, nil
	})
	node.Handle(n, "dirty_write", func(_ string, w writeMsg) (any, error) {
		s.write(w.Key, w.Value)
		return nil, nil
	})
	node.Main(n)
}
