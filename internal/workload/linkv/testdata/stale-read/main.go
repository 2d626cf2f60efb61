// Command stale-read is a deliberately broken lin-kv node: writes and cas
// go to Maelstrom's linearizable lin-kv service, but each node answers
// reads from its own cache of the values it last wrote or read, so a read
// misses what other nodes wrote since. The lin-kv checker must catch the
// stale reads.
package main

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

type request struct {
	Key   json.RawMessage `json:"key"`
	Value json.RawMessage `json:"value"`
	From  json.RawMessage `json:"from"`
	To    json.RawMessage `json:"to"`
}

func main() {
	n := node.New()
	var mu sync.Mutex
	cache := map[string]json.RawMessage{}
	remember := func(key, value json.RawMessage) {
		mu.Lock()
		cache[string(key)] = value
		mu.Unlock()
	}
	service := func(body map[string]any) (maelstrom.Message, error) {
		return n.Call(context.Background(), "lin-kv", body, time.Second)
	}

	node.Handle(n, "read", func(_ string, req request) (any, error) {
		mu.Lock()
		v, ok := cache[string(req.Key)]
		mu.Unlock()
		if !ok {
			m, err := service(map[string]any{"type": "read", "key": req.Key})
			if err != nil {
				return nil, err
			}
			var reply struct {
				Value json.RawMessage `json:"value"`
			}
			if err := json.Unmarshal(m.Body, &reply); err != nil {
				return nil, err
			}
			v = reply.Value
			remember(req.Key, v)
		}
		return map[string]any{"type": "read_ok", "value": v}, nil
	})
	node.Handle(n, "write", func(_ string, req request) (any, error) {
		if _, err := service(map[string]any{"type": "write", "key": req.Key, "value": req.Value}); err != nil {
			return nil, err
		}
		remember(req.Key, req.Value)
		return map[string]any{"type": "write_ok"}, nil
	})
	node.Handle(n, "cas", func(_ string, req request) (any, error) {
		if _, err := service(map[string]any{"type": "cas", "key": req.Key, "from": req.From, "to": req.To}); err != nil {
			return nil, err
		}
		remember(req.Key, req.To)
		return map[string]any{"type": "cas_ok"}, nil
	})
	node.Main(n)
}
