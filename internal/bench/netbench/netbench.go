// Package netbench measures the workbench's simulated network with real
// node processes: flood nodes (testdata/floodnode) keep a fixed number of
// messages circulating through a whole glomers run (the echo workload with no
// client operations, so nearly everything routed is node to node), and the
// benchmark reports what the nodes saw during a fixed window (messages routed
// per second, each hop's time beyond the simulated latency) and what the
// workbench itself spent in that window (its CPU per routed message, its
// peak memory), apart from the nodes' own CPU.
package netbench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gossip-glomers/internal/bench/netbench/floodstats"
	"gossip-glomers/internal/cli"
	"gossip-glomers/internal/runner"
)

// NodePackage is the flood node the benchmark builds when no binary is given.
const NodePackage = "internal/bench/netbench/testdata/floodnode"

// Case is one benchmark setting.
type Case struct {
	Name     string
	Nodes    int
	Tokens   int           // flood messages each node keeps circulating
	Latency  time.Duration // Maelstrom's --latency (constant)
	Duration time.Duration // the measured window
	// Spread is how long each node takes to put its tokens in circulation
	// (0: all at once). With a constant latency the tokens keep the pace
	// they started with, so tokens started together would arrive together
	// every round, and the latency measured would be the time to drain that
	// burst rather than what the workbench adds to one message.
	Spread time.Duration
}

func (c Case) String() string {
	return fmt.Sprintf("%s: %d nodes, %d tokens each, --latency %d, %v window",
		c.Name, c.Nodes, c.Tokens, c.Latency.Milliseconds(), c.Duration)
}

// DefaultCases are the settings: the ceiling at 5, 25 and 100 nodes
// (no latency, so the tokens go round as fast as the workbench routes
// them); challenge 3d's shape (25 nodes, --latency 100) at about the
// 12,600 messages a second of a flooding broadcast node, started over one
// latency period so that they flow at a steady rate, for the latency the
// workbench adds; the same with every token started at once (1,250
// messages falling due together every 100 ms: the latency measured is how
// long that burst takes to drain); and 25 nodes for four times as long, for memory that
// must not grow with the run.
func DefaultCases(window time.Duration) []Case {
	return []Case{
		{Name: "ceiling", Nodes: 5, Tokens: 100, Duration: window},
		{Name: "ceiling", Nodes: 25, Tokens: 40, Duration: window},
		{Name: "ceiling", Nodes: 100, Tokens: 10, Duration: window},
		{Name: "3d-load", Nodes: 25, Tokens: 50, Latency: 100 * time.Millisecond, Duration: window, Spread: 100 * time.Millisecond},
		{Name: "3d-burst", Nodes: 25, Tokens: 50, Latency: 100 * time.Millisecond, Duration: window},
		{Name: "long", Nodes: 25, Tokens: 40, Duration: 4 * window},
	}
}

// Result is one run of a case.
type Result struct {
	Case
	Routed       int64         // flood messages received in the window, over all nodes
	PerSecond    float64       // Routed / window
	WorkbenchCPU time.Duration // glomers' own CPU time in the window
	NodesCPU     time.Duration // the flood nodes' CPU time in the window, summed
	// Added is each hop's time beyond the simulated latency: quantiles 0.5,
	// 0.99 and 1 (the hop is measured from the sending node's write to the
	// receiving node's read, so it includes both pipes).
	AddedP50, AddedP99, AddedMax time.Duration
	// InNetwork is the part of Added spent inside the workbench's network,
	// from the message journal: delivery time less send time less the
	// simulated latency, quantiles 0.5, 0.99 and 1 over every node-to-node
	// message. The rest of Added is the two pipes, the workbench reading
	// and writing them, and the nodes being scheduled.
	InNetworkP50, InNetworkP99, InNetworkMax time.Duration
	PeakRSS, PeakHeap                        uint64 // bytes, sampled during the window
	LateStart                                time.Duration
	Err                                      error
}

// CPUPerMessage is the workbench's CPU time per routed message.
func (r Result) CPUPerMessage() time.Duration {
	if r.Routed == 0 {
		return 0
	}
	return r.WorkbenchCPU / time.Duration(r.Routed)
}

