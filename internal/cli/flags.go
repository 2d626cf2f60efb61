// Package cli is the glomers command line: Maelstrom's `test` flags, the
// Fly.io challenge shortcuts and the all-challenges table.
package cli

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"gossip-glomers/internal/checker/elle"
	"gossip-glomers/internal/network"
	"gossip-glomers/internal/registry"
	"gossip-glomers/internal/runner"
	"gossip-glomers/internal/workload"
)

// testFlags are Maelstrom's `maelstrom test` options, with its defaults.
type testFlags struct {
	workload        string
	bin             string
	nodeCount       int
	nodes           []string
	concurrency     string
	rate            float64
	timeLimit       int
	latency         int
	latencyDist     string
	nemesis         string
	nemesisInterval string
	checkerFlags
	topology        string
	keyCount        int
	maxTxnLength    int
	maxWritesPerKey int
	logStderr       bool
	logNetSend      bool
	logNetRecv      bool
	store           string
	seed            uint64

	lenientLateReplies bool // glomers' own: see runner.Config.LenientLateReplies

	fs *pflag.FlagSet // where the flags are registered: given() asks it
}

func (f *testFlags) register(fs *pflag.FlagSet) {
	f.fs = fs
	fs.StringVarP(&f.workload, "workload", "w", "lin-kv", "workload to run: "+strings.Join(registry.Names(), ", "))
	fs.StringVar(&f.bin, "bin", "", "path to the node binary (required); arguments after -- are passed to it")
	fs.IntVar(&f.nodeCount, "node-count", 0, "number of nodes, named n0..n(N-1) (default: n1..n5)")
	fs.StringSliceVar(&f.nodes, "nodes", nil, "comma-separated node names (instead of --node-count)")
	fs.StringVar(&f.concurrency, "concurrency", "1n", "client threads: an integer, or Kn for K times the node count")
	fs.Float64Var(&f.rate, "rate", 5, "total client operations per second")
	fs.IntVar(&f.timeLimit, "time-limit", 60, "seconds of client operations")
	fs.IntVar(&f.latency, "latency", 0, "mean latency between servers, in ms")
	fs.StringVar(&f.latencyDist, "latency-dist", "constant", "latency distribution: constant, uniform or exponential")
	fs.StringVar(&f.nemesis, "nemesis", "", "faults to inject (only: partition)")
	fs.StringVar(&f.nemesisInterval, "nemesis-interval", "10", "mean seconds between nemesis operations (a Clojure number: 10, 0.5, 1/2)")
	f.checkerFlags.register(fs)
	fs.StringVar(&f.topology, "topology", "grid", "broadcast topology: grid, line, tree, tree2, tree3, tree4, total")
	fs.IntVar(&f.keyCount, "key-count", 0, "number of active keys (txn and kafka workloads; default 10)")
	fs.IntVar(&f.maxTxnLength, "max-txn-length", 4, "maximum micro-operations per transaction")
	fs.IntVar(&f.maxWritesPerKey, "max-writes-per-key", 16, "writes to a key before it is retired")
	fs.BoolVar(&f.logStderr, "log-stderr", false, "copy the nodes' stderr to this one")
	fs.BoolVar(&f.logNetSend, "log-net-send", false, "log every message sent on the network")
	fs.BoolVar(&f.logNetRecv, "log-net-recv", false, "log every message delivered on the network")
	fs.BoolVar(&f.lenientLateReplies, "lenient-late-replies", false,
		"drop a node's late reply to a client that has closed and keep reading the node (Maelstrom never reads that node's stdout again; off by default, as there)")
	fs.StringVar(&f.store, "store", "store", "folder that keeps every run's results, history and logs")
	fs.Uint64Var(&f.seed, "seed", 0, "random seed for the network, nemesis and generators (0: random)")
}

// checkerFlags are the flags of `glomers test` that checkers read;
// `glomers analyze` takes them too, parsed by the same code.
type checkerFlags struct {
	availability      string
	consistencyModels string
	// linearizabilityBudget is glomers' own: seconds lin-kv's search may take per key.
	linearizabilityBudget float64
}

