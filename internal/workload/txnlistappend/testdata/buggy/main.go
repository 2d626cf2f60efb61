// Command buggy is a deliberately broken txn-list-append node for the
// end-to-end tests: one node's lists in memory, every transaction run
// atomically under one lock (strict serializable on a single node), except
// that every 50th append to a key that already has elements goes wrong, as
// the node's argument says:
//
//	lose     the append is acknowledged but never stored
//	reorder  the element goes to the front of the list, not the end
//	none     nothing goes wrong (the control)
package main

import (
	"encoding/json"
	"log"
	"os"
	"sync"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

// every says how often an append goes wrong.
const every = 50

type txnReq struct {
	Txn [][]json.RawMessage `json:"txn"`
}

func main() {
	bug := "none"
	if len(os.Args) > 1 {
		bug = os.Args[1]
	}
	if bug != "none" && bug != "lose" && bug != "reorder" {
		log.Fatalf("unknown bug %q: want lose, reorder or none", bug)
	}
	var mu sync.Mutex
	lists := map[string][]json.RawMessage{}
	appends := 0

	n := node.New()
	node.Handle(n, "txn", func(_ string, req txnReq) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		out := make([][]json.RawMessage, len(req.Txn))
		for i, m := range req.Txn {
			if len(m) != 3 {
				return nil, maelstrom.NewRPCError(maelstrom.MalformedRequest, "micro-op is not [f, k, v]")
			}
			k := string(m[1])
			out[i] = []json.RawMessage{m[0], m[1], m[2]}
			if string(m[0]) == `"r"` {
				out[i][2] = json.RawMessage("null")
				if l, ok := lists[k]; ok {
					out[i][2], _ = json.Marshal(l)
				}
				continue
			}
			if len(lists[k]) > 0 {
				appends++
			}
			switch {
			case len(lists[k]) == 0 || appends%every != 0 || bug == "none":
				lists[k] = append(lists[k], m[2])
			case bug == "reorder":
				lists[k] = append([]json.RawMessage{m[2]}, lists[k]...)
			case bug == "lose": // acknowledged, not stored
			}
		}
		return map[string]any{"type": "txn_ok", "txn": out}, nil
	})
	node.Main(n)
}
