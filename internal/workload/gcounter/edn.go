package gcounter

import (
	"fmt"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
)

// ednValues: g-counter's values convert generically; reading checks that
// an add's delta and an ok read's value are integers, as the generator and
// the client (which applies long to what a node reads) make them.
var ednValues = workload.EDNCodec{
	FromEDN: func(op history.Op) (any, error) {
		mustBeInteger := op.F == "add" || (op.F == "read" && op.Type == history.OK)
		if mustBeInteger && !wire.IsInteger(op.Value) {
			return nil, fmt.Errorf("%s values are integers, not %s", op.F, wire.Key(op.Value))
		}
		return op.Value, nil
	},
}
