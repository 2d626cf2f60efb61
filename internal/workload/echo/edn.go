package echo

import (
	"fmt"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
)

// ednValues: echo's values convert generically (the payload is a string,
// an ok value the reply body, whose keys Maelstrom keywordizes); reading
// checks that an ok value is that body.
var ednValues = workload.EDNCodec{
	FromEDN: func(op history.Op) (any, error) {
		if _, isBody := op.Value.(map[string]any); op.Type == history.OK && !isBody {
			return nil, fmt.Errorf("an ok echo's value is the reply body, a map, not %s", wire.Key(op.Value))
		}
		return op.Value, nil
	},
}
