// Package plots draws the workbench's charts with gonum.org/v1/plot: a run's
// performance plots as Jepsen's perf checker draws them
// (jepsen/checker/perf.clj: latency-raw, latency-quantiles, rate, with the
// nemesis's activity shaded) and the broadcast benchmark's sweep plot.
//
// This file is the arithmetic behind the perf plots (buckets, quantiles,
// rates, nemesis intervals), kept free of drawing so it can be tested on
// small hand-made inputs; perfplots.go draws them.
package plots

import (
	"math"
	"sort"
	"time"
)

// Op is one completed client operation, as the perf plots see it.
type Op struct {
	F        string
	Type     string        // the completion's type: "ok", "info" or "fail"
	Invoke   time.Duration // since the start of the run
	Complete time.Duration
}

// NemesisOp is one nemesis entry of the history (Jepsen logs two per
// action, both of type info: the invocation and the completion).
type NemesisOp struct {
	F    string // e.g. "start-partition", "stop-partition"
	Time time.Duration
}

// Perf is what the perf plots are drawn from.
type Perf struct {
	Title   string // e.g. "broadcast": the plots are titled "broadcast latency", ...
	Ops     []Op
	Nemesis []NemesisOp
}

// Outcomes are the completion types the plots show, in Jepsen's order
// (perf.clj's types).
var Outcomes = []string{"ok", "info", "fail"}

// Interval is a stretch of time a nemesis was active; Open means it never
// stopped (Stop is then meaningless and the shading runs to the right edge).
type Interval struct {
	Start, Stop time.Duration
	Open        bool
}

// Maelstrom's only nemesis, as jepsen.nemesis.combined's partition-package
// declares it for the perf plots.
const (
	partitionName  = "partition"
	partitionStart = "start-partition"
	partitionStop  = "stop-partition"
)

// NemesisIntervals pairs the nemesis's start and stop entries the way
// Jepsen's util/nemesis-intervals does: entries go in twos (invocation,
// completion) with the same f; a stop pair (c, d) closes every open start
// pair (a, b) as the intervals [a, c] and [b, d]; starts never stopped stay
// open.
func NemesisIntervals(ops []NemesisOp) []Interval {
	var intervals []Interval
	var starts [][2]NemesisOp
	for i := 0; i+1 < len(ops); i += 2 {
		a, b := ops[i], ops[i+1]
		if a.F != b.F {
			continue
		}
		switch a.F {
		case partitionStart:
			starts = append(starts, [2]NemesisOp{a, b})
		case partitionStop:
			for _, s := range starts {
				intervals = append(intervals,
					Interval{Start: s[0].Time, Stop: a.Time},
					Interval{Start: s[1].Time, Stop: b.Time})
			}
			starts = nil
		}
	}
	for _, s := range starts {
		intervals = append(intervals, Interval{Start: s[0].Time, Open: true}, Interval{Start: s[1].Time, Open: true})
	}
	return intervals
}

// Seconds and Millis are the plots' units (perf.clj's latency-point).
func Seconds(d time.Duration) float64 { return d.Seconds() }
func Millis(d time.Duration) float64  { return float64(d) / float64(time.Millisecond) }

// bucket is the index of the dt-wide bucket t falls into, and bucketMid its
// midpoint: perf.clj's bucket-time is bucketMid(dt, bucket(dt, t)). Both in
// seconds.
func bucket(dt, t float64) int { return int(math.Floor(t / dt)) }

func bucketMid(dt float64, b int) float64 { return float64(b)*dt + dt/2 }

// Quantile is Jepsen's quantile of sorted values: the element at
// min(n-1, floor(n*q)) (perf.clj's quantiles).
func Quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	return sorted[min(n-1, int(math.Floor(float64(n)*q)))]
}

// Point is one (x, y) of a series.
type Point struct{ X, Y float64 }

// LatencyQuantiles are the perf checker's quantiles-graph data: per bucket
// of dt seconds of invocation time, the quantiles qs of the latencies (ms)
// of the operations invoked in it. The result maps each quantile to one
// point per non-empty bucket, in time order.
func LatencyQuantiles(ops []Op, dt float64, qs []float64) map[float64][]Point {
	buckets := map[int][]float64{}
	for _, op := range ops {
		b := bucket(dt, Seconds(op.Invoke))
		buckets[b] = append(buckets[b], Millis(op.Complete-op.Invoke))
	}
	order := make([]int, 0, len(buckets))
	for b := range buckets {
		order = append(order, b)
	}
	sort.Ints(order)
	out := map[float64][]Point{}
	for _, b := range order {
		ls := buckets[b]
		sort.Float64s(ls)
		for _, q := range qs {
			out[q] = append(out[q], Point{bucketMid(dt, b), Quantile(ls, q)})
		}
	}
	return out
}

// Rates are the perf checker's rate-graph data: completions per second, by
// f and completion type, in buckets of dt seconds of completion time. Every
// bucket whose midpoint is at most tmax (the history's last time, seconds)
// gets a point, zero where nothing completed (perf.clj's buckets); like
// Jepsen's, a last bucket whose midpoint lies past tmax is not drawn.
func Rates(ops []Op, dt, tmax float64) map[string]map[string][]Point {
	counts := map[string]map[string]map[int]int{}
	for _, op := range ops {
		byType := counts[op.F]
		if byType == nil {
			byType = map[string]map[int]int{}
			counts[op.F] = byType
		}
		if byType[op.Type] == nil {
			byType[op.Type] = map[int]int{}
		}
		byType[op.Type][bucket(dt, Seconds(op.Complete))]++
	}
	out := map[string]map[string][]Point{}
	for f, byType := range counts {
		out[f] = map[string][]Point{}
		for _, typ := range Outcomes {
			var pts []Point
			for b := 0; bucketMid(dt, b) <= tmax; b++ {
				pts = append(pts, Point{bucketMid(dt, b), float64(byType[typ][b]) / dt})
			}
			out[f][typ] = pts
		}
	}
	return out
}

// Jepsen's bucket widths, in seconds: quantiles-graph's and rate-graph's dt.
const (
	JepsenQuantileBucket = 30.0
	JepsenRateBucket     = 10.0
)

// BucketWidth is the bucket width the plots use for a run lasting tmax
// seconds: Jepsen's dt, made smaller for short runs so that the plot has
// at least minBuckets buckets (a 20 s challenge run would otherwise get one
// quantile point per line). Widths are 1, 2 or 5 times a power of ten.
func BucketWidth(jepsenDt, tmax float64) float64 {
	const minBuckets = 20
	if tmax <= 0 || tmax/jepsenDt >= minBuckets {
		return jepsenDt
	}
	want := tmax / minBuckets
	scale := math.Pow(10, math.Floor(math.Log10(want)))
	for _, m := range []float64{1, 2, 5, 10} {
		if w := m * scale; w >= want {
			return math.Min(w, jepsenDt)
		}
	}
	return jepsenDt
}

// End is the last time in the perf data, in seconds (perf.clj's t-max).
func (p Perf) End() float64 {
	var end time.Duration
	for _, op := range p.Ops {
		end = max(end, op.Complete)
	}
	for _, n := range p.Nemesis {
		end = max(end, n.Time)
	}
	return Seconds(end)
}

// Fs are the operations' fs, sorted (perf.clj's polysort of the keys).
func (p Perf) Fs() []string {
	seen := map[string]bool{}
	var fs []string
	for _, op := range p.Ops {
		if !seen[op.F] {
			seen[op.F] = true
			fs = append(fs, op.F)
		}
	}
	sort.Strings(fs)
	return fs
}
