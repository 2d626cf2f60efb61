// Command wrong-echo is a deliberately broken echo node: every tenth reply
// alters the payload. The echo checker must catch it.
package main

import (
	"fmt"
	"sync/atomic"

	"gossip-glomers/internal/node"
)

type echo struct {
	Echo any `json:"echo"`
}

func main() {
	n := node.New()
	var count atomic.Int64
	node.Handle(n, "echo", func(_ string, req echo) (any, error) {
		payload := req.Echo
		if count.Add(1)%10 == 0 {
			payload = fmt.Sprint(payload, "!")
		}
		return map[string]any{"type": "echo_ok", "echo": payload}, nil
	})
	node.Main(n)
}
