// Command glomers runs Gossip Glomers node binaries against a Go
// re-implementation of Maelstrom: `glomers test` takes Maelstrom's flags,
// `glomers challenge 3d --bin PATH` runs a Fly.io challenge with its official
// parameters, and `glomers challenges` runs them all and prints a table.
// The bench-* subcommands sweep the efficiency trade-offs.
package main

import "gossip-glomers/internal/cli"

func main() {
	cli.Main(newBenchBroadcastCmd(), newBenchKafkaCmd())
}
