package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		{[]string{"test", "-w", "lin-kv", "--bin", bin}, "does not implement yet"},
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
	cfg, err = ParseTest([]string{"-w", "echo", "--bin", bin, "--node-count", "3", "--concurrency", "2n", "--", "a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.Nodes, ",") != "n0,n1,n2" || cfg.Concurrency != 6 || strings.Join(cfg.BinArgs, " ") != "a b" {
		t.Fatalf("node-count/concurrency/args: %+v", cfg)
	}
}
