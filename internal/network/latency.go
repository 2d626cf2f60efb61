package network

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Latency draws the delay of each message between two servers, as
// Maelstrom's --latency and --latency-dist do.
type Latency struct {
	Mean time.Duration
	Dist string // constant, uniform or exponential
}

// Dists are the distributions Maelstrom offers.
var Dists = []string{"constant", "uniform", "exponential"}

// Validate rejects unknown distributions and negative means.
func (l Latency) Validate() error {
	if l.Mean < 0 {
		return fmt.Errorf("latency must be >= 0, got %v", l.Mean)
	}
	for _, d := range Dists {
		if l.Dist == d {
			return nil
		}
	}
	return fmt.Errorf("unknown latency distribution %q (want one of %s)", l.Dist, strings.Join(Dists, ", "))
}

// Draw returns one message's latency, in whole milliseconds like Maelstrom:
//   - constant: exactly the mean;
//   - uniform: an integer uniformly in [0, 2*mean) ms (so the real mean is mean-0.5);
//   - exponential: exponential with the given mean, truncated to ms.
//
// A mean of 0 gives 0 for every distribution. (Maelstrom aborts at start-up on
// uniform or exponential with mean 0; the workbench treats it as no latency.)
func (l Latency) Draw(rng *rand.Rand) time.Duration {
	ms := l.Mean.Milliseconds()
	if ms <= 0 {
		return 0
	}
	switch l.Dist {
	case "uniform":
		return time.Duration(rng.Int64N(2*ms)) * time.Millisecond
	case "exponential":
		return time.Duration(int64(rng.ExpFloat64()*float64(ms))) * time.Millisecond
	default:
		return time.Duration(ms) * time.Millisecond
	}
}

// random reports whether Draw needs a random generator: only uniform and
// exponential latencies of a millisecond or more do.
func (l Latency) random() bool {
	return l.Mean.Milliseconds() > 0 && (l.Dist == "uniform" || l.Dist == "exponential")
}
