// Command maelstrom-lin-kv solves the Raft exercise of Maelstrom's tutorial
// (doc/06-raft: the lin-kv workload): a linearizable key/value store
// replicated with Raft, on go.etcd.io/raft/v3 (see replica.go). It stays
// available while a majority of nodes can talk to each other, and
// linearizable under partitions.
//
// Peers exchange Raft's messages as {"type":"raft","msg":<protobuf,
// base64>}. Every request is handled on one goroutine, the replica's loop,
// which also ticks Raft's clock.
package main

import (
	"encoding/json"
	"log"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

// tickInterval is Raft's tick: heartbeats every tick, elections after 10-20.
const tickInterval = 100 * time.Millisecond

// kvRequest is a client's read, write or cas; values stay raw JSON.
type kvRequest struct {
	MsgID int64           `json:"msg_id"`
	Key   json.RawMessage `json:"key"`
	Value json.RawMessage `json:"value"`
	From  json.RawMessage `json:"from"`
	To    json.RawMessage `json:"to"`
}

type raftMessage struct {
	Type string `json:"type"`
	Msg  []byte `json:"msg"`
}

func main() {
	n := node.New()
	// The replica's loop runs these one at a time.
	events := make(chan func(*Replica), 1024)

	n.Handle("init", func(maelstrom.Message) error {
		send := func(to string, msg []byte) {
			if err := n.Send(to, raftMessage{Type: "raft", Msg: msg}); err != nil {
				log.Printf("send to %s: %v", to, err)
			}
		}
		r, err := NewReplica(n.ID(), n.NodeIDs(), send)
		if err != nil {
			return err
		}
		go loop(r, events)
		return nil
	})
	n.Handle("raft", func(msg maelstrom.Message) error {
		var m raftMessage
		if err := json.Unmarshal(msg.Body, &m); err != nil {
			log.Printf("bad raft message from %s: %v", msg.Src, err)
			return nil
		}
		events <- func(r *Replica) {
			if err := r.Receive(m.Msg); err != nil {
				log.Printf("raft message from %s: %v", msg.Src, err)
			}
		}
		return nil
	})
	handleKV(n, events, "read", func(r *Replica, req kvRequest, reply func(Body)) { r.Read(req.Key, reply) })
	handleKV(n, events, "write", func(r *Replica, req kvRequest, reply func(Body)) { r.Write(req.Key, req.Value, reply) })
	handleKV(n, events, "cas", func(r *Replica, req kvRequest, reply func(Body)) { r.CAS(req.Key, req.From, req.To, reply) })
	node.Main(n)
}

// handleKV hands a client request to the replica's loop; the replica
// answers when the request is settled.
func handleKV(n *node.Node, events chan<- func(*Replica), typ string, do func(*Replica, kvRequest, func(Body))) {
	n.Handle(typ, func(msg maelstrom.Message) error {
		var req kvRequest
		if err := json.Unmarshal(msg.Body, &req); err != nil {
			return maelstrom.NewRPCError(maelstrom.MalformedRequest, "bad "+typ+" body: "+err.Error())
		}
		reply := func(b Body) {
			// Sent as built (the library's Reply would turn numbers into
			// float64s and lose big integers).
			b["in_reply_to"] = req.MsgID
			if err := n.Send(msg.Src, b); err != nil {
				log.Printf("reply to %s: %v", msg.Src, err)
			}
		}
		events <- func(r *Replica) { do(r, req, reply) }
		return nil
	})
}

// loop runs the replica: requests and messages in arrival order, and the
// clock.
func loop(r *Replica, events <-chan func(*Replica)) {
	tick := time.NewTicker(tickInterval)
	defer tick.Stop()
	for {
		select {
		case ev := <-events:
			ev(r)
		case <-tick.C:
			r.Tick()
		}
	}
}
