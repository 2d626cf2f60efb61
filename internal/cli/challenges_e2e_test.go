package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gossip-glomers/internal/cli"
	"gossip-glomers/internal/e2e"
)

// The table runs challenges concurrently: each writes its output to its own
// log, stderr says when each started and finished, and the table keeps the
// challenges' order.
func TestChallengesConcurrently(t *testing.T) {
	t.Parallel()
	e2e.Build(t, "maelstrom-unique-ids")
	binDir := filepath.Dir(e2e.Build(t, "maelstrom-echo"))
	store := t.TempDir()
	out := e2e.Glomers(t, "challenges", "--only", "2,1", "--time-limit", "2", "--parallel", "2",
		"--bin-dir", binDir, "--store", store)
	if out.Code != cli.ExitValid {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", out.Code, out.Stdout, out.Stderr)
	}
	wantLines(t, "stdout", out.Stdout, `^\| 1 \| echo \| yes \|`, `^\| 2 \| unique-ids \| yes \|`)
	if strings.Index(out.Stdout, "| 1 |") > strings.Index(out.Stdout, "| 2 |") {
		t.Errorf("the table is not in the challenges' order:\n%s", out.Stdout)
	}
	wantLines(t, "stderr", out.Stderr,
		`^\[ *\d+s\] started  1 +echo \(about 4s\), log .*challenge-logs/1\.log$`,
		`^\[ *\d+s\] started  2 +unique-ids \(about 4s, CPU-heavy\)`,
		`^\[ *\d+s\] finished 2 +unique-ids in [0-9.]+s: valid$`,
		`^2 challenge\(s\) in [0-9.]+s \(--parallel 2\)$`)
	for _, id := range []string{"1", "2"} {
		b, err := os.ReadFile(filepath.Join(store, "challenge-logs", id+".log"))
		if err != nil {
			t.Fatal(err)
		}
		wantLines(t, id+".log", string(b), `^=== Challenge `+id+`: `, `^Verdict: `)
	}
}
