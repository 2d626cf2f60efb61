// Package challenge is the table of Fly.io's Gossip Glomers challenges: for
// each one, the exact Maelstrom command line of the official page and the
// targets it sets.
package challenge

import (
	"fmt"
	"strings"
)

// Challenge is one Gossip Glomers challenge, or one of the exercises of
// Maelstrom's own tutorial (doc/ in jepsen-io/maelstrom), which glomers runs
// the same way.
type Challenge struct {
	ID    string
	Title string
	// Tutorial marks an exercise of Maelstrom's tutorial rather than a Fly.io
	// challenge; its id is the workload's name ("g-set"), never a Fly.io
	// number, and Args are the tutorial's command line.
	Tutorial bool
	Workload string
	Binary   string   // the folder (and installed name) of the node binary
	Args     []string // Maelstrom flags after --bin, exactly as the official page gives them
	Targets  Targets
}

// Targets are the efficiency goals of a challenge; a zero field sets none.
type Targets struct {
	MsgsPerOp     float64 // servers msgs-per-op must be below this
	MedianLatency int     // ms, stable latency quantile 0.5 (broadcast)
	MaxLatency    int     // ms, stable latency quantile 1 (broadcast)
}

// Any reports whether the challenge sets a target.
func (t Targets) Any() bool { return t.MsgsPerOp > 0 || t.MedianLatency > 0 || t.MaxLatency > 0 }

func (t Targets) String() string {
	var parts []string
	if t.MsgsPerOp > 0 {
		parts = append(parts, fmt.Sprintf("msgs-per-op < %g", t.MsgsPerOp))
	}
	if t.MedianLatency > 0 {
		parts = append(parts, fmt.Sprintf("median < %d ms", t.MedianLatency))
	}
	if t.MaxLatency > 0 {
		parts = append(parts, fmt.Sprintf("max < %d ms", t.MaxLatency))
	}
	return strings.Join(parts, ", ")
}

func args(s string) []string { return strings.Fields(s) }

