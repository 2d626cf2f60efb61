package broadcast

import (
	"fmt"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
)

// ednValues: broadcast's values convert generically (a broadcast's value
// is its message; a read's, the messages as a vector, or a set in Jepsen's
// own tests, read as a sorted list); reading checks that an ok read's value
// is such a list, as the client's schema does.
var ednValues = workload.EDNCodec{
	FromEDN: func(op history.Op) (any, error) {
		if op.F == "read" && op.Type == history.OK {
			if err := workload.Sequence("messages", op.Value); err != nil {
				return nil, fmt.Errorf("an ok read's value is the list of messages, not %s", wire.Key(op.Value))
			}
		}
		return op.Value, nil
	},
}
