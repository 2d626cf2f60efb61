package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gossip-glomers/internal/view"
	"gossip-glomers/internal/view/viewtest"
)

// glomers view draws a run's views again, for a window if asked; bad
// arguments are usage errors (exit 254) with one line.
func TestViewCommand(t *testing.T) {
	dir := viewtest.Sample().Write(t, filepath.Join(t.TempDir(), "broadcast", "20260102T030405.678Z"))
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"view", dir}, ExitValid, "wrote " + filepath.Join(dir, view.IndexFile)},
		{[]string{"view", dir, "--viz-from", "0.02", "--viz-to", "0.035"}, ExitValid, "wrote"},
		{[]string{"view", dir, "--viz-from", "2", "--viz-to", "1"}, ExitUsage, "before it starts"},
		{[]string{"view", dir, "--viz-from", "-1"}, ExitUsage, "before the run"},
		{[]string{"view", dir, "--viz-from", "soon"}, ExitUsage, "invalid argument"},
		{[]string{"view", filepath.Join(dir, "nope")}, ExitUsage, "is not a run folder"},
		{[]string{"view"}, ExitUsage, "accepts 1 arg"},
	} {
		var out, errOut bytes.Buffer
		code := Execute(context.Background(), tc.args, &out, &errOut)
		if code != tc.code || !strings.Contains(out.String()+errOut.String(), tc.out) {
			t.Errorf("glomers %s: exit %d, want %d; output %q, want %q", strings.Join(tc.args, " "), code, tc.code, out.String()+errOut.String(), tc.out)
		}
	}
	// The last good run drew the window: 3 of the 8 messages.
	svg, err := os.ReadFile(filepath.Join(dir, view.LamportFile))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(svg), `<g class="msg`); n != 3 {
		t.Errorf("windowed messages.svg has %d messages, want 3", n)
	}
}

// glomers serve prints its URL, serves the store, and stops on interrupt.
func TestServeCommand(t *testing.T) {
	var errOut bytes.Buffer
	if code := Execute(context.Background(), []string{"serve", "--port", "70000"}, io.Discard, &errOut); code != ExitUsage {
		t.Errorf("--port 70000: exit %d (%s)", code, errOut.String())
	}
	store := t.TempDir()
	viewtest.Sample().Write(t, filepath.Join(store, "broadcast", "20260102T030405.678Z"))
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedWriter{}
	done := make(chan int, 1)
	go func() { done <- Execute(ctx, []string{"serve", "--store", store, "--port", "0"}, out, out) }()
	url := ""
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		url = regexp.MustCompile(`http://localhost:\d+/`).FindString(out.String())
	}
	if url == "" {
		cancel()
		t.Fatalf("no URL printed: %q", out.String())
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "/files/broadcast/20260102T030405.678Z/") {
		t.Errorf("the home page does not list the run: %s", body)
	}
	cancel()
	select {
	case code := <-done: // Ctrl-C is how serve ends: exit 0, not "aborted"
		if code != ExitValid {
			t.Errorf("serve stopped by its context: exit %d, want %d", code, ExitValid)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}

type lockedWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