// checkerFlagNames are the flags checkerFlags registers.
var checkerFlagNames = []string{"availability", "consistency-models", "linearizability-budget"}

func (f *checkerFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.availability, "availability", "", "expected availability: total, or a fraction in [0,1] (0.9, 9/10)")
	fs.StringVar(&f.consistencyModels, "consistency-models", "strict-serializable", "consistency models to check (txn workloads), separated as Maelstrom does by \" , \"")
	fs.Float64Var(&f.linearizabilityBudget, "linearizability-budget", 60,
		"lin-kv: seconds the linearizability search may take per key before that key is unknown (0: no limit, as in Maelstrom)")
}

// apply checks the flags and sets what the checkers read in p: every one,
// or, when only is not nil, those it names (analyze keeps a stored run's
// own values for the flags not given).
func (f *checkerFlags) apply(p *workload.Params, only func(flag string) bool) error {
	use := func(flag string) bool { return only == nil || only(flag) }
	if use("linearizability-budget") {
		if b := f.linearizabilityBudget; !(b >= 0) || math.IsInf(b, 0) {
			return usagef("--linearizability-budget must be a number of seconds >= 0, got %v", b)
		}
		p.LinearizabilityBudget = time.Duration(f.linearizabilityBudget * float64(time.Second))
	}
	if use("availability") {
		availability, err := parseAvailability(f.availability)
		if err != nil {
			return err
		}
		p.Availability = availability
	}
	if use("consistency-models") {
		models, err := parseConsistencyModels(f.consistencyModels)
		if err != nil {
			return err
		}
		if err := elle.ValidateModels(models); err != nil {
			return usagef("--consistency-models: %v", err)
		}
		p.ConsistencyModels = models
	}
	return nil
}

var topologies = []string{"grid", "line", "tree", "tree2", "tree3", "tree4", "total"}

// usageError is a bad flag or argument: glomers prints it on one line and
// exits 254, as Maelstrom does.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// config turns the flags into a runner configuration, rejecting bad values.
func (f *testFlags) config(binArgs []string) (runner.Config, error) {
	var cfg runner.Config
	if f.bin == "" {
		return cfg, usagef("--bin is required")
	}
	wl, err := lookupWorkload(f.workload)
	if err != nil {
		return cfg, err
	}
	nodes, err := f.nodeNames()
	if err != nil {
		return cfg, err
	}
	concurrency, err := parseConcurrency(f.concurrency, len(nodes))
	if err != nil {
		return cfg, err
	}
	switch {
	case f.rate < 0 || math.IsNaN(f.rate) || math.IsInf(f.rate, 0):
		return cfg, usagef("--rate must be a number >= 0, got %v", f.rate)
	case f.timeLimit <= 0:
		return cfg, usagef("--time-limit must be a positive number of seconds, got %d", f.timeLimit)
	case f.latency < 0:
		return cfg, usagef("--latency must be >= 0 ms, got %d", f.latency)
	case !slices.Contains(network.Dists, f.latencyDist):
		return cfg, usagef("--latency-dist must be one of %s, got %q", strings.Join(network.Dists, ", "), f.latencyDist)
	case !slices.Contains(topologies, f.topology):
		return cfg, usagef("--topology must be one of %s, got %q", strings.Join(topologies, ", "), f.topology)
	case f.keyCount < 0 || f.keyCount == 0 && f.given("key-count"):
		return cfg, usagef("--key-count must be positive, got %d", f.keyCount)
	case f.maxTxnLength < 1:
		return cfg, usagef("--max-txn-length must be >= 1, got %d", f.maxTxnLength)
	case f.maxWritesPerKey < 1:
		return cfg, usagef("--max-writes-per-key must be >= 1, got %d", f.maxWritesPerKey)
	}
	var checks workload.Params
	if err := f.checkerFlags.apply(&checks, nil); err != nil {
		return cfg, err
	}
	nemesisInterval, err := parseNemesisInterval(f.nemesisInterval)
	if err != nil {
		return cfg, err
	}
	var nemeses []string
	for _, n := range strings.Split(f.nemesis, ",") {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		if n != "partition" {
			return cfg, usagef("--nemesis %q is not a fault Maelstrom offers (only: partition)", n)
		}
		nemeses = append(nemeses, n)
	}
	if info, err := os.Stat(f.bin); err != nil {
		return cfg, usagef("--bin %s: %v", f.bin, err)
	} else if info.IsDir() || info.Mode()&0o111 == 0 {
		return cfg, usagef("--bin %s is not an executable file", f.bin)
	}
	cfg = runner.Config{
		Params: workload.Params{
			Nodes:             nodes,
			Concurrency:       concurrency,
			Rate:              f.rate,
			TimeLimit:         time.Duration(f.timeLimit) * time.Second,
			Latency:           time.Duration(f.latency) * time.Millisecond,
			Topology:          f.topology,
			KeyCount:          f.keyCount,
			MaxTxnLength:      f.maxTxnLength,
			MaxWritesPerKey:   f.maxWritesPerKey,
			ConsistencyModels: checks.ConsistencyModels,
			Availability:      checks.Availability,
		},
		Workload:        wl,
		Bin:             f.bin,
		BinArgs:         binArgs,
		LatencyDist:     f.latencyDist,
		Nemesis:         nemeses,
		NemesisInterval: nemesisInterval,
		StoreDir:        f.store,
		LogStderr:       f.logStderr,
		LogNetSend:      f.logNetSend,
		LogNetRecv:      f.logNetRecv,
		Seed:            f.seed,
	}
	cfg.LenientLateReplies = f.lenientLateReplies
	cfg.LinearizabilityBudget = checks.LinearizabilityBudget
	return cfg, nil
}

