package plots

import (
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func ms(n float64) time.Duration  { return time.Duration(n * float64(time.Millisecond)) }
func sec(n float64) time.Duration { return time.Duration(n * float64(time.Second)) }

func TestBucketsAndQuantiles(t *testing.T) {
	for _, tc := range []struct{ dt, t, want float64 }{
		{10, 0, 5}, {10, 9.99, 5}, {10, 10, 15}, {30, 31, 45}, {0.5, 1.2, 1.25},
	} {
		if got := bucketMid(tc.dt, bucket(tc.dt, tc.t)); got != tc.want {
			t.Errorf("bucket time of %v with dt %v = %v, want %v", tc.t, tc.dt, got, tc.want)
		}
	}
	// perf.clj's quantiles: sorted[min(n-1, floor(n*q))].
	sorted := []float64{1, 2, 3, 4}
	for q, want := range map[float64]float64{0: 1, 0.5: 3, 0.95: 4, 0.99: 4, 1: 4, 0.25: 2} {
		if got := Quantile(sorted, q); got != want {
			t.Errorf("quantile %v = %v, want %v", q, got, want)
		}
	}
}

func TestLatencyQuantiles(t *testing.T) {
	// Two buckets of 10 s: latencies 1, 2, 3 ms invoked in the first, 10 ms
	// in the third; the second is empty and gets no point.
	ops := []Op{
		{F: "read", Type: "ok", Invoke: sec(1), Complete: sec(1) + ms(3)},
		{F: "read", Type: "ok", Invoke: sec(2), Complete: sec(2) + ms(1)},
		{F: "read", Type: "fail", Invoke: sec(9), Complete: sec(9) + ms(2)},
		{F: "read", Type: "ok", Invoke: sec(25), Complete: sec(25) + ms(10)},
	}
	got := LatencyQuantiles(ops, 10, []float64{0.5, 1})
	want := map[float64][]Point{
		0.5: {{5, 2}, {25, 10}},
		1:   {{5, 3}, {25, 10}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestRates(t *testing.T) {
	ops := []Op{
		{F: "send", Type: "ok", Complete: sec(1)},
		{F: "send", Type: "ok", Complete: sec(3)},
		{F: "send", Type: "info", Complete: sec(12)},
		{F: "send", Type: "ok", Complete: sec(24)}, // in the bucket at 25 s, past tmax: not drawn (Jepsen's buckets)
	}
	got := Rates(ops, 10, 24)
	want := map[string]map[string][]Point{"send": {
		"ok":   {{5, 0.2}, {15, 0}},
		"info": {{5, 0}, {15, 0.1}},
		"fail": {{5, 0}, {15, 0}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestNemesisIntervals(t *testing.T) {
	start := func(at float64) NemesisOp { return NemesisOp{F: "start-partition", Time: sec(at)} }
	stop := func(at float64) NemesisOp { return NemesisOp{F: "stop-partition", Time: sec(at)} }
	for _, tc := range []struct {
		name string
		ops  []NemesisOp
		want []Interval
	}{
		{"start then stop pairs first with first, second with second",
			[]NemesisOp{start(1), start(1.1), stop(5), stop(5.1)},
			[]Interval{{Start: sec(1), Stop: sec(5)}, {Start: sec(1.1), Stop: sec(5.1)}}},
		{"a start never stopped stays open",
			[]NemesisOp{start(1), start(1.1), stop(5), stop(5.1), start(8), start(8.1)},
			[]Interval{{Start: sec(1), Stop: sec(5)}, {Start: sec(1.1), Stop: sec(5.1)}, {Start: sec(8), Open: true}, {Start: sec(8.1), Open: true}}},
		{"a stop with nothing started closes nothing",
			[]NemesisOp{stop(1), stop(1.1)}, nil},
		{"a pair whose fs differ is skipped",
			[]NemesisOp{start(1), stop(2)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NemesisIntervals(tc.ops); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestBucketWidth(t *testing.T) {
	for _, tc := range []struct{ jepsen, tmax, want float64 }{
		{30, 600, 30}, // long enough for Jepsen's buckets
		{30, 31, 2},   // a 20 s challenge run plus its final phase: 1.55 -> 2
		{30, 300, 20}, // 15 -> 20
		{10, 25, 2},   // 1.25 -> 2
		{10, 5, 0.5},  // 0.25 -> 0.5
		{10, 190, 10}, // 9.5 -> 10
		{10, 150, 10}, // 7.5 -> 10, Jepsen's
		{10, 0, 10},   // nothing to go by: Jepsen's
	} {
		if got := BucketWidth(tc.jepsen, tc.tmax); got != tc.want {
			t.Errorf("BucketWidth(%v, %v) = %v, want %v", tc.jepsen, tc.tmax, got, tc.want)
		}
	}
}

// The three perf plots are 900x400 PNGs, as Jepsen's; with no operation
// nothing is written (Jepsen's :no-points).
func TestPerfPlots(t *testing.T) {
	perf := Perf{Title: "test", Nemesis: []NemesisOp{
		{F: "start-partition", Time: sec(1)}, {F: "start-partition", Time: sec(1)},
		{F: "stop-partition", Time: sec(3)}, {F: "stop-partition", Time: sec(3)},
		{F: "start-partition", Time: sec(4)}, {F: "start-partition", Time: sec(4)},
	}}
	for i := range 200 {
		at := ms(float64(i) * 25)
		typ := []string{"ok", "ok", "ok", "fail", "info"}[i%5]
		f := []string{"read", "write"}[i%2]
		perf.Ops = append(perf.Ops, Op{F: f, Type: typ, Invoke: at, Complete: at + ms(float64(1+i%7))})
	}
	dir := t.TempDir()
	for name, draw := range map[string]func(Perf, string) (bool, error){
		"latency-raw.png": LatencyRaw, "latency-quantiles.png": LatencyQuantilesPlot, "rate.png": Rate,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			drawn, err := draw(perf, path)
			if err != nil || !drawn {
				t.Fatalf("drawn %v, err %v", drawn, err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != 900 || b.Dy() != 400 {
				t.Errorf("%s is %dx%d, want 900x400", name, b.Dx(), b.Dy())
			}
			empty := filepath.Join(dir, "empty-"+name)
			drawn, err = draw(Perf{Title: "empty"}, empty)
			if err != nil || drawn {
				t.Errorf("empty history: drawn %v, err %v", drawn, err)
			}
			if _, err := os.Stat(empty); !os.IsNotExist(err) {
				t.Errorf("empty history wrote %s", empty)
			}
		})
	}
}

// Every latency is drawn, including a zero one (clamped on the log axis)
// and a single-valued series (whose axis must still span a decade).
func TestLatencyRawDegenerate(t *testing.T) {
	perf := Perf{Title: "flat", Ops: []Op{{F: "echo", Type: "ok", Invoke: sec(1), Complete: sec(1)}}}
	if drawn, err := LatencyRaw(perf, filepath.Join(t.TempDir(), "x.png")); err != nil || !drawn {
		t.Fatalf("drawn %v, err %v", drawn, err)
	}
	perf.Ops[0].Complete = sec(1) + ms(5)
	if drawn, err := LatencyQuantilesPlot(perf, filepath.Join(t.TempDir(), "x.png")); err != nil || !drawn {
		t.Fatalf("drawn %v, err %v", drawn, err)
	}
}

func TestDecadeTicks(t *testing.T) {
	var labels []string
	for _, tick := range (decadeTicks{}).Ticks(0.1, 100) {
		if tick.Label != "" {
			labels = append(labels, tick.Label)
		}
	}
	if want := []string{"0.1", "1", "10", "100"}; !reflect.DeepEqual(labels, want) {
		t.Errorf("labels %v, want %v", labels, want)
	}
}
