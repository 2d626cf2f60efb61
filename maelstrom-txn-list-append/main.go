// Command maelstrom-txn-list-append solves the txn-list-append exercise of
// Maelstrom's tutorial (doc/05-datomic) with strict-serializable
// transactions: not a Datomic-style transactor but transactions ordered
// through a log kept in lin-kv, which every node replays (see replica.go).
// Each node batches the requests that arrive while its previous batch is
// being committed, so one lin-kv cas commits many transactions, and sends
// each entry it commits to the other nodes ("log_entry", no reply), which
// saves them reading it.
package main

import (
	"bytes"
	"context"
	"errors"
	"log"
	"sync/atomic"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

const (
	rpcTimeout   = time.Second     // one lin-kv request
	roundTimeout = 4 * time.Second // one batch, within the clients' 5 s
	maxBatch     = 64              // transactions per log entry
)

type txnReq struct {
	Txn []MicroOp `json:"txn"`
}

// logEntry announces that a slot holds an entry.
type logEntry struct {
	Type  string `json:"type"`
	Slot  int    `json:"slot"`
	Entry Entry  `json:"entry"`
}

// request is a transaction waiting for its batch.
type request struct {
	txn  []MicroOp
	done chan<- outcome
}

type outcome struct {
	txn []MicroOp
	err error
}

func main() {
	n := node.New()
	requests := make(chan request, 1024)
	var replica atomic.Pointer[Replica] // set at init, when the node knows its id
	n.Handle("init", func(maelstrom.Message) error {
		kv := node.NewKV(node.ServiceCaller(n, "lin-kv", rpcTimeout))
		r := NewReplica(n.ID(), kvLog{kv})
		r.announce = func(slot int, e Entry) {
			for _, peer := range n.NodeIDs() {
				if peer == n.ID() {
					continue
				}
				if err := n.Send(peer, logEntry{Type: "log_entry", Slot: slot, Entry: e}); err != nil {
					log.Printf("announce slot %d to %s: %v", slot, peer, err)
				}
			}
		}
		replica.Store(r)
		go serve(r, requests)
		return nil
	})
	node.Handle(n, "log_entry", func(_ string, m logEntry) (any, error) {
		if r := replica.Load(); r != nil {
			r.Learn(m.Slot, m.Entry)
		}
		return nil, nil
	})
	node.Handle(n, "txn", func(_ string, req txnReq) (any, error) {
		if err := validate(req.Txn); err != nil {
			return nil, err
		}
		done := make(chan outcome, 1)
		requests <- request{txn: req.Txn, done: done}
		out := <-done
		if out.err != nil {
			return nil, out.err
		}
		return map[string]any{"type": "txn_ok", "txn": out.txn}, nil
	})
	node.Main(n)
}

// validate accepts micro-ops [f, k, v] with f "r" or "append".
func validate(txn []MicroOp) error {
	for _, m := range txn {
		if len(m) != 3 || !bytes.Equal(m[0], readF) && !bytes.Equal(m[0], appendF) {
			return maelstrom.NewRPCError(maelstrom.MalformedRequest, "micro-ops are [\"r\", k, null] or [\"append\", k, v]")
		}
	}
	return nil
}

// serve commits the queued requests, a batch at a time, forever.
func serve(r *Replica, requests <-chan request) {
	for first := range requests {
		batch := []request{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case q := <-requests:
				batch = append(batch, q)
			default:
				break drain
			}
		}
		txns := make([][]MicroOp, len(batch))
		for i, q := range batch {
			txns[i] = q.txn
		}
		ctx, cancel := context.WithTimeout(context.Background(), roundTimeout)
		out, err := r.Commit(ctx, txns)
		cancel()
		if err != nil {
			log.Printf("batch of %d: %v", len(batch), err)
			err = replyError(err)
		}
		for i, q := range batch {
			if err != nil {
				q.done <- outcome{err: err}
			} else {
				q.done <- outcome{txn: out[i]}
			}
		}
	}
}

// replyError says whether a failed batch may have committed: crash (13) is
// indefinite, so the client records info; temporarily-unavailable (11)
// tells it the transactions did not happen.
func replyError(err error) error {
	if errors.Is(err, ErrUncertain) {
		return maelstrom.NewRPCError(maelstrom.Crash, err.Error())
	}
	return maelstrom.NewRPCError(maelstrom.TemporarilyUnavailable, err.Error())
}
