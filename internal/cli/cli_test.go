package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"gossip-glomers/internal/challenge"
)

func TestBadFlagsExitWithOneLine(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "node")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	notExec := filepath.Join(t.TempDir(), "plain")
	os.WriteFile(notExec, []byte("x"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"test", "-w", "echo"}, "--bin is required"},
		{[]string{"test", "-w", "nope", "--bin", bin}, `unknown workload "nope"`},
		{[]string{"test", "-w", "echo", "--bin", bin, "--rate", "x"}, "invalid argument"},
		{[]string{"test", "-w", "echo", "--bin", bin, "--rate", "-1"}, "--rate"},
		{[]string{"test", "-w", "echo", "--bin", bin, "--time-limit", "0"}, "--time-limit"},
		{[]string{"test", "-w", "echo", "--bin", bin, "--latency-dist", "gauss"}, "--latency-dist"},
		{[]string{"test", "-w", "echo", "--bin", bin, "--nemesis", "kill"}, "only: partition"},
		{[]string{"test", "-w", "echo", "--bin", bin, "--concurrency", "xn"}, "--concurrency"},
		{[]string{"test", "-w", "echo", "--bin", bin, "--availability", "2"}, "availability"},
		{[]string{"test", "-w", "echo", "--bin", bin, "--topology", "ring"}, "--topology"},
		{[]string{"test", "-w", "echo", "--bin", bin, "--consistency-models", "acid"}, "unknown consistency model"},
		{[]string{"test", "-w", "echo", "--bin", notExec}, "not an executable"},
		{[]string{"test", "-w", "echo", "--bin", "/does/not/exist"}, "no such file"},
		{[]string{"test", "--no-such-flag"}, "unknown flag"},
		{[]string{"challenge", "9z", "--bin", bin}, `unknown challenge "9z"`},
		{[]string{"frobnicate"}, "unknown command"},
		// Maelstrom rejects these ("Must be positive."); they used to mean the default.
		{[]string{"test", "-w", "echo", "--bin", bin, "--node-count", "0"}, "--node-count must be positive, got 0"},
		{[]string{"test", "-w", "kafka", "--bin", bin, "--key-count", "0"}, "--key-count must be positive, got 0"},
		{[]string{"challenge", "1", "-w", "broadcast", "--bin", bin}, "challenge 1 runs the echo workload; -w broadcast contradicts it"},
		{[]string{"challenge", "1", "--bin", bin, "stray"}, "challenge takes one challenge id before --"},
		{[]string{"challenge", "--bin", bin}, "challenge needs a challenge id (known: 1, 2, 3a"},
		{[]string{"challenge", "3d"}, "--bin is required (the official line uses ~/go/bin/maelstrom-broadcast"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Execute(context.Background(), tc.args, &stdout, &stderr)
			if code != ExitUsage {
				t.Fatalf("exit %d, want %d; stderr: %s", code, ExitUsage, stderr.String())
			}
			msg := strings.TrimSpace(stderr.String())
			if strings.Count(msg, "\n") > 0 || !strings.Contains(msg, tc.want) {
				t.Fatalf("stderr %q: want one line mentioning %q", msg, tc.want)
			}
		})
	}
}

func TestParseConcurrency(t *testing.T) {
	for _, tc := range []struct {
		in    string
		nodes int
		want  int
	}{{"1n", 5, 5}, {"2n", 3, 6}, {"4", 3, 4}, {"10", 1, 10}} {
		got, err := parseConcurrency(tc.in, tc.nodes)
		if err != nil || got != tc.want {
			t.Errorf("parseConcurrency(%q, %d) = %d, %v; want %d", tc.in, tc.nodes, got, err, tc.want)
		}
	}
}

func TestDefaultsMatchMaelstrom(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "node")
	os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755)
	cfg, err := ParseTest([]string{"-w", "echo", "--bin", bin})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.Nodes, ",") != "n1,n2,n3,n4,n5" || cfg.Concurrency != 5 || cfg.Rate != 5 ||
		cfg.TimeLimit.Seconds() != 60 || cfg.Latency != 0 || cfg.LatencyDist != "constant" ||
		cfg.NemesisInterval.Seconds() != 10 || cfg.Topology != "grid" || len(cfg.Nemesis) != 0 {
		t.Fatalf("defaults differ from Maelstrom's: %+v", cfg)
	}
	if cfg, err := ParseTest([]string{"--bin", bin}); err != nil || cfg.Workload.Name != "lin-kv" {
		t.Fatalf("without -w: %v, %v; want Maelstrom's default workload, lin-kv", cfg.Workload, err)
	}
	cfg, err = ParseTest([]string{"-w", "echo", "--bin", bin, "--node-count", "3", "--concurrency", "2n", "--", "a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.Nodes, ",") != "n0,n1,n2" || cfg.Concurrency != 6 || strings.Join(cfg.BinArgs, " ") != "a b" {
		t.Fatalf("node-count/concurrency/args: %+v", cfg)
	}
}

// TestChallengeTestArgs: the command line a challenge runs keeps the
// official flags in their order with given values in place, then adds the
// other given flags, each rendered so that parsing it gives the same value.
func TestChallengeTestArgs(t *testing.T) {
	c, _ := challenge.Lookup("3c")
	for _, tc := range []struct {
		given []string
		want  string
	}{
		{nil, "-w broadcast --bin B --node-count 5 --time-limit 20 --rate 10 --nemesis partition"},
		{[]string{"--time-limit", "5", "-w", "broadcast"}, "-w broadcast --bin B --node-count 5 --time-limit 5 --rate 10 --nemesis partition"},
		{[]string{"--nodes", "a,b", "--log-stderr", "--seed", "7", "--rate", "2.5"},
			"-w broadcast --bin B --node-count 5 --time-limit 20 --rate 2.5 --nemesis partition --log-stderr --nodes a,b --seed 7"},
		{[]string{"--log-stderr=false"}, "-w broadcast --bin B --node-count 5 --time-limit 20 --rate 10 --nemesis partition --log-stderr=false"},
	} {
		var f testFlags
		fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
		f.register(fs)
		if err := fs.Parse(tc.given); err != nil {
			t.Fatal(err)
		}
		args, err := challengeTestArgs(c, "B", fs)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(args, " "); got != tc.want {
			t.Errorf("given %q:\n got %s\nwant %s", tc.given, got, tc.want)
		}
	}
}

func TestShellJoin(t *testing.T) {
	if got := shellJoin([]string{"a", "b c", "it's", "", "~/go/bin/x"}); got != `a 'b c' 'it'\''s' '' ~/go/bin/x` {
		t.Fatalf("got %s", got)
	}
}