// Config is one benchmark invocation.
type Config struct {
	Bin   string // flood node binary ("" builds it)
	Cases []Case
	Runs  int    // runs of each case
	Store string // where the runs' folders go ("" a temporary folder, removed)
	Log   io.Writer
}

// Run builds the node if needed and runs every case Runs times.
func Run(ctx context.Context, cfg Config) ([]Result, error) {
	log := cfg.Log
	if log == nil {
		log = io.Discard
	}
	tmp, err := os.MkdirTemp("", "glomers-bench-net-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	bin := cfg.Bin
	if bin == "" {
		bin = filepath.Join(tmp, "floodnode")
		if err := build(ctx, bin, log); err != nil {
			return nil, err
		}
	}
	store := cfg.Store
	if store == "" {
		store = filepath.Join(tmp, "store")
	}
	runs := max(cfg.Runs, 1)
	var out []Result
	for _, c := range cfg.Cases {
		for i := range runs {
			fmt.Fprintf(log, "%s (run %d of %d)\n", c, i+1, runs)
			r := runCase(ctx, c, bin, store)
			if r.Err != nil {
				fmt.Fprintf(log, "  failed: %v\n", r.Err)
			} else {
				fmt.Fprintf(log, "  %.0f msgs/s, workbench %.2f µs/msg, added p99 %v, peak RSS %d MB\n",
					r.PerSecond, float64(r.CPUPerMessage().Nanoseconds())/1000, r.AddedP99, r.PeakRSS>>20)
			}
			out = append(out, r)
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
		}
	}
	return out, nil
}

func build(ctx context.Context, bin string, log io.Writer) error {
	root, err := cli.ModuleRoot()
	if err != nil {
		return fmt.Errorf("building the flood node: run from the gossip-glomers checkout, or pass --bin (%w)", err)
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./"+NodePackage)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building the flood node: %w", err)
	}
	return nil
}

// startMargin is how long before the window the run starts: enough for
// every node to start and answer init on a loaded machine.
func startMargin(nodes int) time.Duration {
	return time.Second + time.Duration(nodes)*30*time.Millisecond
}

const grace = time.Second // after the window, for the nodes to report

// Args are the `glomers test` flags of one case, with the window starting at start.
func Args(c Case, bin, store string, start time.Time) []string {
	limit := time.Until(start) + c.Duration + grace + time.Second
	return []string{
		"-w", "echo", "--bin", bin, "--store", store,
		"--node-count", strconv.Itoa(c.Nodes), "--rate", "0",
		"--time-limit", strconv.Itoa(int((limit + time.Second - 1) / time.Second)),
		"--latency", strconv.FormatInt(c.Latency.Milliseconds(), 10),
		"--",
		"-tokens", strconv.Itoa(c.Tokens), "-start", strconv.FormatInt(start.UnixMilli(), 10),
		"-duration", c.Duration.String(), "-grace", grace.String(), "-spread", c.Spread.String(),
	}
}

func runCase(ctx context.Context, c Case, bin, store string) Result {
	res := Result{Case: c}
	start := time.Now().Add(startMargin(c.Nodes))
	cfg, err := cli.ParseTest(Args(c, bin, store, start))
	if err != nil {
		res.Err = err
		return res
	}
	cfg.Log = io.Discard
	// Samples the workbench during the window, alongside the run.
	window := make(chan sample, 1)
	go func() { window <- measure(ctx, start, c.Duration) }()
	out, err := runner.Run(ctx, cfg)
	s := <-window
	if err != nil {
		res.Err = err
		return res
	}
	res.WorkbenchCPU, res.PeakRSS, res.PeakHeap = s.cpu, s.peakRSS, s.peakHeap
	var hop floodstats.Histogram
	for _, node := range cfg.Nodes {
		b, err := os.ReadFile(filepath.Join(out.Dir, "node-logs", node+".log"))
		if err != nil {
			res.Err = err
			return res
		}
		rep, err := floodstats.Parse(string(b))
		if err != nil {
			res.Err = fmt.Errorf("node %s: %w", node, err)
			return res
		}
		res.Routed += rep.Received
		res.NodesCPU += rep.CPU
		res.LateStart = max(res.LateStart, rep.Started)
		hop.Merge(rep.Hop)
	}
	inNet, err := journalLag(filepath.Join(out.Dir, "messages.jsonl"))
	if err != nil {
		res.Err = err
		return res
	}
	res.InNetworkP50 = inNet.Quantile(0.5) - c.Latency
	res.InNetworkP99 = inNet.Quantile(0.99) - c.Latency
	res.InNetworkMax = inNet.Quantile(1) - c.Latency
	res.PerSecond = float64(res.Routed) / c.Duration.Seconds()
	res.AddedP50 = hop.Quantile(0.5) - c.Latency
	res.AddedP99 = hop.Quantile(0.99) - c.Latency
	res.AddedMax = hop.Quantile(1) - c.Latency
	return res
}

