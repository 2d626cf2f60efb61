package txnrw

import (
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/workload"
)

// ednValues: a txn-rw-register value is a list of [f k v] micro-ops, f :r
// or :w in Maelstrom's history.edn and "r" or "w" here; a read Elle's
// parser writes [:r k] reads as [r k nil].
var ednValues = workload.EDNCodec{
	FromEDN: func(op history.Op) (any, error) { return workload.ReadMicroOps(op.Value, "r", "w") },
	ToEDN:   func(op history.Op) any { return workload.WriteMicroOps(op.Value) },
}
