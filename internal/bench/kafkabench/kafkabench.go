// Package kafkabench measures maelstrom-kafka against the design it
// replaced (key owners with lin-kv failover, kept in testdata/owners) and a
// straightforward baseline node (every send a compare-and-set on lin-kv, all
// data in lin-kv) at challenge 5b's parameters, one run after the other with
// the same seed, and renders the comparison: validity, servers msgs-per-op,
// the median / p99 / max latency of send and poll computed from each run's
// history, and the checker's worst realtime lag.
package kafkabench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gossip-glomers/internal/challenge"
	"gossip-glomers/internal/cli"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/runner"
)

// Packages of this module the benchmark builds when no binary is given.
const (
	NodePackage     = "maelstrom-kafka"
	PreviousPackage = "internal/bench/kafkabench/testdata/owners"
	BaselinePackage = "internal/workload/kafka/testdata/baseline"
)

// Config is one benchmark invocation.
type Config struct {
	Bin, Previous, Baseline string   // node binaries ("" builds them)
	TimeLimit               int      // seconds per run
	Seed                    uint64   // shared by all runs (0: one random seed for all)
	Extra                   []string // more Maelstrom flags, e.g. --latency 10
	Log                     io.Writer
}

// The targets for maelstrom-kafka (issue 15).
const (
	TargetMsgsPerOp = 0.1 // servers msgs-per-op, at most
	TargetMedianMS  = 1.0 // send and poll medians, below
)

// Quantiles of one f's ok latencies, in ms.
type Quantiles struct {
	N                int
	Median, P99, Max float64
}

// Row is one node's run.
type Row struct {
	Name      string
	Valid     bool
	Verdict   string
	Ops       int     // client invocations
	MsgsPerOp float64 // servers msgs-per-op
	Send      Quantiles
	Poll      Quantiles
	Lag       float64 // the kafka checker's worst-realtime-lag, in seconds
	Err       error
}

// Args are challenge 5b's official flags plus the benchmark's.
func Args(cfg Config, bin, store string, seed uint64) []string {
	c, _ := challenge.Lookup("5b")
	args := []string{"--bin", bin, "-w", c.Workload}
	args = append(args, c.Args...)
	args = append(args, "--time-limit", strconv.Itoa(cfg.TimeLimit), "--store", store,
		"--seed", strconv.FormatUint(seed, 10))
	return append(args, cfg.Extra...)
}

// Run builds what is missing and runs maelstrom-kafka, the previous design,
// then the baseline.
func Run(ctx context.Context, cfg Config) ([]Row, error) {
	log := cfg.Log
	if log == nil {
		log = io.Discard
	}
	tmp, err := os.MkdirTemp("", "glomers-bench-kafka-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	bins := []struct{ name, bin, pkg string }{
		{"maelstrom-kafka (watermarks)", cfg.Bin, NodePackage},
		{"previous design (key owners, lin-kv failover)", cfg.Previous, PreviousPackage},
		{"baseline (lin-kv cas per send)", cfg.Baseline, BaselinePackage},
	}
	seed := cfg.Seed
	for seed == 0 {
		seed = rand.Uint64() // one seed for all runs: the same generator draws
	}
	var rows []Row
	for _, b := range bins {
		bin := b.bin
		if bin == "" {
			fmt.Fprintf(log, "bench-kafka: building %s...\n", b.pkg)
			if bin, err = Build(ctx, b.pkg, tmp); err != nil {
				return nil, err
			}
		}
		fmt.Fprintf(log, "bench-kafka: running %s at 5b's parameters (%d s)...\n", b.name, cfg.TimeLimit)
		row := Row{Name: b.name}
		res, err := runOnce(ctx, Args(cfg, bin, filepath.Join(tmp, "store"), seed))
		if err != nil {
			row.Err = err
		} else {
			row.fill(res)
		}
		fmt.Fprintf(log, "bench-kafka: %s\n", row.Summary())
		rows = append(rows, row)
	}
	return rows, nil
}

func runOnce(ctx context.Context, args []string) (*report.Results, error) {
	cfg, err := cli.ParseTest(args)
	if err != nil {
		return nil, err
	}
	cfg.Log = io.Discard
	return runner.Run(ctx, cfg)
}

func (r *Row) fill(res *report.Results) {
	r.Valid, r.Verdict = res.Valid, fmt.Sprint(res.Verdict)
	r.Ops = res.Ops.Invoke
	if res.Net != nil {
		r.MsgsPerOp = res.Net.Servers.PerOp()
	}
	r.Lag = worstLag(res.Checker)
	perF, err := HistoryLatencies(filepath.Join(res.Dir, "history.jsonl"))
	if err != nil {
		r.Err = err
		return
	}
	r.Send, r.Poll = perF["send"], perF["poll"]
}