// journalLag reads a run's message journal and counts, for every message
// between two nodes, the time from its send to its delivery. It reads the
// lines as the journal writes them ({"type":..,"time":..,"message":{"id":..,
// "src":..,"dest":..), without decoding the bodies.
func journalLag(path string) (floodstats.Histogram, error) {
	var h floodstats.Histogram
	f, err := os.Open(path)
	if err != nil {
		return h, err
	}
	defer f.Close()
	sentAt := map[int64]int64{} // in flight: id -> send time (ns)
	r := bufio.NewReaderSize(f, 1<<20)
	for {
		line, err := r.ReadSlice('\n')
		if len(line) > 0 {
			send := bytes.HasPrefix(line, []byte(`{"type":"send","time":`))
			recv := bytes.HasPrefix(line, []byte(`{"type":"recv","time":`))
			at, ok1 := intAfter(line, []byte(`"time":`))
			id, ok2 := intAfter(line, []byte(`"message":{"id":`))
			between := bytes.Contains(line, []byte(`,"src":"n`)) && bytes.Contains(line, []byte(`,"dest":"n`))
			switch {
			case !ok1 || !ok2 || !between:
			case send:
				sentAt[id] = at
			case recv:
				if t, ok := sentAt[id]; ok {
					h.Add(time.Duration(at - t))
					delete(sentAt, id)
				}
			}
		}
		if err == io.EOF {
			return h, nil
		}
		if err != nil && err != bufio.ErrBufferFull {
			return h, err
		}
	}
}

// intAfter reads the decimal integer right after the first key in line.
func intAfter(line, key []byte) (int64, bool) {
	i := bytes.Index(line, key)
	if i < 0 {
		return 0, false
	}
	rest := line[i+len(key):]
	j := 0
	for j < len(rest) && (rest[j] >= '0' && rest[j] <= '9' || (j == 0 && rest[j] == '-')) {
		j++
	}
	v, err := strconv.ParseInt(string(rest[:j]), 10, 64)
	return v, err == nil
}

type sample struct {
	cpu               time.Duration
	peakRSS, peakHeap uint64
}

// measure waits for the window, then takes the process's CPU time at both
// ends and its resident memory and heap every 100 ms in between.
func measure(ctx context.Context, start time.Time, d time.Duration) sample {
	var s sample
	select {
	case <-time.After(time.Until(start)):
	case <-ctx.Done():
		return s
	}
	cpu0 := SelfCPU()
	end := start.Add(d)
	heap := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for time.Now().Before(end) && ctx.Err() == nil {
		s.peakRSS = max(s.peakRSS, rss())
		metrics.Read(heap)
		s.peakHeap = max(s.peakHeap, heap[0].Value.Uint64())
		select {
		case <-tick.C:
		case <-ctx.Done():
		}
	}
	s.cpu = SelfCPU() - cpu0
	return s
}

// SelfCPU is this process's user and system CPU time so far.
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rss is this process's resident memory in bytes (0 where /proc is missing).
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

