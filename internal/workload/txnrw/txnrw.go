// Package txnrw is Maelstrom's txn-rw-register workload
// (src/maelstrom/workload/txn_rw_register.clj): clients send transactions of
// read and write micro-ops over integer keys, nodes answer with the reads
// filled in, and Elle's rw-register analysis (internal/checker/elle) checks
// the history against --consistency-models.
//
// Request {"type":"txn","txn":[["r",1,null],["w",1,6]]}; reply
// {"type":"txn_ok","txn":[["r",1,8],["w",1,6]]}. The history records the
// reply's transaction as the ok value, micro-op functions as "r"/"w".
package txnrw

import (
	"context"
	"fmt"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/checker/elle"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
)

// rpcTimeout is Maelstrom's default client RPC timeout.
const rpcTimeout = 5 * time.Second

// New returns the txn-rw-register workload.
func New() *workload.Workload {
	return &workload.Workload{
		Name:           "txn-rw-register",
		ReusableClient: true, // Maelstrom's client is Reusable: it survives info ops
		NewGenerator:   func(p *workload.Params) workload.Generator { return NewGenerator(p) },
		NewClient: func(_ *workload.Params, conn workload.Conn, node string) workload.Client {
			return &Client{Conn: conn, Node: node, Parse: ParseReply}
		},
		Check: func(p *workload.Params, h history.History) checker.Result {
			return elle.Check(h, elle.Options{ConsistencyModels: p.ConsistencyModels})
		},
		EDN: ednValues,
	}
}

// Client sends each transaction as one txn RPC and checks the txn_ok reply
// with Parse, the workload's closed schema; both txn workloads use it. No f
// is idempotent: a timeout or an indefinite error is info, a definite error
// (txn-conflict, abort) fail.
type Client struct {
	Conn  workload.Conn
	Node  string
	Parse func(wire.Body) ([]any, error)
}

// Invoke sends one transaction.
func (c *Client) Invoke(ctx context.Context, op history.Op) history.Op {
	reply, err := c.Conn.Call(ctx, c.Node, wire.Body{"type": "txn", "txn": op.Value}, rpcTimeout)
	var txn []any
	if err == nil {
		txn, err = c.Parse(reply)
	}
	if err != nil {
		return workload.Complete(op, nil, err, false)
	}
	return workload.Complete(op, txn, nil, false)
}

// ParseReply validates a txn_ok body as Maelstrom's closed schema does and
// returns its transaction: a list (null reads as empty) of exactly
// three-element micro-ops whose f is "r" or "w"; keys and values may be any
// JSON.
func ParseReply(body wire.Body) ([]any, error) {
	return ParseTxnOK(body, func(e any, m []any) error {
		if f, _ := m[0].(string); f != "r" && f != "w" {
			return fmt.Errorf("txn_ok: micro-op %v has f %v, want \"r\" or \"w\"", e, m[0])
		}
		return nil
	})
}

// ParseTxnOK is the part of the txn workloads' reply schemas they share: a
// txn_ok body whose txn is a list (null reads as empty) of three-element
// micro-ops, each of which microOp checks further.
func ParseTxnOK(body wire.Body, microOp func(e any, m []any) error) ([]any, error) {
	if err := workload.Expect(body, "txn_ok", "txn"); err != nil {
		return nil, err
	}
	raw := body["txn"]
	if raw == nil {
		return []any{}, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("txn_ok: txn %v is not a sequence", raw)
	}
	out := make([]any, len(list))
	for i, e := range list {
		m, ok := e.([]any)
		if !ok || len(m) != 3 {
			return nil, fmt.Errorf("txn_ok: micro-op %v is not a 3-element array", e)
		}
		if err := microOp(e, m); err != nil {
			return nil, err
		}
		out[i] = []any{m[0], m[1], m[2]}
	}
	return out, nil
}