// lookupWorkload is the implemented workload of that name (test's -w, and
// analyze's).
func lookupWorkload(name string) (*workload.Workload, error) {
	wl, ok := registry.Lookup(name)
	if !ok {
		if registry.Known(name) {
			return nil, usagef("workload %q is a Maelstrom workload that glomers does not implement yet (implemented: %s)",
				name, strings.Join(registry.Names(), ", "))
		}
		return nil, usagef("unknown workload %q (implemented: %s)", name, strings.Join(registry.Names(), ", "))
	}
	return wl, nil
}

func (f *testFlags) nodeNames() ([]string, error) {
	switch {
	case f.nodeCount < 0 || f.nodeCount == 0 && f.given("node-count"):
		return nil, usagef("--node-count must be positive, got %d", f.nodeCount)
	case f.nodeCount > 0:
		// --node-count overrides any node list, as in Maelstrom.
		nodes := make([]string, f.nodeCount)
		for i := range nodes {
			nodes[i] = "n" + strconv.Itoa(i)
		}
		return nodes, nil
	case len(f.nodes) > 0:
		seen := map[string]bool{}
		for _, n := range f.nodes {
			if n == "" || strings.HasPrefix(n, "c") {
				return nil, usagef("--nodes: node name %q is empty or starts with c (reserved for clients)", n)
			}
			if seen[n] {
				return nil, usagef("--nodes: node %q is listed twice", n)
			}
			seen[n] = true
		}
		return f.nodes, nil
	default:
		return []string{"n1", "n2", "n3", "n4", "n5"}, nil
	}
}

// parseConcurrency reads "K" or "Kn" (K times the node count).
func parseConcurrency(s string, nodes int) (int, error) {
	mult := 1
	num := s
	if strings.HasSuffix(s, "n") {
		mult, num = nodes, strings.TrimSuffix(s, "n")
	}
	k, err := strconv.Atoi(num)
	if err != nil || k < 1 {
		return 0, usagef("--concurrency must be a positive integer or Kn (e.g. 2n), got %q", s)
	}
	return k * mult, nil
}

// ParseTest parses `glomers test` flags (and node args after --) into a
// runner configuration, as the test command does.
func ParseTest(args []string) (runner.Config, error) {
	var f testFlags
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return runner.Config{}, usagef("%v", err)
	}
	return f.config(fs.Args())
}
