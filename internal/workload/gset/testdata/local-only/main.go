// Command local-only is a deliberately broken g-set node for the end-to-end
// tests, the first node of Maelstrom's g-set chapter: it keeps the elements
// its own clients add and never tells another node, so a read on any other
// node misses them and set-full finds them lost.
package main

import (
	"encoding/json"
	"sync"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

func main() {
	n := node.New()
	var mu sync.Mutex
	elements := []json.RawMessage{}
	node.Handle(n, "add", func(_ string, req struct {
		Element json.RawMessage `json:"element"`
	}) (any, error) {
		mu.Lock()
		elements = append(elements, req.Element)
		mu.Unlock()
		return map[string]any{"type": "add_ok"}, nil
	})
	n.Handle("read", func(msg maelstrom.Message) error {
		var req maelstrom.MessageBody
		if err := json.Unmarshal(msg.Body, &req); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		return n.Send(msg.Src, map[string]any{"type": "read_ok", "in_reply_to": req.MsgID, "value": elements})
	})
	node.Main(n)
}
