package floodstats

import (
	"testing"
	"time"
)

// Buckets are exact below 2048 µs and then 1/1024 of a power of two wide: a
// value is never more than 0.1 % above its bucket's lower bound, and the
// bounds grow with the index.
func TestBuckets(t *testing.T) {
	prev := uint64(0)
	for i := 1; i < 40000; i++ {
		lb := lowerBound(i)
		if lb <= prev {
			t.Fatalf("bucket %d starts at %d, not after bucket %d's %d", i, lb, i-1, prev)
		}
		if bucket(lb) != i || bucket(lb-1) != i-1 {
			t.Fatalf("bucket %d: its bounds map to %d and %d", i, bucket(lb), bucket(lb-1))
		}
		prev = lb
	}
	for _, us := range []uint64{0, 1, 127, 128, 129, 255, 256, 1000, 2047, 2048, 2049, 4095, 4096, 100_000, 100_350, 123456, 1 << 40} {
		lb := lowerBound(bucket(us))
		if lb > us || float64(us-lb) > float64(us)/subBuckets {
			t.Errorf("%d µs goes to a bucket starting at %d", us, lb)
		}
	}
}

func TestQuantilesAndReport(t *testing.T) {
	var h Histogram
	if h.Quantile(0.5) != 0 {
		t.Errorf("empty histogram: median %v", h.Quantile(0.5))
	}
	for i := 1; i <= 100; i++ {
		h.Add(time.Duration(i) * time.Microsecond)
	}
	h.Add(-time.Second) // counts as 0
	var other Histogram
	other.Add(time.Second)
	h.Merge(other)
	if h.Total() != 102 {
		t.Fatalf("total %d, want 102", h.Total())
	}
	for q, want := range map[float64]time.Duration{0: 0, 0.5: 50 * time.Microsecond, 1: lowerBoundDuration(time.Second)} {
		if got := h.Quantile(q); got != want {
			t.Errorf("quantile %v: %v, want %v", q, got, want)
		}
	}
	r := Report{Node: "n3", Sent: 5, Received: 4, CPU: time.Millisecond, Hop: h}
	got, err := Parse("some log line\n" + Report{Node: "old"}.Line() + "\n" + r.Line() + "\n")
	if err != nil || got.Node != "n3" || got.Received != 4 || got.Hop.Total() != 102 {
		t.Errorf("parsed %+v, %v; want the last report", got, err)
	}
	if _, err := Parse("nothing here"); err != ErrNoReport {
		t.Errorf("a log without a report: %v", err)
	}
}

func lowerBoundDuration(d time.Duration) time.Duration {
	return time.Duration(lowerBound(bucket(uint64(d/time.Microsecond)))) * time.Microsecond
}
