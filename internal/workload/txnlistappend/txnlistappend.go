// Package txnlistappend is Maelstrom's txn-list-append workload
// (src/maelstrom/workload/txn_list_append.clj): clients send transactions
// of read and append micro-ops over integer keys, each key's value a list
// that appends extend, and Elle's list-append analysis
// (internal/checker/elle) checks the history against --consistency-models.
//
// Request {"type":"txn","txn":[["r",1,null],["append",1,6]]}; reply
// {"type":"txn_ok","txn":[["r",1,[8]],["append",1,6]]}. A read returns the
// whole list, null for a key never appended to. The history records the
// reply's transaction as the ok value, micro-op functions as "r"/"append".
//
// Unlike txn-rw-register, Maelstrom does not wrap this checker: Elle's
// verdict is the workload's, so a history whose graph is empty, or whose
// cycle search ran out of time, is unknown rather than invalid.
package txnlistappend

import (
	"fmt"
	"math/rand/v2"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/checker/elle"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
	"gossip-glomers/internal/workload/txnrw"
)

// New returns the txn-list-append workload.
func New() *workload.Workload {
	return &workload.Workload{
		Name:           "txn-list-append",
		ReusableClient: true, // Maelstrom's client is Reusable: it survives info ops
		EDN:            ednValues,
		NewGenerator:   func(p *workload.Params) workload.Generator { return NewGenerator(p) },
		NewClient: func(_ *workload.Params, conn workload.Conn, node string) workload.Client {
			return &txnrw.Client{Conn: conn, Node: node, Parse: ParseReply}
		},
		Check: func(p *workload.Params, h history.History) checker.Result {
			return elle.CheckListAppend(h, elle.Options{ConsistencyModels: p.ConsistencyModels})
		},
	}
}

// Generator is elle.list-append/gen: the rw-register transactions of
// txn-rw-register's generator (same options and defaults) with every write
// turned into an append of the same value, so appended elements are
// 1, 2, 3, ... per key.
type Generator struct {
	rw *txnrw.Generator
}

// NewGenerator builds the generator for the test parameters.
func NewGenerator(p *workload.Params) *Generator {
	return &Generator{rw: txnrw.NewGenerator(p)}
}

// Next returns the next transaction; the sequence is shared by all threads.
func (g *Generator) Next(_ int, _ time.Duration, rng *rand.Rand) (workload.Op, bool) {
	txn := g.rw.Txn(rng)
	for _, m := range txn {
		if mop := m.([]any); mop[0] == "w" {
			mop[0] = "append"
		}
	}
	return workload.Op{F: "txn", Value: txn}, true
}

// Update ignores completions: Elle's generator is open-loop.
func (g *Generator) Update(history.Op) {}

// ParseReply validates a txn_ok body as Maelstrom's closed schema does and
// returns its transaction: a list (null reads as empty) of exactly
// three-element micro-ops, each a read ["r", k, list or null] or an append
// ["append", k, v]; keys and elements may be any JSON.
func ParseReply(body wire.Body) ([]any, error) {
	return txnrw.ParseTxnOK(body, func(e any, m []any) error {
		switch m[0] {
		case "r":
			// A sequence schema accepts null as the empty sequence.
			if _, isList := m[2].([]any); m[2] != nil && !isList {
				return fmt.Errorf("txn_ok: read %v: the value is not a list", e)
			}
		case "append":
		default:
			return fmt.Errorf("txn_ok: micro-op %v has f %v, want \"r\" or \"append\"", e, m[0])
		}
		return nil
	})
}
