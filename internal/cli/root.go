package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/runner"
)

// Exit codes, as Maelstrom's (Jepsen's CLI): 0 valid, 1 invalid, 2 the
// checkers could not decide, 254 bad flags or arguments, 255 the test could
// not run to the end (a node crashed, wrote garbage, ...).
const (
	ExitValid   = 0
	ExitInvalid = 1
	ExitUnknown = 2
	ExitUsage   = 254
	ExitAborted = 255
)

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

// Main runs glomers with the process's arguments and exits; extra are
// further subcommands (benchmarks) that live in cmd/glomers. SIGINT and
// SIGTERM cancel the command's context: a running test tears down (nodes
// killed, what was recorded written, results.json "aborted") and glomers
// exits 255. Further signals are ignored meanwhile; teardown is bounded.
func Main(extra ...*cobra.Command) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Execute(ctx, os.Args[1:], os.Stdout, os.Stderr, extra...)
	stop()
	os.Exit(code)
}

// Execute runs glomers with args and returns the exit code.
func Execute(ctx context.Context, args []string, stdout, stderr io.Writer, extra ...*cobra.Command) int {
	root := &cobra.Command{
		Use:           "glomers",
		Short:         "Run and check Gossip Glomers nodes without a JVM: a Maelstrom-compatible workbench",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetArgs(args)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err.Error()} })
	root.AddCommand(newTestCmd(), newChallengeCmd(), newChallengesCmd())
	root.AddCommand(newAnalyzeCmd())             // analyze.go
	root.AddCommand(newServeCmd(), newViewCmd()) // serve.go
	root.AddCommand(extra...)
	err := root.ExecuteContext(ctx)
	if ctx.Err() != nil && !servesUntilInterrupted(root, args) {
		// Interrupted (Main's signals): whatever the command reached, e.g. a
		// challenges table so far, it did not run to the end.
		if err != nil && err.Error() != "" {
			fmt.Fprintf(stderr, "glomers: %v\n", err)
		}
		return ExitAborted
	}
	if err == nil {
		return ExitValid
	}
	var exit exitError
	if errors.As(err, &exit) {
		if exit.err != nil {
			fmt.Fprintf(stderr, "glomers: %v\n", exit.err)
		}
		return exit.code
	}
	var usage usageError
	if errors.As(err, &usage) || strings.HasPrefix(err.Error(), "unknown command") || strings.Contains(err.Error(), "accepts") {
		fmt.Fprintf(stderr, "glomers: %v\n", err)
		return ExitUsage
	}
	fmt.Fprintf(stderr, "glomers: %v\n", err)
	return ExitAborted
}

func newTestCmd() *cobra.Command {
	var f testFlags
	cmd := &cobra.Command{
		Use:   "test -w WORKLOAD --bin PATH [flags] [-- node args...]",
		Short: "Run one Maelstrom test against a node binary",
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := f.config(args)
			if err != nil {
				return err
			}
			printWarnings(cmd.ErrOrStderr(), f.warnings(beforeDash(cmd, args)))
			return runTest(cmd.Context(), cfg, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f.register(cmd.Flags())
	return cmd
}

// runTest runs a test and turns its verdict into an exit code.
func runTest(ctx context.Context, cfg runner.Config, out, log io.Writer) error {
	_, err := runAndReport(ctx, cfg, out, log)
	return err
}

// runAndReport runs a test: its summary goes to out (stdout), progress and
// node output to log (stderr), so `glomers test ... > file` keeps the result.
func runAndReport(ctx context.Context, cfg runner.Config, out, log io.Writer) (*report.Results, error) {
	cfg.Log = runner.SummaryTo(log, out)
	cfg.Progress = true
	res, err := runner.Run(ctx, cfg)
	if err != nil {
		if errors.Is(err, runner.ErrAborted) {
			return nil, exitError{ExitAborted, nil} // the runner has printed why
		}
		return nil, exitError{ExitAborted, err}
	}
	return res, verdictExit(res)
}

// verdictExit is nil for a valid run, else the exit code of its verdict.
func verdictExit(res *report.Results) error {
	switch res.Verdict {
	case checker.Valid:
		return nil
	case checker.Invalid:
		return exitError{code: ExitInvalid}
	default:
		return exitError{code: ExitUnknown}
	}
}

// servesUntilInterrupted reports whether args run `serve`, which runs until
// Ctrl-C by design: an interrupt is its normal end (exit 0), not an abort.
func servesUntilInterrupted(root *cobra.Command, args []string) bool {
	cmd, _, err := root.Find(args)
	return err == nil && cmd.Name() == "serve"
}
