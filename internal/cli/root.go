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

	"gossip-glomers/internal/challenge"
	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/registry"
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
// further subcommands (benchmarks) that live in cmd/glomers.
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
	root.AddCommand(extra...)
	err := root.ExecuteContext(ctx)
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
			return runTest(cmd.Context(), cfg, cmd.ErrOrStderr())
		},
	}
	f.register(cmd.Flags())
	return cmd
}

func newChallengeCmd() *cobra.Command {
	var f testFlags
	cmd := &cobra.Command{
		Use:   "challenge ID --bin PATH [flags]",
		Short: "Run a Fly.io challenge (" + strings.Join(challenge.IDs(), ", ") + ") with its official parameters",
		Long: "Runs one Gossip Glomers challenge with exactly the command line of its official page.\n" +
			"Any test flag given as well overrides or adds to the official ones (e.g. --nemesis partition).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, ok := challenge.Lookup(args[0])
			if !ok {
				return usagef("unknown challenge %q (known: %s)", args[0], strings.Join(challenge.IDs(), ", "))
			}
			if _, ok := registry.Lookup(c.Workload); !ok {
				return usagef("challenge %s needs the %s workload, which glomers does not implement yet", c.ID, c.Workload)
			}
			if err := applyOfficial(cmd, c); err != nil {
				return err
			}
			cfg, err := f.config(nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "Challenge %s (%s): %s\n", c.ID, c.Title, c.Command(f.bin))
			if c.Targets.Any() {
				fmt.Fprintf(cmd.ErrOrStderr(), "Targets: %s\n", c.Targets)
			}
			res, err := runAndReport(cmd.Context(), cfg, cmd.ErrOrStderr())
			if res != nil && c.Targets.Any() {
				met, detail := TargetsMet(c, res)
				fmt.Fprintf(cmd.ErrOrStderr(), "Targets %s: %s\n", map[bool]string{true: "met", false: "NOT met"}[met], detail)
			}
			return err
		},
	}
	f.register(cmd.Flags())
	return cmd
}

// applyOfficial sets every flag of the challenge's official command line that
// the user did not set.
func applyOfficial(cmd *cobra.Command, c challenge.Challenge) error {
	fs := cmd.Flags()
	if !fs.Changed("workload") {
		if err := fs.Set("workload", c.Workload); err != nil {
			return err
		}
	}
	for i := 0; i < len(c.Args); i++ {
		name := strings.TrimPrefix(c.Args[i], "--")
		if i+1 >= len(c.Args) || strings.HasPrefix(c.Args[i+1], "--") {
			return fmt.Errorf("challenge table: flag %s has no value", c.Args[i])
		}
		value := c.Args[i+1]
		i++
		if fs.Changed(name) {
			continue
		}
		if err := fs.Set(name, value); err != nil {
			return fmt.Errorf("challenge table: --%s %s: %v", name, value, err)
		}
	}
	return nil
}

// runTest runs a test and turns its verdict into an exit code.
func runTest(ctx context.Context, cfg runner.Config, log io.Writer) error {
	_, err := runAndReport(ctx, cfg, log)
	return err
}

func runAndReport(ctx context.Context, cfg runner.Config, log io.Writer) (*report.Results, error) {
	cfg.Log = log
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
