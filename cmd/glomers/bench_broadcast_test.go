package main

import (
	"strings"
	"testing"
)

// The command keeps its flags and defaults; the sweep itself is tested in
// internal/bench/broadcastbench.
func TestBenchBroadcastFlags(t *testing.T) {
	cmd := newBenchBroadcastCmd()
	for flag, def := range map[string]string{
		"bin":        "",
		"out-dir":    "bench",
		"time-limit": "20",
		"partition":  "false",
		"intervals":  "[100ms,200ms,300ms,400ms,500ms,600ms]",
	} {
		f := cmd.Flags().Lookup(flag)
		if f == nil {
			t.Errorf("no --%s flag", flag)
			continue
		}
		if f.DefValue != def {
			t.Errorf("--%s defaults to %q, want %q", flag, f.DefValue, def)
		}
	}
	if !strings.Contains(cmd.Long, "broadcast.svg") {
		t.Errorf("help does not name the plot it writes")
	}
}