// All lists the Fly.io challenges in the order of Fly.io's pages, then
// Maelstrom's tutorial exercises.
var All = []Challenge{
	{ID: "1", Title: "Echo", Workload: "echo", Binary: "maelstrom-echo",
		Args: args("--node-count 1 --time-limit 10")},
	{ID: "2", Title: "Unique ID Generation", Workload: "unique-ids", Binary: "maelstrom-unique-ids",
		Args: args("--time-limit 30 --rate 1000 --node-count 3 --availability total --nemesis partition")},
	{ID: "3a", Title: "Single-Node Broadcast", Workload: "broadcast", Binary: "maelstrom-broadcast",
		Args: args("--node-count 1 --time-limit 20 --rate 10")},
	{ID: "3b", Title: "Multi-Node Broadcast", Workload: "broadcast", Binary: "maelstrom-broadcast",
		Args: args("--node-count 5 --time-limit 20 --rate 10")},
	{ID: "3c", Title: "Fault Tolerant Broadcast", Workload: "broadcast", Binary: "maelstrom-broadcast",
		Args: args("--node-count 5 --time-limit 20 --rate 10 --nemesis partition")},
	{ID: "3d", Title: "Efficient Broadcast, Part I", Workload: "broadcast", Binary: "maelstrom-broadcast",
		Args:    args("--node-count 25 --time-limit 20 --rate 100 --latency 100"),
		Targets: Targets{MsgsPerOp: 30, MedianLatency: 400, MaxLatency: 600}},
	{ID: "3e", Title: "Efficient Broadcast, Part II", Workload: "broadcast", Binary: "maelstrom-broadcast",
		Args:    args("--node-count 25 --time-limit 20 --rate 100 --latency 100"),
		Targets: Targets{MsgsPerOp: 20, MedianLatency: 1000, MaxLatency: 2000}},
	{ID: "4", Title: "Grow-Only Counter", Workload: "g-counter", Binary: "maelstrom-counter",
		Args: args("--node-count 3 --rate 100 --time-limit 20 --nemesis partition")},
	{ID: "5a", Title: "Single-Node Kafka-Style Log", Workload: "kafka", Binary: "maelstrom-kafka",
		Args: args("--node-count 1 --concurrency 2n --time-limit 20 --rate 1000")},
	{ID: "5b", Title: "Multi-Node Kafka-Style Log", Workload: "kafka", Binary: "maelstrom-kafka",
		Args: args("--node-count 2 --concurrency 2n --time-limit 20 --rate 1000")},
	{ID: "5c", Title: "Efficient Kafka-Style Log", Workload: "kafka", Binary: "maelstrom-kafka",
		Args: args("--node-count 2 --concurrency 2n --time-limit 20 --rate 1000")},
	{ID: "6a", Title: "Single-Node, Totally-Available Transactions", Workload: "txn-rw-register", Binary: "maelstrom-txn",
		Args: args("--node-count 1 --time-limit 20 --rate 1000 --concurrency 2n --consistency-models read-uncommitted --availability total")},
	{ID: "6b", Title: "Totally-Available, Read Uncommitted Transactions", Workload: "txn-rw-register", Binary: "maelstrom-txn",
		Args: args("--node-count 2 --concurrency 2n --time-limit 20 --rate 1000 --consistency-models read-uncommitted --availability total --nemesis partition")},
	{ID: "6c", Title: "Totally-Available, Read Committed Transactions", Workload: "txn-rw-register", Binary: "maelstrom-txn",
		Args: args("--node-count 2 --concurrency 2n --time-limit 20 --rate 1000 --consistency-models read-committed --availability total --nemesis partition")},
	// doc/04-crdts: each chapter's partition run, the one that shows the
	// CRDT totally available.
	{ID: "g-set", Title: "G-Set", Tutorial: true, Workload: "g-set", Binary: "maelstrom-g-set",
		Args: args("--time-limit 30 --rate 10 --nemesis partition")},
	{ID: "pn-counter", Title: "PN-Counter", Tutorial: true, Workload: "pn-counter", Binary: "maelstrom-pn-counter",
		Args: args("--time-limit 30 --rate 10 --nemesis partition")},
	// doc/05-datomic: the chapter's strict-serializable run (its default
	// --consistency-models).
	{ID: "txn-list-append", Title: "Datomic-Style Transactions", Tutorial: true, Workload: "txn-list-append",
		Binary: "maelstrom-txn-list-append", Args: args("--time-limit 10 --node-count 2 --rate 100")},
	// doc/06-raft/04-committing.md: the chapter's final run, without its
	// --test-count 10 (glomers runs one test per command).
	{ID: "lin-kv", Title: "Raft", Tutorial: true, Workload: "lin-kv", Binary: "maelstrom-lin-kv",
		Args: args("--node-count 3 --concurrency 4n --rate 30 --time-limit 60 --nemesis partition --nemesis-interval 10")},
}

// Lookup finds a challenge by id ("3d"); ids are case-insensitive.
func Lookup(id string) (Challenge, bool) {
	for _, c := range All {
		if strings.EqualFold(c.ID, id) {
			return c, true
		}
	}
	return Challenge{}, false
}

// IDs lists every challenge id.
func IDs() []string {
	ids := make([]string, len(All))
	for i, c := range All {
		ids[i] = c.ID
	}
	return ids
}

// TestArgs is the challenge as `glomers test` flags: the workload and the
// official flags, then extra ones, which win over the official ones.
func (c Challenge) TestArgs(extra ...string) []string {
	args := append([]string{"-w", c.Workload}, c.Args...)
	return append(args, extra...)
}

// Command is the official Maelstrom command line for the challenge, with the
// binary where `go install` puts it.
func (c Challenge) Command(bin string) string {
	return fmt.Sprintf("maelstrom test -w %s --bin %s %s", c.Workload, bin, strings.Join(c.Args, " "))
}
