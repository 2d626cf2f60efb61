package txnlistappend

import (
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/workload"
)

// ednValues reads and writes transactions as Maelstrom's history.edn holds
// them: [[:append k v] [:r k [v ...]]], keywords for the micro-op names.
var ednValues = workload.EDNCodec{
	FromEDN: func(op history.Op) (any, error) { return workload.ReadMicroOps(op.Value, "append", "r") },
	ToEDN:   func(op history.Op) any { return workload.WriteMicroOps(op.Value) },
}
