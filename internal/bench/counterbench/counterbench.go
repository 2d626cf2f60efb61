// Package counterbench sweeps maelstrom-counter's commit gap (the least time
// between two cas of a node, during which adds wait to share the next one)
// at challenge 4's parameters: one run with no flags (as Maelstrom runs it)
// and one per gap, and renders servers msgs-per-op against add latency as a
// Markdown table.
package counterbench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gossip-glomers/internal/challenge"
	"gossip-glomers/internal/cli"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/runner"
)

// Config is one sweep.
type Config struct {
	Bin       string          // maelstrom-counter ("" builds ./maelstrom-counter)
	Gaps      []time.Duration // passed to the binary as -commit-gap
	TimeLimit int             // seconds per run
	Extra     []string        // more Maelstrom flags for every run, e.g. --concurrency 4n
	Log       io.Writer       // progress
}

// Row is one setting of the sweep.
type Row struct {
	Label      string // the -commit-gap value, or DefaultSetting
	Ops        int    // client invocations
	MsgsPerOp  float64
	Add        report.Quantiles // ok add latency, ms
	Valid      bool
	ReadsAgree bool // every final read returned the same value
	FinalValue int64
	Err        error
}

// DefaultSetting labels the run with no flags.
const DefaultSetting = "default (no flags)"

// Args are challenge 4's official flags plus the sweep's.
func Args(cfg Config, bin, store string, binFlags []string) []string {
	c, _ := challenge.Lookup("4")
	args := []string{"--bin", bin, "-w", c.Workload}
	args = append(args, c.Args...)
	args = append(args, "--time-limit", strconv.Itoa(cfg.TimeLimit), "--store", store)
	args = append(args, cfg.Extra...)
	if len(binFlags) > 0 {
		args = append(append(args, "--"), binFlags...)
	}
	return args
}

// Run runs every setting, one after the other, in a temporary store.
func Run(ctx context.Context, cfg Config) ([]Row, error) {
	log := cfg.Log
	if log == nil {
		log = io.Discard
	}
	tmp, err := os.MkdirTemp("", "glomers-bench-counter-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	bin := cfg.Bin
	if bin == "" {
		fmt.Fprintln(log, "bench-counter: building maelstrom-counter...")
		if bin, err = build(ctx, tmp); err != nil {
			return nil, err
		}
	}
	type setting struct {
		label    string
		binFlags []string // after --, for the node binary
	}
	settings := []setting{{DefaultSetting, nil}}
	for _, g := range cfg.Gaps {
		settings = append(settings, setting{g.String(), []string{"-commit-gap", g.String()}})
	}
	var rows []Row
	for _, s := range settings {
		r := Row{Label: s.label}
		fmt.Fprintf(log, "bench-counter: %s at challenge 4's parameters (%d s)...\n", r.Label, cfg.TimeLimit)
		res, err := runOnce(ctx, Args(cfg, bin, filepath.Join(tmp, "store"), s.binFlags))
		if err != nil {
			r.Err = err
		} else {
			r.fill(res)
		}
		fmt.Fprintf(log, "bench-counter: %s\n", r.Summary())
		rows = append(rows, r)
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
	r.Ops = res.Ops.Invoke
	if res.Net != nil {
		r.MsgsPerOp = res.Net.Servers.PerOp()
	}
	r.Add = res.LatencyByF["add"]
	r.Valid = res.Valid
	reads, err := finalReads(res.Checker)
	if err != nil {
		r.Err = err
		return
	}
	r.ReadsAgree = len(reads) > 0
	for _, v := range reads {
		r.ReadsAgree = r.ReadsAgree && v == reads[0]
	}
	if len(reads) > 0 {
		r.FinalValue = reads[0]
	}
}

// finalReads decodes the counter checker's final-reads figure.
func finalReads(figures map[string]any) ([]int64, error) {
	raw, err := json.Marshal(figures["final-reads"])
	if err != nil {
		return nil, err
	}
	var reads []int64
	if err := json.Unmarshal(raw, &reads); err != nil {
		return nil, fmt.Errorf("final-reads figure %s: %v", raw, err)
	}
	return reads, nil
}

// build compiles ./maelstrom-counter of this checkout into dir.
func build(ctx context.Context, dir string) (string, error) {
	root, err := cli.ModuleRoot()
	if err != nil {
		return "", fmt.Errorf("%v (or pass --bin)", err)
	}
	bin := filepath.Join(dir, "maelstrom-counter")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./maelstrom-counter")
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building maelstrom-counter: %v\n%s", err, out.String())
	}
	return bin, nil
}

// Summary is the row as one progress line.
func (r Row) Summary() string {
	if r.Err != nil {
		return fmt.Sprintf("%s: error: %v", r.Label, oneLine(r.Err.Error()))
	}
	return fmt.Sprintf("%s: %d ops, servers msgs-per-op %.2f, add latency median %.1f ms, p99 %.1f ms, valid %s, final reads agree %s",
		r.Label, r.Ops, r.MsgsPerOp, r.Add.Median, r.Add.P99, yesNo(r.Valid), yesNo(r.ReadsAgree))
}

// Table renders the sweep as Markdown.
func Table(rows []Row) string {
	var b strings.Builder
	b.WriteString("| commit gap | ops | servers msgs-per-op | add latency median / p99 / max (ms) | valid | final reads agree |\n")
	b.WriteString("|---|---:|---:|---:|---|---|\n")
	for _, r := range rows {
		if r.Err != nil {
			fmt.Fprintf(&b, "| %s | - | - | - | error: %s | - |\n", r.Label, oneLine(r.Err.Error()))
			continue
		}
		fmt.Fprintf(&b, "| %s | %d | %.2f | %.1f / %.1f / %.1f | %s | %s (%d) |\n", r.Label, r.Ops, r.MsgsPerOp,
			r.Add.Median, r.Add.P99, r.Add.Max, yesNo(r.Valid), yesNo(r.ReadsAgree), r.FinalValue)
	}
	return b.String()
}

// JoinDurations writes gaps as the --gaps flag takes them.
func JoinDurations(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.ReplaceAll(s, "|", "/")
}
