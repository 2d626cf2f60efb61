package runner_test

import (
	"errors"
	"strings"
	"testing"

	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/runner"
)

// Broken nodes make the run abort with a message naming the node and what it did.
func TestBrokenNodesAbortTheRun(t *testing.T) {
	bin := e2e.Build(t, "internal/runner/testdata/badnode")
	for _, tc := range []struct {
		mode string
		want []string
		slow bool
	}{
		{"garbage", []string{"node n0", "not a valid Maelstrom message", "this is not json"}, false},
		{"extra-key", []string{"node n0", `unexpected top-level key "extra"`}, false},
		{"crash", []string{"node n0 crashed", "exit status 3", "about to crash"}, false},
		{"bad-dest", []string{"node n0", `invalid dest "n99"`}, false},
		{"init-error", []string{"node n0 answered init", "cannot start"}, false},
		{"silent", []string{"node n0 did not answer init"}, true},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			if tc.slow && testing.Short() {
				t.Skip("waits for the 10 s init timeout")
			}
			t.Parallel()
			_, err := e2e.Try(t, bin, "-w", "echo", "--node-count", "1", "--time-limit", "2", "--", tc.mode)
			if !errors.Is(err, runner.ErrAborted) {
				t.Fatalf("got %v, want the run aborted", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
