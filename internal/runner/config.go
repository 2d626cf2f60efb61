// Package runner runs one test the way Maelstrom's core does: start the
// nodes, initialise them, run the workload's clients (and the nemesis)
// through the simulated network, run the final phase, tear down, and check
// the history.
package runner

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"gossip-glomers/internal/network"
	"gossip-glomers/internal/workload"
)

// Config is one test.
type Config struct {
	workload.Params
	Workload *workload.Workload

	Bin     string
	BinArgs []string // positional args passed to every node, as Maelstrom does

	LatencyDist     string
	Nemesis         []string // only "partition"
	NemesisInterval time.Duration
	// Recovery is the quiet, healed wait before the final phase (Maelstrom: 10 s).
	Recovery time.Duration
	// LenientLateReplies drops a node's message to a client that has already
	// closed and keeps reading the node. Off, the default, is Maelstrom: it
	// never reads that node's stdout again (see cluster.lateReply).
	LenientLateReplies bool

	StoreDir   string    // root of the store ("store"); every run gets its own folder below
	LogStderr  bool      // copy node stderr to Log
	LogNetSend bool      // log every message sent (Maelstrom's --log-net-send)
	LogNetRecv bool      // log every message delivered (--log-net-recv)
	Log        io.Writer // the summary, progress and warnings (stderr); nodes' goroutines write to it too
	Progress   bool      // show a progress line (only on a terminal)
	Seed       uint64    // 0: random
}

// Partitions reports whether the partition nemesis is on.
func (c *Config) Partitions() bool {
	for _, n := range c.Nemesis {
		if n == "partition" {
			return true
		}
	}
	return false
}

// Validate checks what can be checked before anything starts.
func (c *Config) Validate() error {
	var errs []string
	if c.Workload == nil {
		errs = append(errs, "no workload")
	}
	if c.Bin == "" {
		errs = append(errs, "--bin is required")
	}
	if len(c.Nodes) == 0 {
		errs = append(errs, "no nodes")
	}
	for _, n := range c.Nodes {
		if network.IsClient(n) {
			errs = append(errs, fmt.Sprintf("node name %q starts with c, which Maelstrom reserves for clients", n))
		}
	}
	if c.Concurrency < 1 {
		errs = append(errs, "concurrency must be at least 1")
	}
	if c.Rate < 0 {
		errs = append(errs, "rate must be >= 0")
	}
	if c.TimeLimit <= 0 {
		errs = append(errs, "time limit must be > 0")
	}
	if err := (network.Latency{Mean: c.Latency, Dist: c.LatencyDist}).Validate(); err != nil {
		errs = append(errs, err.Error())
	}
	for _, n := range c.Nemesis {
		if n != "partition" {
			errs = append(errs, fmt.Sprintf("unknown nemesis %q (Maelstrom offers only partition)", n))
		}
	}
	if c.Partitions() && c.NemesisInterval <= 0 {
		errs = append(errs, "nemesis interval must be > 0")
	}
	if err := ValidateAvailability(c.Availability); err != nil {
		errs = append(errs, err.Error())
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// ValidateAvailability accepts "", "total" or a number in [0, 1].
func ValidateAvailability(a string) error {
	if a == "" || a == "total" {
		return nil
	}
	f, err := strconv.ParseFloat(a, 64)
	if err != nil || f < 0 || f > 1 {
		return fmt.Errorf("availability must be total or a number between 0 and 1, got %q", a)
	}
	return nil
}
