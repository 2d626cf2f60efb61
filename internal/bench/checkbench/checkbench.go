package checkbench

import (
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/registry"
)

// Result is one checker on one history size.
type Result struct {
	Spec    string
	Ops     int // client invocations
	Entries int // history entries
	Times   []time.Duration
	// Allocated is the bytes one check allocates (the smallest over the
	// runs); PeakHeap the most live heap a check held above the history
	// itself (the largest over the runs, sampled every few milliseconds).
	Allocated, PeakHeap uint64
	Verdict             checker.Validity
	Anomalies           []string
	Err                 error
	Skipped             bool // the size is past the spec's MaxOps
}

// Median is the median check time.
func (r Result) Median() time.Duration {
	if len(r.Times) == 0 {
		return 0
	}
	t := slices.Clone(r.Times)
	slices.Sort(t)
	return t[len(t)/2]
}

// Check runs the spec's workload checker on h.
func Check(spec Spec, h history.History) (checker.Result, error) {
	w, ok := registry.Lookup(spec.Workload)
	if !ok {
		return checker.Result{}, fmt.Errorf("no workload %q", spec.Workload)
	}
	p := spec.Params
	return w.Check(&p, h), nil
}

// Measure simulates a history of about ops operations and checks it runs
// times.
func Measure(spec Spec, ops, runs int, seed uint64) Result {
	r := Result{Spec: spec.Name, Ops: ops}
	h, err := Simulate(spec, ops, seed)
	if err != nil {
		r.Err = err
		return r
	}
	r.Entries = len(h)
	for range max(runs, 1) {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		stop := sampleHeap()
		start := time.Now()
		res, err := Check(spec, h)
		elapsed := time.Since(start)
		peak := stop()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		if err != nil {
			r.Err = err
			return r
		}
		r.Times = append(r.Times, elapsed)
		if alloc := after.TotalAlloc - before.TotalAlloc; r.Allocated == 0 || alloc < r.Allocated {
			r.Allocated = alloc
		}
		if peak > before.HeapAlloc {
			r.PeakHeap = max(r.PeakHeap, peak-before.HeapAlloc)
		}
		r.Verdict, r.Anomalies = res.Valid, res.Anomalies
	}
	return r
}

// sampleHeap samples the live heap every 2 ms until stop, which returns
// the largest sample.
func sampleHeap() (stop func() uint64) {
	done := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var most uint64
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			most = max(most, s[0].Value.Uint64())
			select {
			case <-tick.C:
			case <-done:
				peak <- most
				return
			}
		}
	}()
	return func() uint64 {
		close(done)
		return <-peak
	}
}

// Config is one benchmark invocation.
type Config struct {
	Specs []Spec
	Sizes []int // operations per history
	Runs  int
	Seed  uint64
	Log   io.Writer
}

// Run measures every spec at every size.
func Run(cfg Config) []Result {
	log := cfg.Log
	if log == nil {
		log = io.Discard
	}
	var out []Result
	for _, spec := range cfg.Specs {
		for _, n := range cfg.Sizes {
			if spec.MaxOps > 0 && n > spec.MaxOps {
				out = append(out, Result{Spec: spec.Name, Ops: n, Skipped: true})
				continue
			}
			fmt.Fprintf(log, "%s, %d ops...", spec.Name, n)
			r := Measure(spec, n, cfg.Runs, cfg.Seed)
			if r.Err != nil {
				fmt.Fprintf(log, " failed: %v\n", r.Err)
			} else {
				fmt.Fprintf(log, " %v, %s\n", r.Median().Round(time.Millisecond), r.Verdict)
			}
			out = append(out, r)
		}
	}
	return out
}

// Table renders the results.
func Table(results []Result) string {
	var b strings.Builder
	b.WriteString("| checker (history) | ops | history entries | check time (median of runs) | runs | allocated MB | peak heap MB | verdict |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---|\n")
	for _, r := range results {
		cells := []string{r.Spec, strconv.Itoa(r.Ops)}
		switch {
		case r.Skipped:
			cells = append(cells, "", "not run: the history would hold about 10^9 read elements", "", "", "", "")
		case r.Err != nil:
			cells = append(cells, "", "failed: "+r.Err.Error(), "", "", "", "")
		default:
			verdict := r.Verdict.String()
			if len(r.Anomalies) > 0 {
				verdict += " (" + strings.Join(r.Anomalies, ", ") + ")"
			}
			cells = append(cells, strconv.Itoa(r.Entries), formatDuration(r.Median()), strconv.Itoa(len(r.Times)),
				fmt.Sprintf("%.0f", float64(r.Allocated)/(1<<20)), fmt.Sprintf("%.0f", float64(r.PeakHeap)/(1<<20)), verdict)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	return b.String()
}

func formatDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	case d < time.Minute:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return d.Round(time.Second).String()
}
