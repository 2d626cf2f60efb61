// Command glomers runs Gossip Glomers node binaries against a Go
// re-implementation of Maelstrom: `glomers test` takes Maelstrom's flags,
// `glomers challenge 3d --bin PATH` runs a Fly.io challenge with its official
// parameters, and `glomers challenges` runs them all and prints a table.
// The bench-* subcommands sweep the efficiency trade-offs.
//
// Results (the run's summary, the table) go to stdout; progress, node output
// and warnings to stderr. The exit code is Maelstrom's: 0 valid, 1 invalid,
// 2 unknown, 254 bad arguments, 255 the test could not run to the end. Run a
// built binary (go build -o bin/glomers ./cmd/glomers) to see it: `go run`
// turns every failure into exit 1.
package main

import "gossip-glomers/internal/cli"

func main() {
	cli.Main(newBenchBroadcastCmd(), newBenchCounterCmd(), newBenchKafkaCmd(), newBenchNetCmd(), newBenchCheckersCmd(), newBenchChallengesCmd())
}
