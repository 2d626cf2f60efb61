// Command unreplicated is a deliberately broken kafka node: each node keeps
// its own log per key and never talks to the others. On one node it is
// correct; on two, both nodes hand out the same offsets for different
// messages (inconsistent-offsets) and each node's polls miss the other's
// sends, which the checker must catch.
package main

import (
	"encoding/json"
	"sync"

	"gossip-glomers/internal/node"
)

func main() {
	n := node.New()
	var mu sync.Mutex
	logs := map[string][]json.RawMessage{}
	committed := map[string]int{}

	node.Handle(n, "send", func(_ string, req struct {
		Key string          `json:"key"`
		Msg json.RawMessage `json:"msg"`
	}) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		logs[req.Key] = append(logs[req.Key], req.Msg)
		return map[string]any{"type": "send_ok", "offset": len(logs[req.Key]) - 1}, nil
	})
	node.Handle(n, "poll", func(_ string, req struct {
		Offsets map[string]int `json:"offsets"`
	}) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		msgs := map[string][][2]any{}
		for k, from := range req.Offsets {
			for i := max(from, 0); i < len(logs[k]); i++ {
				msgs[k] = append(msgs[k], [2]any{i, logs[k][i]})
			}
		}
		return map[string]any{"type": "poll_ok", "msgs": msgs}, nil
	})
	node.Handle(n, "commit_offsets", func(_ string, req struct {
		Offsets map[string]int `json:"offsets"`
	}) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		for k, o := range req.Offsets {
			committed[k] = max(committed[k], o)
		}
		return map[string]any{"type": "commit_offsets_ok"}, nil
	})
	node.Handle(n, "list_committed_offsets", func(_ string, req struct {
		Keys []string `json:"keys"`
	}) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		out := map[string]int{}
		for _, k := range req.Keys {
			if o, ok := committed[k]; ok {
				out[k] = o
			}
		}
		return map[string]any{"type": "list_committed_offsets_ok", "offsets": out}, nil
	})
	node.Main(n)
}
