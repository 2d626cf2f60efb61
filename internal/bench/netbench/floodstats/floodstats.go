// Package floodstats is what the flood node (netbench's testdata/floodnode)
// and the network benchmark share: a latency histogram cheap enough to
// update for every message, and the one stderr line in which a node reports
// what it saw during the benchmark's window.
package floodstats

import (
	"encoding/json"
	"errors"
	"math/bits"
	"sort"
	"strings"
	"time"
)

// Histogram counts durations in microseconds with a relative precision of
// 1/1024 (about 0.1 %): exact below 2048 µs, then 1024 buckets per power of
// two. The precision has to resolve a fraction of a millisecond on top of
// a simulated latency of 100 ms (at 100 ms a bucket is 64 µs wide).
// The zero value is empty and ready to use; it is not safe for concurrent use.
type Histogram struct {
	Counts map[int]int64 `json:"counts"` // bucket index -> count
}

const (
	subBits    = 10           // log2 of the buckets per power of two
	subBuckets = 1 << subBits // per power of two above 2*subBuckets µs
)

// bucket is the index of the bucket holding us microseconds (us >= 0).
func bucket(us uint64) int {
	if us < 2*subBuckets {
		return int(us)
	}
	shift := bits.Len64(us) - subBits - 1 // us>>shift is in [subBuckets, 2*subBuckets)
	return 2*subBuckets + (shift-1)*subBuckets + int(us>>shift) - subBuckets
}

// lowerBound is the smallest value, in microseconds, of bucket i.
func lowerBound(i int) uint64 {
	if i < 2*subBuckets {
		return uint64(i)
	}
	i -= 2 * subBuckets
	shift := i/subBuckets + 1
	return uint64(i%subBuckets+subBuckets) << shift
}

// Add counts one duration; negative ones count as 0.
func (h *Histogram) Add(d time.Duration) {
	if h.Counts == nil {
		h.Counts = map[int]int64{}
	}
	us := uint64(0)
	if d > 0 {
		us = uint64(d / time.Microsecond)
	}
	h.Counts[bucket(us)]++
}

// Merge adds another histogram's counts to h.
func (h *Histogram) Merge(o Histogram) {
	if h.Counts == nil {
		h.Counts = map[int]int64{}
	}
	for i, n := range o.Counts {
		h.Counts[i] += n
	}
}

// Total is the number of durations counted.
func (h Histogram) Total() int64 {
	var n int64
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// Quantile returns the lower bound of the bucket holding quantile q (0..1):
// the value is at most 0.1 % above the returned one. An empty histogram
// gives 0.
func (h Histogram) Quantile(q float64) time.Duration {
	total := h.Total()
	if total == 0 {
		return 0
	}
	idx := make([]int, 0, len(h.Counts))
	for i := range h.Counts {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	rank := int64(q * float64(total-1))
	var seen int64
	for _, i := range idx {
		seen += h.Counts[i]
		if seen > rank {
			return time.Duration(lowerBound(i)) * time.Microsecond
		}
	}
	return time.Duration(lowerBound(idx[len(idx)-1])) * time.Microsecond
}

// Report is what one flood node saw during the window.
type Report struct {
	Node     string `json:"node"`
	Sent     int64  `json:"sent"`     // flood messages written in the window
	Received int64  `json:"received"` // flood messages read in the window
	// Started is how late, after the window's start, the node began
	// flooding (0 unless its init came after the start).
	Started time.Duration `json:"started"`
	// CPU is the node's own user+system CPU time during the window.
	CPU time.Duration `json:"cpu"`
	// Hop is, for every message received, the time from its sender writing
	// it to this node reading it (the simulated latency included).
	Hop Histogram `json:"hop"`
}

// Prefix starts the stderr line that carries a Report.
const Prefix = "flood-stats "

// Line is the stderr line (without newline) that carries r.
func (r Report) Line() string {
	b, _ := json.Marshal(r)
	return Prefix + string(b)
}

// ErrNoReport means a log held no flood-stats line.
var ErrNoReport = errors.New("no flood-stats line")

// Parse finds the last flood-stats line in a node's stderr log.
func Parse(log string) (Report, error) {
	var r Report
	i := strings.LastIndex(log, Prefix)
	if i < 0 {
		return r, ErrNoReport
	}
	line, _, _ := strings.Cut(log[i+len(Prefix):], "\n")
	err := json.Unmarshal([]byte(line), &r)
	return r, err
}
