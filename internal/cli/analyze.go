package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"gossip-glomers/internal/analyze"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/runner"
	"gossip-glomers/internal/view"
	"gossip-glomers/internal/workload"
)

// analyzeFlags are glomers analyze's: -w, test's checker flags, where the
// results go.
type analyzeFlags struct {
	workload string
	out      string
	store    string
	checkerFlags

	fs *pflag.FlagSet
}

func newAnalyzeCmd() *cobra.Command {
	var f analyzeFlags
	cmd := &cobra.Command{
		Use:   "analyze [-w WORKLOAD] [checker flags] [--out DIR] PATH",
		Short: "Check a stored run or history again, with the checkers glomers test runs",
		Long: `Check a stored history again, as Jepsen's analyze command does, with the checks
glomers test runs and its summary and exit codes (0 valid, 1 invalid, 2 unknown,
254 bad arguments or a history that cannot be read).

PATH is a run folder, glomers' (results.json, history.jsonl, messages.jsonl) or
Maelstrom's (history.edn), or a history file: history.jsonl, or Jepsen's EDN
history as Maelstrom writes history.edn (one op map per line, or one vector).
The workload is the one the folder records (its results.json, or the store's
<workload>/<time>/ layout), else -w. The checker flags are glomers test's and
mean the same; for one of glomers' run folders, those not given keep the run's
own values. Net statistics come from the folder's messages.jsonl; without one
they are absent.

results.json and results.edn go to --out, by default the folder analysed, or,
for a history file, a new store/<workload>/<time>/ folder (with store/latest
pointed at it) that also gets the history in all three forms.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(args[0], cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	f.fs = fs
	fs.StringVarP(&f.workload, "workload", "w", "", "the history's workload, when PATH does not record it")
	f.checkerFlags.register(fs)
	fs.StringVar(&f.out, "out", "", "folder to write results.json and results.edn to (default: the run folder analysed; for a history file, a new folder in --store)")
	fs.StringVar(&f.store, "store", "store", "store the new folder for a history file goes in")
	return cmd
}

func (f *analyzeFlags) run(path string, stdout, stderr io.Writer) error {
	src, err := analyze.Open(path)
	if err != nil {
		return asUsage(err)
	}
	wl, err := f.workloadOf(src)
	if err != nil {
		return err
	}

	// The run's own configuration when its folder records one; the checker
	// flags given override it, and so do the defaults of those it lacks.
	cfg := runner.Config{Workload: wl}
	recorded := func(string) bool { return false }
	if src.Record != nil {
		cfg = runner.StoredConfig(src.Record, wl)
		recorded = func(flag string) bool { _, ok := src.Record.Params[paramName(flag)]; return ok }
	}
	if err := f.checkerFlags.apply(&cfg.Params, func(flag string) bool { return f.fs.Changed(flag) || !recorded(flag) }); err != nil {
		return err
	}

	h, err := src.History(wl)
	if err != nil {
		return asUsage(err)
	}
	net, err := src.NetStats()
	if err != nil {
		return asUsage(err)
	}

	res := runner.Reanalyse(&cfg, h, net)
	res.AnalysedFrom = src.HistoryPath
	res.Params = analysedParams(src.Record, &cfg, res.Params)
	if src.Record != nil {
		res.NodeCount = src.Record.NodeCount
		res.Warnings = src.Record.Warnings
		if src.Record.Aborted() {
			res.Warnings = append(res.Warnings, fmt.Sprintf("the run aborted before its end (%s): this is the verdict of what it recorded until then", src.Record.AbortReason))
		}
	} else {
		res.NodeCount = analyze.NodeCount(h)
	}

	dir, made, err := f.outDir(src, wl.Name)
	if err != nil {
		return err
	}
	res.Dir = dir
	var copyHistory history.History // the history goes with the results into a folder that has none
	if !hasHistory(dir) {
		copyHistory = h
	}
	if err := runner.WriteAnalysis(dir, wl, copyHistory, res); err != nil {
		return exitError{ExitAborted, fmt.Errorf("writing the results: %w", err)}
	}
	if made {
		if err := runner.UpdateLatest(f.store, dir); err != nil {
			return exitError{ExitAborted, err}
		}
	}
	if isRunFolder(dir) {
		// The run's views show its verdict: draw them again.
		if err := view.Render(dir, view.Options{}); err != nil {
			fmt.Fprintf(stderr, "Warning: drawing the run's views: %v\n", err)
		}
	}
	runner.PrintSummary(runner.SummaryTo(stderr, stdout), &cfg, res)
	return verdictExit(res)
}

// workloadOf is the workload the source records, else -w's; both, when
// they differ, are an error.
func (f *analyzeFlags) workloadOf(src *analyze.Source) (*workload.Workload, error) {
	name := src.Workload
	switch {
	case name != "" && f.workload != "" && f.workload != name:
		return nil, usagef("-w %s, but %s records workload %s", f.workload, src.Dir, name)
	case name == "" && f.workload == "":
		return nil, usagef("-w/--workload is required: %s does not record its workload", src.HistoryPath)
	case name == "":
		name = f.workload
	}
	return lookupWorkload(name)
}

// outDir is where the results go, and whether analyze made it (a new run
// folder in the store, for a history file).
func (f *analyzeFlags) outDir(src *analyze.Source, workloadName string) (string, bool, error) {
	switch {
	case f.out != "":
		if err := os.MkdirAll(f.out, 0o755); err != nil {
			return "", false, usagef("--out: %v", err)
		}
		return f.out, false, nil
	case src.Dir != "":
		return src.Dir, false, nil
	}
	dir, err := runner.NewRunDir(f.store, workloadName)
	if err != nil {
		return "", false, exitError{ExitAborted, err}
	}
	return dir, true, nil
}

// analysedParams are the results' params: the run's own, when its folder
// recorded them, with what the checkers read now.
func analysedParams(record *report.Results, cfg *runner.Config, fresh map[string]any) map[string]any {
	out := map[string]any{}
	if record != nil {
		for k, v := range record.Params {
			out[k] = v
		}
	}
	for _, flag := range checkerFlagNames {
		out[paramName(flag)] = fresh[paramName(flag)]
	}
	return out
}

// paramName is a flag's key in results.json's params.
func paramName(flag string) string { return strings.ReplaceAll(flag, "-", "_") }

// isRunFolder reports whether dir has what a run's views are drawn from.
func isRunFolder(dir string) bool {
	for _, name := range []string{analyze.JSONLFile, analyze.JournalFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return false
		}
	}
	return true
}

func hasHistory(dir string) bool {
	for _, name := range []string{analyze.JSONLFile, analyze.EDNFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// asUsage makes analyze's errors about PATH exit 254.
func asUsage(err error) error {
	var u *analyze.UsageError
	if errors.As(err, &u) {
		return usageError{u.Msg}
	}
	return err
}