// Build compiles a package of this module into dir.
func Build(ctx context.Context, pkg, dir string) (string, error) {
	root, err := cli.ModuleRoot()
	if err != nil {
		return "", fmt.Errorf("%v (or pass the binaries)", err)
	}
	bin := filepath.Join(dir, strings.ReplaceAll(pkg, "/", "_"))
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./"+pkg)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building %s: %v\n%s", pkg, err, out.String())
	}
	return bin, nil
}

// entry is the part of a history line the latencies need.
type entry struct {
	Type    string          `json:"type"`
	Process json.RawMessage `json:"process"`
	F       string          `json:"f"`
	Time    int64           `json:"time"`
}

// HistoryLatencies reads a run's history.jsonl and returns, per f, the
// quantiles of its ok operations' latencies.
func HistoryLatencies(path string) (map[string]Quantiles, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var es []entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for sc.Scan() {
		var e entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		es = append(es, e)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return Latencies(es), nil
}

// Latencies pairs each client invocation with the next completion of its
// process and returns the quantiles of ok latencies per f.
func Latencies(es []entry) map[string]Quantiles {
	open := map[string]entry{}
	ms := map[string][]float64{}
	for _, e := range es {
		p := string(e.Process)
		if p == `"nemesis"` {
			continue
		}
		if e.Type == "invoke" {
			open[p] = e
			continue
		}
		inv, ok := open[p]
		if !ok {
			continue
		}
		delete(open, p)
		if e.Type == "ok" {
			ms[inv.F] = append(ms[inv.F], float64(e.Time-inv.Time)/1e6)
		}
	}
	out := map[string]Quantiles{}
	for f, l := range ms {
		out[f] = quantiles(l)
	}
	return out
}

// quantiles uses the runner's rule: element floor(n*q), capped at n-1.
func quantiles(ms []float64) Quantiles {
	sort.Float64s(ms)
	q := func(x float64) float64 {
		i := min(int(math.Floor(float64(len(ms))*x)), len(ms)-1)
		return math.Round(ms[i]*100) / 100
	}
	if len(ms) == 0 {
		return Quantiles{}
	}
	return Quantiles{N: len(ms), Median: q(0.5), P99: q(0.99), Max: q(1)}
}

// worstLag reads the lag, in seconds, of the checker's worst-realtime-lag
// figure: how long the freshest message a poll could have seen had existed
// when the poll began (jepsen.tests.kafka/realtime-lag). 0 if absent.
func worstLag(figures map[string]any) float64 {
	m, _ := figures["worst-realtime-lag"].(map[string]any)
	switch lag := m["lag"].(type) {
	case float64:
		return lag
	case json.Number:
		f, _ := lag.Float64()
		return f
	}
	return 0
}

// Summary is one line for the log.
func (r Row) Summary() string {
	if r.Err != nil {
		return fmt.Sprintf("%s: error: %v", r.Name, r.Err)
	}
	return fmt.Sprintf("%s: valid %v, %d ops, servers msgs-per-op %.2f, send median %.2f ms, poll median %.2f ms, worst realtime lag %.3f s",
		r.Name, r.Valid, r.Ops, r.MsgsPerOp, r.Send.Median, r.Poll.Median, r.Lag)
}

// Table renders the rows as Markdown. The first row is maelstrom-kafka and
// the last the baseline; when both worked, a line follows with the node's
// figures against the targets and the baseline-to-node ratio of
// msgs-per-op.
func Table(rows []Row) string {
	var b strings.Builder
	b.WriteString("| node | valid | ops | servers msgs-per-op | send median / p99 / max (ms) | poll median / p99 / max (ms) | worst realtime lag (s) |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		if r.Err != nil {
			fmt.Fprintf(&b, "| %s | error: %s | - | - | - | - | - |\n", r.Name, oneLine(r.Err.Error()))
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %.2f | %s | %s | %.3f |\n", r.Name, r.Verdict, r.Ops, r.MsgsPerOp,
			triple(r.Send), triple(r.Poll), r.Lag)
	}
	if len(rows) >= 2 {
		node, base := rows[0], rows[len(rows)-1]
		if node.Err == nil && base.Err == nil && node.MsgsPerOp > 0 {
			fmt.Fprintf(&b, "\n%s: servers msgs-per-op %.2f (target <= %g), send median %.2f ms and poll median %.2f ms (target < %g ms); baseline / %s servers msgs-per-op: %.0fx.\n",
				node.Name, node.MsgsPerOp, TargetMsgsPerOp, node.Send.Median, node.Poll.Median, TargetMedianMS,
				node.Name, base.MsgsPerOp/node.MsgsPerOp)
		}
	}
	return b.String()
}

func triple(q Quantiles) string {
	if q.N == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f / %.2f / %.2f", q.Median, q.P99, q.Max)
}

func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.ReplaceAll(s, "|", "/")
}