// Machine describes where the benchmark ran: CPU model, cores, OS, Go.
func Machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range bytes.Split(b, []byte("\n")) {
			if k, v, ok := bytes.Cut(line, []byte(":")); ok && string(bytes.TrimSpace(k)) == "model name" {
				model = string(bytes.TrimSpace(v))
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, %s/%s, %s", model, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
}

// LoadAverage is the 1-minute load average ("" where /proc is missing).
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// Table renders the results, one line per case: the median of its runs and,
// after it, the range over the runs.
func Table(results []Result) string {
	var b strings.Builder
	b.WriteString("| case | nodes | tokens/node | latency ms | window s | runs | routed msgs/s | workbench CPU µs/msg | nodes CPU µs/msg | added latency ms (p50 / p99 / max) | of which in the network ms (p50 / p99 / max) | peak RSS MB | peak heap MB |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|\n")
	for _, group := range byCase(results) {
		c := group[0].Case
		var ok []Result
		var failed []string
		for _, r := range group {
			if r.Err != nil {
				failed = append(failed, oneLine(r.Err.Error()))
				continue
			}
			ok = append(ok, r)
		}
		cells := []string{c.Name, strconv.Itoa(c.Nodes), strconv.Itoa(c.Tokens), strconv.FormatInt(c.Latency.Milliseconds(), 10),
			fmt.Sprintf("%.0f", c.Duration.Seconds()), strconv.Itoa(len(group))}
		if len(ok) == 0 {
			cells = append(cells, "failed: "+strings.Join(failed, "; "), "", "", "", "", "", "")
		} else {
			us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }
			ms := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }
			mb := func(v uint64) float64 { return float64(v) / (1 << 20) }
			cells = append(cells,
				spread(ok, "%.0f", func(r Result) float64 { return r.PerSecond }),
				spread(ok, "%.2f", func(r Result) float64 { return us(r.CPUPerMessage()) }),
				spread(ok, "%.2f", func(r Result) float64 { return us(r.NodesCPU) / float64(max(r.Routed, 1)) }),
				spread(ok, "%.2f", func(r Result) float64 { return ms(r.AddedP50) })+" / "+
					spread(ok, "%.2f", func(r Result) float64 { return ms(r.AddedP99) })+" / "+
					spread(ok, "%.1f", func(r Result) float64 { return ms(r.AddedMax) }),
				spread(ok, "%.2f", func(r Result) float64 { return ms(r.InNetworkP50) })+" / "+
					spread(ok, "%.2f", func(r Result) float64 { return ms(r.InNetworkP99) })+" / "+
					spread(ok, "%.1f", func(r Result) float64 { return ms(r.InNetworkMax) }),
				spread(ok, "%.0f", func(r Result) float64 { return mb(r.PeakRSS) }),
				spread(ok, "%.0f", func(r Result) float64 { return mb(r.PeakHeap) }))
			if len(failed) > 0 {
				cells[len(cells)-1] += fmt.Sprintf(" (%d failed: %s)", len(failed), strings.Join(failed, "; "))
			}
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	return b.String()
}

// byCase groups results of the same case, in their first appearance's order.
func byCase(results []Result) [][]Result {
	var groups [][]Result
	for _, r := range results {
		i := slices.IndexFunc(groups, func(g []Result) bool { return g[0].Case == r.Case })
		if i < 0 {
			groups = append(groups, nil)
			i = len(groups) - 1
		}
		groups[i] = append(groups[i], r)
	}
	return groups
}

// spread is "median" for one value, "median (min–max)" for more.
func spread(rs []Result, format string, f func(Result) float64) string {
	vals := make([]float64, len(rs))
	for i, r := range rs {
		vals[i] = f(r)
	}
	slices.Sort(vals)
	med := vals[len(vals)/2]
	if len(vals)%2 == 0 {
		med = (vals[len(vals)/2-1] + vals[len(vals)/2]) / 2
	}
	s := fmt.Sprintf(format, med)
	if len(vals) > 1 {
		s += fmt.Sprintf(" ("+format+"–"+format+")", vals[0], vals[len(vals)-1])
	}
	return s
}

func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return s
}
