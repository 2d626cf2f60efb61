package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"gossip-glomers/internal/challenge"
	"gossip-glomers/internal/registry"
)

func newChallengeCmd() *cobra.Command {
	var f testFlags
	cmd := &cobra.Command{
		Use:   "challenge ID --bin PATH [flags] [-- node args...]",
		Short: "Run a Fly.io challenge (" + strings.Join(challenge.IDs(), ", ") + ") with its official parameters",
		Long:  challengeHelp(),
		Args: func(cmd *cobra.Command, args []string) error {
			switch ids := beforeDash(cmd, args); len(ids) {
			case 1:
				return nil
			case 0:
				return usagef("challenge needs a challenge id (known: %s)", strings.Join(challenge.IDs(), ", "))
			default:
				return usagef("challenge takes one challenge id before -- (node arguments go after it), got %s", shellJoin(ids))
			}
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			c, ok := challenge.Lookup(args[0])
			if !ok {
				return usagef("unknown challenge %q (known: %s)", args[0], strings.Join(challenge.IDs(), ", "))
			}
			if _, ok := registry.Lookup(c.Workload); !ok {
				return usagef("challenge %s needs the %s workload, which glomers does not implement yet", c.ID, c.Workload)
			}
			if f.given("workload") && f.workload != c.Workload {
				return usagef("challenge %s runs the %s workload; -w %s contradicts it (use glomers test for other workloads)",
					c.ID, c.Workload, f.workload)
			}
			if f.bin == "" {
				return usagef("--bin is required (the official line uses %s, where go install ./... puts it)",
					filepath.Join("~/go/bin", c.Binary))
			}
			testArgs, err := challengeTestArgs(c, f.bin, cmd.Flags())
			if err != nil {
				return err
			}
			nodeArgs := args[1:]
			cfg, err := ParseTest(append(append(testArgs, "--"), nodeArgs...))
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			running := append([]string{"glomers", "test"}, testArgs...)
			if len(nodeArgs) > 0 {
				running = append(append(running, "--"), nodeArgs...)
			}
			fmt.Fprintf(out, "Challenge %s (%s)\n  official: %s\n  running:  %s\n",
				c.ID, c.Title, c.Command(filepath.Join("~/go/bin", c.Binary)), shellJoin(running))
			if c.Targets.Any() {
				fmt.Fprintf(out, "  targets:  %s\n", c.Targets)
			}
			res, err := runAndReport(cmd.Context(), cfg, out, cmd.ErrOrStderr())
			if res != nil && c.Targets.Any() {
				met, detail := TargetsMet(c, res)
				fmt.Fprintf(out, "Targets %s: %s\n", map[bool]string{true: "met", false: "NOT met"}[met], detail)
			}
			return err
		},
	}
	f.register(cmd.Flags())
	return cmd
}

// challengeHelp is the challenge command's --help text: what it does, and
// every challenge with its official flags.
func challengeHelp() string {
	var b strings.Builder
	b.WriteString("Runs one Gossip Glomers challenge with the command line of its official page\n" +
		"(-w WORKLOAD and the flags below), on glomers. Any test flag given as well\n" +
		"replaces the official one or adds to it (e.g. --time-limit 5, --nemesis partition);\n" +
		"-w cannot change the workload. The command line actually run is printed first.\n" +
		"The flag defaults listed further down are glomers test's; the official flags replace them.\n\n" +
		"Challenges:\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, c := range challenge.All {
		line := fmt.Sprintf("  %s\t-w %s\t%s", c.ID, c.Workload, strings.Join(c.Args, " "))
		if _, ok := registry.Lookup(c.Workload); !ok {
			line += " (not implemented yet)"
		}
		if c.Targets.Any() {
			line += " (targets: " + c.Targets.String() + ")"
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
	return b.String()
}

// challengeTestArgs is the `glomers test` command line a challenge runs with
// the flags given on top: -w and --bin, then the official flags in the
// page's order, each with the value given instead if there is one, then
// every other flag given, in name order. Parsing exactly this line is what
// runs the test, so the line printed is the line run.
func challengeTestArgs(c challenge.Challenge, bin string, given *pflag.FlagSet) ([]string, error) {
	args := []string{"-w", c.Workload, "--bin", bin}
	official := map[string]bool{"workload": true, "bin": true}
	for i := 0; i < len(c.Args); i += 2 {
		name := strings.TrimPrefix(c.Args[i], "--")
		if i+1 >= len(c.Args) || strings.HasPrefix(c.Args[i+1], "--") || name == c.Args[i] {
			return nil, fmt.Errorf("challenge table: %s %s: official flags must come as --flag value pairs", c.ID, strings.Join(c.Args, " "))
		}
		official[name] = true
		if fl := given.Lookup(name); fl != nil && fl.Changed {
			args = append(args, flagArgs(fl)...)
			continue
		}
		args = append(args, c.Args[i], c.Args[i+1])
	}
	given.VisitAll(func(fl *pflag.Flag) {
		if fl.Changed && !official[fl.Name] {
			args = append(args, flagArgs(fl)...)
		}
	})
	return args, nil
}

// flagArgs renders a flag as it would be typed: "--name value", a boolean
// as "--name" (or "--name=false"), a list comma-separated.
func flagArgs(fl *pflag.Flag) []string {
	name := "--" + fl.Name
	switch v := fl.Value.(type) {
	case pflag.SliceValue:
		return []string{name, strings.Join(v.GetSlice(), ",")}
	}
	if fl.Value.Type() == "bool" {
		if fl.Value.String() == "true" {
			return []string{name}
		}
		return []string{name + "=" + fl.Value.String()}
	}
	return []string{name, fl.Value.String()}
}

// challengeRunArgs is challengeTestArgs for flags given as arguments (the
// challenges table's --bin, --store and --time-limit).
func challengeRunArgs(c challenge.Challenge, extra []string) ([]string, error) {
	var f testFlags
	fs := pflag.NewFlagSet("challenge", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f.register(fs)
	if err := fs.Parse(extra); err != nil {
		return nil, usagef("%v", err)
	}
	return challengeTestArgs(c, f.bin, fs)
}
