package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"gossip-glomers/internal/challenge"
	"gossip-glomers/internal/registry"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/runner"
	"gossip-glomers/internal/workload"
)

func newChallengesCmd() *cobra.Command {
	var (
		o       TableOptions
		profile string
	)
	cmd := &cobra.Command{
		Use:   "challenges",
		Short: "Build every node binary and run every challenge glomers implements, then print a results table",
		Long: `Builds the node binaries and runs every challenge with its official flags, then prints the
results table (also written to STORE/challenges.md).

Challenges run concurrently (--parallel, default 10). The ones with latency targets (3d, 3e) start
first, beside at most one CPU-heavy challenge (rate of 500 operations a second or more: unique ids,
kafka, txn); otherwise at most 1.5 CPU-heavy ones per core run at once (--parallel-heavy), the
longest first, and the light ones (broadcast, counters, echo) alongside. Each challenge's output
goes to STORE/challenge-logs/ID.log, and stderr shows which are running and for how long.
--parallel 1 runs them one after another with their output on stderr, as a single run prints it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if profile != "" {
				stop, err := StartCPUProfile(profile)
				if err != nil {
					return err
				}
				defer stop()
			}
			log := cmd.ErrOrStderr()
			rows, elapsed, err := RunTable(cmd.Context(), o, log)
			if err != nil {
				return err
			}
			table := Table(rows)
			fmt.Fprint(cmd.OutOrStdout(), "\n"+table)
			fmt.Fprintf(log, "%d challenge(s) in %s (--parallel %d)\n", len(rows), elapsed.Round(100*time.Millisecond), o.Parallel)
			if err := os.MkdirAll(o.Store, 0o755); err == nil {
				_ = os.WriteFile(filepath.Join(o.Store, "challenges.md"), []byte(table), 0o644)
			}
			for _, r := range rows {
				if r.Status == "" && (r.Err != nil || r.Results == nil || !r.Results.Valid) {
					return exitError{code: ExitInvalid}
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&o.BinDir, "bin-dir", "", "folder holding already built node binaries (default: build them now)")
	cmd.Flags().StringSliceVar(&o.Only, "only", nil, "run only these challenges (e.g. 1,2,3d)")
	cmd.Flags().IntVar(&o.TimeLimit, "time-limit", 0, "override every challenge's time limit, in seconds (default: the official one)")
	cmd.Flags().StringVar(&o.Store, "store", "store", "folder that keeps every run's results")
	cmd.Flags().IntVar(&o.Parallel, "parallel", 10, "challenges running at once (1: one after another)")
	cmd.Flags().IntVar(&o.Heavy, "parallel-heavy", 0, "CPU-heavy challenges running at once (default: 1.5 per core, fewer than --parallel)")
	cmd.Flags().StringVar(&profile, "cpuprofile", "", "write a pprof CPU profile of glomers (not the nodes) to this file")
	return cmd
}

// TableOptions say how to run the challenges table (the flags of
// `glomers challenges`).
type TableOptions struct {
	BinDir    string   // built node binaries ("": build them into a temporary folder)
	Only      []string // challenge ids (none: all)
	TimeLimit int      // seconds, overriding every challenge's (0: the official ones)
	Store     string
	Parallel  int // challenges at once; 1 runs them one after another
	Heavy     int // CPU-heavy challenges at once (0: heavyLimit)
}

// RunTable runs the challenges as `glomers challenges` does and returns
// their rows, in the table's order, and how long they took. Bad options are
// a usage error; a failed build aborts.
func RunTable(ctx context.Context, o TableOptions, log io.Writer) ([]Row, time.Duration, error) {
	if o.Parallel < 1 {
		return nil, 0, usagef("--parallel must be at least 1, got %d", o.Parallel)
	}
	if o.Heavy < 0 {
		return nil, 0, usagef("--parallel-heavy must be at least 1 (or 0: the default), got %d", o.Heavy)
	}
	var todo []challenge.Challenge
	for _, c := range challenge.All {
		if len(o.Only) == 0 || oneOfFold(c.ID, o.Only) {
			todo = append(todo, c)
		}
	}
	if len(todo) == 0 {
		return nil, 0, usagef("--only %s matches no challenge (known: %s)", strings.Join(o.Only, ","), strings.Join(challenge.IDs(), ", "))
	}
	if o.BinDir == "" {
		dir, err := os.MkdirTemp("", "glomers-bin-")
		if err != nil {
			return nil, 0, err
		}
		defer os.RemoveAll(dir)
		if err := BuildBinaries(ctx, dir, o.Only, log); err != nil {
			return nil, 0, exitError{ExitAborted, err}
		}
		o.BinDir = dir
	}
	runs := make([]*challengeRun, len(todo))
	for i, c := range todo {
		args := []string{"--bin", filepath.Join(o.BinDir, c.Binary), "--store", o.Store}
		if o.TimeLimit > 0 {
			args = append(args, "--time-limit", fmt.Sprint(o.TimeLimit))
		}
		runs[i] = planChallenge(c, args)
	}
	start := time.Now()
	if o.Parallel == 1 {
		runOneByOne(ctx, runs, log)
	} else {
		heavy := o.Heavy
		if heavy == 0 {
			heavy = heavyLimit(o.Parallel)
		}
		lim := limits{total: o.Parallel, heavy: heavy, heavyBesideLatencyBound: 1}
		runConcurrently(ctx, runs, lim, filepath.Join(o.Store, "challenge-logs"), log)
	}
	var rows []Row
	for _, r := range runs {
		// As before, an interrupted table stops at the last challenge run.
		if r.ran || (r.row.Status != "" && ctx.Err() == nil) {
			rows = append(rows, r.row)
		}
	}
	return rows, time.Since(start), nil
}

// StartCPUProfile profiles this process into path until stop is called.
func StartCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// challengeRun is one challenge of the table: what to run and what came of it.
type challengeRun struct {
	row  Row
	args []string // flags for runChallenge (official ones are added there)
	// heavy: the challenge needs a good share of a core (see planChallenge).
	heavy bool
	// latencyBound: the challenge has latency targets, which CPU
	// contention would move.
	latencyBound bool
	// expected is about how long the run takes: its time limit, plus the
	// recovery wait and final phase if its workload has them.
	expected time.Duration
	ran      bool
	elapsed  time.Duration
}

// heavyRate is the rate (operations a second) from which a challenge counts
// as CPU-heavy: the workbench's work (clients, services, the checker) and
// the nodes' grow with the rate. The official challenges are at 1000 (unique
// ids, kafka, txn) or at most 100.
const heavyRate = 500

// planChallenge works out how a challenge will run; one whose workload is
// not implemented gets its row's status instead.
func planChallenge(c challenge.Challenge, extra []string) *challengeRun {
	r := &challengeRun{row: Row{Challenge: c}, args: extra}
	wl, ok := registry.Lookup(c.Workload)
	if !ok {
		r.row.Status = "not implemented yet"
		return r
	}
	r.expected = 30 * time.Second
	args, err := challengeRunArgs(c, extra)
	if err != nil {
		return r // runChallenge reports it
	}
	cfg, err := ParseTest(args)
	if err != nil {
		return r
	}
	r.heavy = cfg.Rate >= heavyRate
	r.latencyBound = c.Targets.MedianLatency > 0 || c.Targets.MaxLatency > 0
	r.expected = cfg.TimeLimit + 2*time.Second
	if _, final := wl.NewGenerator(&cfg.Params).(workload.FinalPhase); final {
		r.expected += 10 * time.Second // Maelstrom's recovery wait, then the final reads
	}
	return r
}

// heavyLimit is how many CPU-heavy challenges may run at once when the
// user does not say: about 1.5 per core (3 on 2 cores). Measured on 2 cores,
// each keeps about a third of a core busy (7 to 11 s of CPU, nodes
// included, over its 21 to 34 s), so that many leave about half of the
// machine to the light challenges and to the checkers' bursts at the end of
// each run; and never all of the slots, so that light ones keep going.
func heavyLimit(parallel int) int {
	return max(1, min(3*runtime.NumCPU()/2, parallel-1))
}

// runOneByOne is the table as it always ran: one challenge after another,
// each printing to log.
func runOneByOne(ctx context.Context, runs []*challengeRun, log io.Writer) {
	for _, r := range runs {
		if r.row.Status != "" {
			continue
		}
		start := time.Now()
		res, err := runChallenge(ctx, r.row.Challenge, r.args, log, true)
		r.row.Results, r.row.Err, r.ran, r.elapsed = res, err, true, time.Since(start)
		r.row.Elapsed = r.elapsed
		if ctx.Err() != nil {
			return
		}
	}
}

// runConcurrently runs the challenges within the limits, each writing to its
// own log in logDir, and shows on log which are running. Once ctx ends no
// more start.
func runConcurrently(ctx context.Context, runs []*challengeRun, lim limits, logDir string, log io.Writer) {
	var todo []*challengeRun
	for _, r := range runs {
		if r.row.Status == "" {
			todo = append(todo, r)
		}
	}
	// The latency-bound ones first, while little else runs; then the heavy
	// ones, the critical path (they share the cores); the longest first
	// among equals.
	rank := func(r *challengeRun) int {
		switch {
		case r.latencyBound:
			return 0
		case r.heavy:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(todo, func(a, b *challengeRun) int {
		if c := cmp.Compare(rank(a), rank(b)); c != 0 {
			return c
		}
		return cmp.Compare(b.expected, a.expected)
	})
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		for _, r := range todo {
			r.row.Err, r.ran = err, true
		}
		return
	}
	board := newProgressBoard(log, todo)
	defer board.stop()
	tasks := make([]task, len(todo))
	for i, r := range todo {
		tasks[i] = task{heavy: r.heavy, latencyBound: r.latencyBound, run: func() {
			path := filepath.Join(logDir, r.row.Challenge.ID+".log")
			board.startedRun(r, path)
			start := time.Now()
			r.row.Results, r.row.Err = runLogged(ctx, r, path)
			r.ran, r.elapsed = true, time.Since(start)
			r.row.Elapsed = r.elapsed
			board.finished(r)
		}}
	}
	schedule(ctx, tasks, lim)
}

// runLogged runs one challenge with its output in the file at path.
func runLogged(ctx context.Context, r *challengeRun, path string) (*report.Results, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Node goroutines write warnings to the log too: one write at a time.
	return runChallenge(ctx, r.row.Challenge, r.args, &syncWriter{w: f}, false)
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *syncWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// task is one job for schedule.
type task struct {
	heavy, latencyBound bool
	run                 func()
}

// limits bound what schedule runs at once.
type limits struct {
	total int // tasks
	heavy int // heavy tasks
	// heavyBesideLatencyBound: heavy tasks while a latency-bound one runs
	// (and a latency-bound one starts only with at most that many running).
	heavyBesideLatencyBound int
}

// schedule runs tasks, each in its own goroutine, in their order, within
// lim: whenever one ends it starts, in order, every waiting task that fits
// then. It returns when every started task has finished; once ctx ends it
// starts no more.
func schedule(ctx context.Context, tasks []task, lim limits) {
	done := make(chan int)
	waiting := make([]bool, len(tasks))
	for i := range waiting {
		waiting[i] = true
	}
	running, heavy, latencyBound := 0, 0, 0
	fits := func(t task) bool {
		switch {
		case running >= lim.total:
			return false
		case t.heavy && (heavy >= lim.heavy || (latencyBound > 0 && heavy >= lim.heavyBesideLatencyBound)):
			return false
		case t.latencyBound && heavy > lim.heavyBesideLatencyBound:
			return false
		}
		return true
	}
	count := func(t task, by int) {
		running += by
		if t.heavy {
			heavy += by
		}
		if t.latencyBound {
			latencyBound += by
		}
	}
	for {
		for i, t := range tasks {
			if ctx.Err() != nil {
				break
			}
			if !waiting[i] || !fits(t) {
				continue
			}
			waiting[i] = false
			count(t, 1)
			go func(i int) {
				tasks[i].run()
				done <- i
			}(i)
		}
		if running == 0 {
			return // all done, or interrupted with nothing left running
		}
		i := <-done
		count(tasks[i], -1)
	}
}

func oneOfFold(s string, list []string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), s) {
			return true
		}
	}
	return false
}

// runChallenge runs one challenge with its official flags and the extra
// ones, saying on log which command line that is.
//
// With progress, the run shows its own progress line (on a terminal).
func runChallenge(ctx context.Context, c challenge.Challenge, extra []string, log io.Writer, progress bool) (*report.Results, error) {
	args, err := challengeRunArgs(c, extra)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "\n=== Challenge %s: %s\n  official: %s\n  running:  glomers test %s\n",
		c.ID, c.Title, c.Command(filepath.Join("~/go/bin", c.Binary)), shellJoin(args))
	cfg, err := ParseTest(args)
	if err != nil {
		return nil, err
	}
	cfg.Log, cfg.Progress = log, progress
	return runner.Run(ctx, cfg)
}

// ModuleRoot finds the gossip-glomers checkout from the working directory up.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(bytes.TrimSpace(b), []byte("module gossip-glomers")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the gossip-glomers checkout: run from it, or pass --bin-dir")
		}
		dir = parent
	}
}

// BuildBinaries builds the node binaries of the challenges with these ids
// (none: all) into dir.
func BuildBinaries(ctx context.Context, dir string, only []string, log io.Writer) error {
	var todo []challenge.Challenge
	for _, c := range challenge.All {
		if len(only) == 0 || oneOfFold(c.ID, only) {
			todo = append(todo, c)
		}
	}
	return buildBinaries(ctx, dir, todo, log)
}

// buildBinaries builds the node binaries the challenges need into dir.
func buildBinaries(ctx context.Context, dir string, todo []challenge.Challenge, log io.Writer) error {
	root, err := ModuleRoot()
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	args := []string{"build", "-o", dir + string(filepath.Separator)}
	for _, c := range todo {
		if _, ok := registry.Lookup(c.Workload); !ok || seen[c.Binary] {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, c.Binary)); err != nil {
			continue
		}
		seen[c.Binary] = true
		args = append(args, "./"+c.Binary)
	}
	if len(seen) == 0 {
		return nil
	}
	fmt.Fprintf(log, "Building %d node binaries...\n", len(seen))
	build := exec.CommandContext(ctx, "go", args...)
	build.Dir = root
	build.Stdout, build.Stderr = log, log
	if err := build.Run(); err != nil {
		return fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// Row is one challenge's line in the results table.
type Row struct {
	Challenge challenge.Challenge
	Results   *report.Results
	Err       error
	Status    string // set when the challenge did not run
	Elapsed   time.Duration
}

// Table renders the rows as a Markdown table.
func Table(rows []Row) string {
	var b strings.Builder
	b.WriteString("| challenge | workload | valid | ops | servers msgs/op | latency ms (median / p99 / max) | stable latency ms (median / max) | targets | met |\n")
	b.WriteString("|---|---|---|---:|---:|---|---|---|---|\n")
	for _, r := range rows {
		c := r.Challenge
		cells := []string{c.ID, c.Workload}
		switch {
		case r.Status != "":
			cells = append(cells, r.Status, "", "", "", "", c.Targets.String(), "")
		case r.Err != nil:
			cells = append(cells, "aborted: "+oneLine(r.Err.Error()), "", "", "", "", c.Targets.String(), "")
		default:
			res := r.Results
			stable := ""
			if med, max, ok := StableLatency(res); ok {
				stable = fmt.Sprintf("%.0f / %.0f", med, max)
			}
			met := ""
			if c.Targets.Any() {
				ok, _ := TargetsMet(c, res)
				met = map[bool]string{true: "yes", false: "NO"}[ok]
			}
			cells = append(cells, verdictCell(res), fmt.Sprint(res.Ops.Invoke), fmt.Sprintf("%.2f", serversPerOp(res)),
				fmt.Sprintf("%.1f / %.1f / %.1f", res.LatencyMS.Median, res.LatencyMS.P99, res.LatencyMS.Max),
				stable, c.Targets.String(), met)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	return b.String()
}

func verdictCell(res *report.Results) string {
	if res.Valid {
		return "yes"
	}
	if len(res.Anomalies) > 0 {
		return "NO (" + strings.Join(res.Anomalies, ", ") + ")"
	}
	return "NO (" + res.Verdict.String() + ")"
}

func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}

// StableLatency reads broadcast's stable latency median and max (quantiles
// 0.5 and 1), if the run has them.
func StableLatency(res *report.Results) (median, max float64, ok bool) {
	raw, found := res.Extra["stable_latency_ms"]
	if !found {
		return 0, 0, false
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return 0, 0, false
	}
	var q map[string]float64
	if err := json.Unmarshal(b, &q); err != nil {
		return 0, 0, false
	}
	median, ok1 := q["0.5"]
	max, ok2 := q["1"]
	return median, max, ok1 && ok2
}

// serversPerOp is the run's servers msgs-per-op (0 without net figures).
func serversPerOp(res *report.Results) float64 {
	if res.Net == nil {
		return 0
	}
	return res.Net.Servers.PerOp()
}

// TargetsMet compares a run with the challenge's targets.
func TargetsMet(c challenge.Challenge, res *report.Results) (bool, string) {
	t := c.Targets
	ok := res.Valid
	var parts []string
	if t.MsgsPerOp > 0 {
		v := serversPerOp(res)
		ok = ok && v < t.MsgsPerOp
		parts = append(parts, fmt.Sprintf("msgs-per-op %.2f (< %g)", v, t.MsgsPerOp))
	}
	if t.MedianLatency > 0 || t.MaxLatency > 0 {
		med, max, found := StableLatency(res)
		if !found {
			return false, "no stable latency figures"
		}
		if t.MedianLatency > 0 {
			ok = ok && med < float64(t.MedianLatency)
			parts = append(parts, fmt.Sprintf("median %.0f ms (< %d)", med, t.MedianLatency))
		}
		if t.MaxLatency > 0 {
			ok = ok && max < float64(t.MaxLatency)
			parts = append(parts, fmt.Sprintf("max %.0f ms (< %d)", max, t.MaxLatency))
		}
	}
	return ok, strings.Join(parts, ", ")
}
