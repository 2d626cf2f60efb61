package broadcast

import (
	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/checker/setfull"
	"gossip-glomers/internal/history"
)

// Check is Maelstrom's broadcast checker (broadcast.clj, checker): Jepsen's
// set-full with broadcast as the add. See setfull.Check for the figures,
// the quirks kept on purpose and the final read misses.
func Check(h history.History) checker.Result { return setfull.Check(h, "broadcast") }
