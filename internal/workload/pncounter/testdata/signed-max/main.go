// Command signed-max is a deliberately broken pn-counter node for the
// end-to-end tests, the first counter of Maelstrom's counters chapter: a
// G-counter, one signed total per node merged by max, given negative deltas
// too. A node's total that went down is overwritten by a peer's older,
// higher copy, so decrements are lost and the final reads come out too high.
package main

import (
	"sync"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

func main() {
	n := node.New()
	var mu sync.Mutex
	totals := map[string]int64{}
	node.Handle(n, "add", func(_ string, req struct {
		Delta int64 `json:"delta"`
	}) (any, error) {
		mu.Lock()
		totals[n.ID()] += req.Delta
		mu.Unlock()
		return map[string]any{"type": "add_ok"}, nil
	})
	node.Handle(n, "read", func(string, struct{}) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		var sum int64
		for _, v := range totals {
			sum += v
		}
		return map[string]any{"type": "read_ok", "value": sum}, nil
	})
	node.Handle(n, "replicate", func(_ string, req struct {
		Totals map[string]int64 `json:"totals"`
	}) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		for id, v := range req.Totals {
			totals[id] = max(totals[id], v)
		}
		return nil, nil
	})
	// From init on, every node sends its whole state to every other node on
	// a ticker.
	n.Handle("init", func(maelstrom.Message) error {
		go func() {
			for range time.Tick(100 * time.Millisecond) {
				mu.Lock()
				state := map[string]int64{}
				for id, v := range totals {
					state[id] = v
				}
				mu.Unlock()
				for _, peer := range n.NodeIDs() {
					if peer != n.ID() {
						_ = n.Send(peer, map[string]any{"type": "replicate", "totals": state})
					}
				}
			}
		}()
		return nil
	})
	node.Main(n)
}
