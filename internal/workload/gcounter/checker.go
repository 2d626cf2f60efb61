package gcounter

import (
	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/checker/counter"
	"gossip-glomers/internal/history"
)

// Anomaly is the name reported when a final read is not an acceptable sum.
const Anomaly = counter.Anomaly

// Ranges is the type of the acceptable figure.
type Ranges = counter.Ranges

// Check is g-counter's checker: pn-counter's, unchanged, as g_counter.clj
// reuses it (see counter.Check).
func Check(h history.History) checker.Result { return counter.Check(h) }
