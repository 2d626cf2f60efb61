// Command racy-cas is a deliberately broken lin-kv node: it keeps the data
// in Maelstrom's linearizable lin-kv service, but does a cas as a read,
// a comparison and, a little later, a write, so two cas from the same value
// can both succeed. The lin-kv checker must catch it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

// raceWindow is the time between a cas's read and its write.
const raceWindow = 30 * time.Millisecond

type request struct {
	Key   json.RawMessage `json:"key"`
	Value json.RawMessage `json:"value"`
	From  json.RawMessage `json:"from"`
	To    json.RawMessage `json:"to"`
}

func main() {
	n := node.New()
	service := func(body map[string]any) (json.RawMessage, error) {
		m, err := n.Call(context.Background(), "lin-kv", body, time.Second)
		return m.Body, err
	}
	read := func(key json.RawMessage) (json.RawMessage, error) {
		body, err := service(map[string]any{"type": "read", "key": key})
		if err != nil {
			return nil, err
		}
		var reply struct {
			Value json.RawMessage `json:"value"`
		}
		err = json.Unmarshal(body, &reply)
		return reply.Value, err
	}

	node.Handle(n, "read", func(_ string, req request) (any, error) {
		v, err := read(req.Key)
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "read_ok", "value": v}, nil
	})
	node.Handle(n, "write", func(_ string, req request) (any, error) {
		if _, err := service(map[string]any{"type": "write", "key": req.Key, "value": req.Value}); err != nil {
			return nil, err
		}
		return map[string]any{"type": "write_ok"}, nil
	})
	node.Handle(n, "cas", func(_ string, req request) (any, error) {
		v, err := read(req.Key)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(v, req.From) {
			return nil, maelstrom.NewRPCError(maelstrom.PreconditionFailed, "from does not match")
		}
		time.Sleep(raceWindow)
		if _, err := service(map[string]any{"type": "write", "key": req.Key, "value": req.To}); err != nil {
			return nil, err
		}
		return map[string]any{"type": "cas_ok"}, nil
	})
	node.Main(n)
}
