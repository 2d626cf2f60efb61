package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"gossip-glomers/internal/challenge"
	"gossip-glomers/internal/registry"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/runner"
)

func newChallengesCmd() *cobra.Command {
	var (
		binDir    string
		only      []string
		timeLimit int
		store     string
	)
	cmd := &cobra.Command{
		Use:   "challenges",
		Short: "Build every node binary and run every challenge glomers implements, then print a results table",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := cmd.ErrOrStderr()
			var todo []challenge.Challenge
			for _, c := range challenge.All {
				if len(only) == 0 || oneOfFold(c.ID, only) {
					todo = append(todo, c)
				}
			}
			if len(todo) == 0 {
				return usagef("--only %s matches no challenge (known: %s)", strings.Join(only, ","), strings.Join(challenge.IDs(), ", "))
			}
			if binDir == "" {
				dir, err := os.MkdirTemp("", "glomers-bin-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				if err := buildBinaries(cmd.Context(), dir, todo, log); err != nil {
					return exitError{ExitAborted, err}
				}
				binDir = dir
			}
			var rows []Row
			for _, c := range todo {
				row := Row{Challenge: c}
				if _, ok := registry.Lookup(c.Workload); !ok {
					row.Status = "not implemented yet"
					rows = append(rows, row)
					continue
				}
				args := []string{"--bin", filepath.Join(binDir, c.Binary), "--store", store}
				if timeLimit > 0 {
					args = append(args, "--time-limit", fmt.Sprint(timeLimit))
				}
				res, err := runChallenge(cmd.Context(), c, args, log)
				row.Results, row.Err = res, err
				rows = append(rows, row)
				if cmd.Context().Err() != nil {
					break
				}
			}
			table := Table(rows)
			fmt.Fprint(cmd.OutOrStdout(), "\n"+table)
			if err := os.MkdirAll(store, 0o755); err == nil {
				_ = os.WriteFile(filepath.Join(store, "challenges.md"), []byte(table), 0o644)
			}
			for _, r := range rows {
				if r.Status == "" && (r.Err != nil || r.Results == nil || !r.Results.Valid) {
					return exitError{code: ExitInvalid}
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&binDir, "bin-dir", "", "folder holding already built node binaries (default: build them now)")
	cmd.Flags().StringSliceVar(&only, "only", nil, "run only these challenges (e.g. 1,2,3d)")
	cmd.Flags().IntVar(&timeLimit, "time-limit", 0, "override every challenge's time limit, in seconds (default: the official one)")
	cmd.Flags().StringVar(&store, "store", "store", "folder that keeps every run's results")
	return cmd
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
func runChallenge(ctx context.Context, c challenge.Challenge, extra []string, log io.Writer) (*report.Results, error) {
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
	cfg.Log, cfg.Progress = log, true
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
			cells = append(cells, verdictCell(res), fmt.Sprint(res.Ops.Invoke), fmt.Sprintf("%.2f", res.Net.Servers.PerOp()),
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

// TargetsMet compares a run with the challenge's targets.
func TargetsMet(c challenge.Challenge, res *report.Results) (bool, string) {
	t := c.Targets
	ok := res.Valid
	var parts []string
	if t.MsgsPerOp > 0 {
		v := res.Net.Servers.PerOp()
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
