package process

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// A Write to a node that never reads blocks once the pipe is full; Kill
// must still end the node and fail that Write, without waiting for it.
// Before, Kill took the lock the blocked Write held and hung forever.
func TestKillUnblocksAWriteToANodeThatDoesNotRead(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep command to stand for a node that never reads")
	}
	p, err := Start("n0", Options{Bin: sleep, Args: []string{"600"}, LogPath: filepath.Join(t.TempDir(), "n0.log")}, func([]byte) {})
	if err != nil {
		t.Fatal(err)
	}
	written := make(chan error, 1)
	// Far more than a pipe holds; given a moment, it fills the pipe and blocks.
	go func() { written <- p.WriteLines(append(bytes.Repeat([]byte("x"), 1<<20), '\n')) }()
	time.Sleep(100 * time.Millisecond)
	killed := make(chan error, 1)
	go func() { killed <- p.Kill() }()
	select {
	case err := <-killed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Kill hung behind the blocked Write")
	}
	if err := <-written; err == nil {
		t.Error("the write to the killed node succeeded")
	}
	if err := p.WriteLines([]byte("{}\n")); !errors.Is(err, ErrKilled) {
		t.Errorf("a write after Kill returned %v, want ErrKilled", err)
	}
}

// An exit with status 0 is an early exit, not a crash; the report says
// when it happened.
func TestCrashReportOfAnEarlyExit(t *testing.T) {
	for _, tc := range []struct {
		name, bin string
		args      []string
		want      string
	}{
		{"status 0", "true", nil, "node n0 exited early (status 0) after init_ok"},
		{"status 3", "sh", []string{"-c", "exit 3"}, "node n0 crashed (exit status 3) after init_ok"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bin, err := exec.LookPath(tc.bin)
			if err != nil {
				t.Skipf("no %s command", tc.bin)
			}
			p, err := Start("n0", Options{Bin: bin, Args: tc.args, LogPath: filepath.Join(t.TempDir(), "n0.log")}, func([]byte) {})
			if err != nil {
				t.Fatal(err)
			}
			select {
			case <-p.Exited():
			case <-time.After(30 * time.Second):
				t.Fatal("the process never exited")
			}
			if got := p.CrashReport("after init_ok"); got != tc.want {
				t.Errorf("report %q, want %q", got, tc.want)
			}
		})
	}
}
