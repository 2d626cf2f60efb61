package serve

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
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

// testStore is a store with three runs: a valid broadcast run with its
// views, an older invalid echo run without views, and a run that aborted
// (no results.json); plus the runner's latest symlinks.
func testStore(t *testing.T) string {
	t.Helper()
	store := t.TempDir()
	fillStore(t, store)
	return store
}

// shared is one test store for the tests that only read it (drawing the
// views takes a while under -race), removed by TestMain.
var shared struct {
	once sync.Once
	dir  string
	err  error
}

func sharedStore(t *testing.T) string {
	t.Helper()
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "glomers-serve-test-")
		if shared.err == nil {
			fillStore(t, shared.dir)
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func fillStore(t *testing.T, store string) {
	t.Helper()
	bcast := viewtest.Sample().Write(t, filepath.Join(store, "broadcast", "20260102T030405.678Z"))
	if err := view.Render(bcast, view.Options{}); err != nil {
		t.Fatal(err)
	}
	echo := viewtest.Sample()
	echo.Results = `{"workload": "echo", "verdict": false, "node_count": 1, "ops": {"invoke": 9}, "anomalies": ["wrong-echo"]}`
	echo.Write(t, filepath.Join(store, "echo", "20260101T000000.000Z"))
	aborted := viewtest.Run{Logs: map[string]string{"n0.log": "panic: boom\n"}}
	aborted.Write(t, filepath.Join(store, "echo", "20260101T120000.000Z"))
	for link, target := range map[string]string{"latest": "broadcast/20260102T030405.678Z", "broadcast/latest": "20260102T030405.678Z"} {
		if err := os.Symlink(target, filepath.Join(store, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(store, "README"), []byte("not a run"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec
}

func newServer(t *testing.T, store string) *Server {
	t.Helper()
	s, err := New(store)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var rowPattern = regexp.MustCompile(`(?s)<tr class="run">\s*<td><a href="([^"]+)">([^<]+)</a></td>.*?<td class="verdict" style="background: ([^"]+)"[^>]*>([^<]+)</td>`)

type homeEntry struct{ Href, Workload, Color, Verdict string }

func homeRows(t *testing.T, body string) []homeEntry {
	var rows []homeEntry
	for _, m := range rowPattern.FindAllStringSubmatch(body, -1) {
		rows = append(rows, homeEntry{m[1], m[2], m[3], m[4]})
	}
	return rows
}

// The home page lists every run newest first, verdicts in Jepsen's
// colours, and sees a new run without a restart.
func TestHome(t *testing.T) {
	t.Parallel()
	store := testStore(t)
	s := newServer(t, store)
	rec := get(t, s, "/")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	want := []homeEntry{
		{"/files/broadcast/20260102T030405.678Z/", "broadcast", "#6DB6FE", "valid"},
		{"/files/echo/20260101T120000.000Z/", "echo", "#eaeaea", "incomplete"},
		{"/files/echo/20260101T000000.000Z/", "echo", "#FEB5DA", "invalid"},
	}
	got := homeRows(t, rec.Body.String())
	if len(got) != len(want) {
		t.Fatalf("rows %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, fig := range []string{">1.50<", ">2.0 / 2.0<", ">3 / 3<", "wrong-echo"} {
		if !strings.Contains(rec.Body.String(), fig) {
			t.Errorf("home page lacks the figure %q", fig)
		}
	}

	// A new run, and a changed results.json, show on the next request.
	newer := viewtest.Sample()
	newer.Results = `{"workload": "kafka", "verdict": "unknown"}`
	newer.Write(t, filepath.Join(store, "kafka", "20260105T000000.000Z"))
	echo := filepath.Join(store, "echo", "20260101T000000.000Z", "results.json")
	if err := os.WriteFile(echo, []byte(`{"workload": "echo", "verdict": true, "node_count": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	got = homeRows(t, get(t, s, "/").Body.String())
	if len(got) != 4 || got[0].Workload != "kafka" || got[0].Color != "#FFAA26" || got[3].Verdict != "valid" {
		t.Errorf("after a new run: %+v", got)
	}
}

func TestHomeWithoutStore(t *testing.T) {
	t.Parallel()
	s := newServer(t, filepath.Join(t.TempDir(), "nothing-here"))
	rec := get(t, s, "/")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "No runs yet") {
		t.Errorf("status %d: %s", rec.Code, rec.Body.String())
	}
	if rec := get(t, s, "/?skip=x"); rec.Code != http.StatusBadRequest {
		t.Errorf("bad skip: status %d", rec.Code)
	}
}

func TestFiles(t *testing.T) {
	t.Parallel()
	store := sharedStore(t)
	s := newServer(t, store)
	run := "/files/broadcast/20260102T030405.678Z"
	for _, tc := range []struct {
		target, contentType, has string
		code                     int
	}{
		{run, "", "", http.StatusMovedPermanently}, // relative links need the slash
		{run + "/", "text/html; charset=utf-8", `id="verdict"`, http.StatusOK},
		{"/files/latest/", "text/html; charset=utf-8", `id="verdict"`, http.StatusOK}, // a symlink inside the store
		{run + "/messages.jsonl", "text/plain; charset=utf-8", `"type":"send"`, http.StatusOK},
		{run + "/history.jsonl", "text/plain; charset=utf-8", `"f":"broadcast"`, http.StatusOK},
		{run + "/results.json", "application/json", `"workload": "broadcast"`, http.StatusOK},
		{run + "/messages.svg", "image/svg+xml", "<svg", http.StatusOK},
		{run + "/rate.png", "image/png", "PNG", http.StatusOK},
		{run + "/node-logs/n0.log", "text/plain; charset=utf-8", "n0 started", http.StatusOK},
		{run + "/node-logs/", "text/html; charset=utf-8", `href="n0.log"`, http.StatusOK}, // a listing
		{"/files/echo/20260101T000000.000Z/", "text/html; charset=utf-8", `href="history.jsonl"`, http.StatusOK},
		{"/files/echo/20260101T000000.000Z/", "", "no views yet: <code>glomers view ", http.StatusOK},
		{run + "/nope.txt", "", "", http.StatusNotFound},
		{"/elsewhere", "", "", http.StatusNotFound},
	} {
		rec := get(t, s, tc.target)
		if rec.Code != tc.code {
			t.Errorf("%s: status %d, want %d", tc.target, rec.Code, tc.code)
			continue
		}
		if ct := rec.Header().Get("Content-Type"); tc.contentType != "" && ct != tc.contentType {
			t.Errorf("%s: content type %q, want %q", tc.target, ct, tc.contentType)
		}
		if !strings.Contains(rec.Body.String(), tc.has) {
			t.Errorf("%s: body lacks %q", tc.target, tc.has)
		}
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, run+"/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d", rec.Code)
	}
}

// Nothing outside the store is served: not through .., encoded or not,
// nor through a symlink that leads out.
func TestFilesStayInTheStore(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(secret, []byte("TOP SECRET"), 0o644); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(outside, "store")
	viewtest.Sample().Write(t, filepath.Join(store, "broadcast", "20260102T030405.678Z"))
	if err := os.Symlink(outside, filepath.Join(store, "broadcast", "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(store, "broadcast", "20260102T030405.678Z", "leak.txt")); err != nil {
		t.Fatal(err)
	}
	s := newServer(t, store)
	for _, target := range []string{
		"/files/../secret.txt",
		"/files/%2e%2e/secret.txt",
		"/files/broadcast/../../secret.txt",
		"/files/broadcast/20260102T030405.678Z/..%2f..%2f..%2fsecret.txt",
		"/files/broadcast/escape/secret.txt",
		"/files/broadcast/escape/",
		"/files/broadcast/20260102T030405.678Z/leak.txt",
	} {
		rec := get(t, s, target)
		if rec.Code == http.StatusOK || strings.Contains(rec.Body.String(), "TOP SECRET") {
			t.Errorf("%s: status %d, served %q", target, rec.Code, rec.Body.String())
		}
	}
}

// messages.svg and timeline.html take a time window in seconds.
func TestWindowQuery(t *testing.T) {
	t.Parallel()
	s := newServer(t, sharedStore(t))
	run := "/files/broadcast/20260102T030405.678Z/"
	for _, tc := range []struct {
		query string
		code  int
		count string
		n     int
	}{
		{"messages.svg?from=0.02&to=0.035", http.StatusOK, `<g class="msg`, 3},
		{"messages.svg?from=0.03", http.StatusOK, `<g class="msg`, 2},
		{"messages.svg?to=", http.StatusOK, `<g class="msg`, 8},
		{"timeline.html?from=0.02&to=0.035", http.StatusOK, `<div class="op `, 3},
		{"messages.svg?from=soon", http.StatusBadRequest, "is not a number", 1},
		{"messages.svg?from=NaN", http.StatusBadRequest, "is not a number", 1},
		{"messages.svg?from=2&to=1", http.StatusBadRequest, "before it starts", 1},
		{"messages.svg?from=-1", http.StatusBadRequest, "before the run", 1},
	} {
		rec := get(t, s, run+tc.query)
		if rec.Code != tc.code {
			t.Errorf("%s: status %d, want %d: %s", tc.query, rec.Code, tc.code, rec.Body.String())
			continue
		}
		if n := strings.Count(rec.Body.String(), tc.count); n != tc.n {
			t.Errorf("%s: %d of %q, want %d", tc.query, n, tc.count, tc.n)
		}
	}
}

// ListenAndServe binds localhost by default, prints its URL, serves, and
// stops when its context ends.
func TestListenAndServe(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	store := sharedStore(t)
	go func() { done <- ListenAndServe(ctx, Config{Store: store, Port: 0}, out) }()
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := regexp.MustCompile(`http://\S+/`).FindString(out.String()); m != "" {
			url = m
		}
	}
	if !strings.HasPrefix(url, "http://localhost:") {
		t.Fatalf("printed %q, want a localhost URL", out.String())
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `<table id="runs">`) {
		t.Errorf("home page: %s", body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ListenAndServe: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ListenAndServe did not stop")
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
