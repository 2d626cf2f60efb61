package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// given reports whether the user set a flag, telling --node-count 0 apart
// from no --node-count.
func (f *testFlags) given(name string) bool { return f.fs != nil && f.fs.Changed(name) }

// warnings are what Maelstrom accepts but probably does not do what the user
// meant; beforeDash are the positional arguments given before --, which
// Maelstrom passes to the node like those after it (tools.cli collects
// every non-option argument; maelstrom.core/add-args hands them to --bin).
func (f *testFlags) warnings(beforeDash []string) []string {
	var warns []string
	if f.rate == 0 {
		warns = append(warns, "--rate 0: the main phase invokes no client operation (Maelstrom accepts this); "+
			"only the workload's final phase, if it has one, tests the node")
	}
	if len(beforeDash) > 0 {
		warns = append(warns, fmt.Sprintf("%s before -- %s passed to the node, as Maelstrom does with every positional argument; "+
			"put node arguments after -- to say so", shellJoin(beforeDash), map[bool]string{true: "is", false: "are"}[len(beforeDash) == 1]))
	}
	return warns
}

// printWarnings writes each warning on a line of its own.
func printWarnings(w io.Writer, warns []string) {
	for _, warn := range warns {
		fmt.Fprintf(w, "glomers: warning: %s\n", warn)
	}
}

// beforeDash are the positional arguments before --.
func beforeDash(cmd *cobra.Command, args []string) []string {
	if dash := cmd.ArgsLenAtDash(); dash >= 0 {
		return args[:dash]
	}
	return args
}

// shellJoin renders arguments as a shell would need them typed.
func shellJoin(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = shellQuote(a)
	}
	return strings.Join(quoted, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%~", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
