package analyze_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"gossip-glomers/internal/cli"
	"gossip-glomers/internal/report"
)

// glomers runs the glomers command line in-process: its exit code, stdout
// and stderr.
func glomers(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Execute(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// analyze runs `glomers analyze --out TMP args...` and returns the
// results.json it wrote (nil if none), its exit code and its output.
func analyze(t *testing.T, args ...string) (*report.Results, int, string) {
	t.Helper()
	out := t.TempDir()
	code, stdout, stderr := glomers(t, append([]string{"analyze", "--out", out}, args...)...)
	res, err := report.Load(filepath.Join(out, "results.json"))
	if err != nil {
		return nil, code, stdout + stderr
	}
	return res, code, stdout + stderr
}

func itoa(n int) string { return strconv.Itoa(n) }
