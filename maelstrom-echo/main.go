// Command maelstrom-echo solves Gossip Glomers challenge 1: it answers every
// echo request with the same payload.
package main

import "gossip-glomers/internal/node"

type echoRequest struct {
	Echo any `json:"echo"`
}

type echoReply struct {
	Type string `json:"type"`
	Echo any    `json:"echo"`
}

func main() {
	n := node.New()
	node.Handle(n, "echo", func(_ string, req echoRequest) (any, error) {
		return echoReply{Type: "echo_ok", Echo: req.Echo}, nil
	})
	node.Main(n)
}
