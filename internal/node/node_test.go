package node

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"
)

// harness runs a node on pipes and reads what it writes.
type harness struct {
	t     *testing.T
	in    *io.PipeWriter
	out   *bufio.Scanner
	done  chan error
	lines chan map[string]any
}

func start(t *testing.T, setup func(n *Node)) *harness {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	n := NewWithIO(inR, outW)
	setup(n)
	h := &harness{t: t, in: inW, out: bufio.NewScanner(outR), done: make(chan error, 1), lines: make(chan map[string]any, 100)}
	go func() { h.done <- n.Run(); outW.Close() }()
	go func() {
		for h.out.Scan() {
			var m map[string]any
			if err := json.Unmarshal(h.out.Bytes(), &m); err == nil {
				h.lines <- m
			}
		}
		close(h.lines)
	}()
	t.Cleanup(func() { inW.Close() })
	h.send(`{"src":"c0","dest":"n0","body":{"type":"init","msg_id":1,"node_id":"n0","node_ids":["n0","n1"]}}`)
	if got := h.recv(); got["type"] != "init_ok" {
		t.Fatalf("init answered with %v", got)
	}
	return h
}

func (h *harness) send(line string) {
	h.t.Helper()
	if _, err := io.WriteString(h.in, line+"\n"); err != nil {
		h.t.Fatal(err)
	}
}

// recv returns the body of the next message the node wrote.
func (h *harness) recv() map[string]any {
	h.t.Helper()
	select {
	case m, ok := <-h.lines:
		if !ok {
			h.t.Fatal("node stopped writing")
		}
		body, _ := m["body"].(map[string]any)
		return body
	case <-time.After(2 * time.Second):
		h.t.Fatal("no message from the node")
	}
	return nil
}

type echoReq struct {
	Echo string `json:"echo"`
}

func withEcho(n *Node) {
	Handle(n, "echo", func(_ string, req echoReq) (any, error) {
		return map[string]any{"type": "echo_ok", "echo": req.Echo}, nil
	})
}

func TestBadInputKeepsTheNodeServing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		line  string
		reply map[string]any // nil: no reply expected
	}{
		{"not json", `this is not json`, nil},
		{"body not an object", `{"src":"c1","dest":"n0","body":"hello"}`, nil},
		{"empty line", ``, nil},
		{"unknown type", `{"src":"c1","dest":"n0","body":{"type":"frobnicate","msg_id":7}}`,
			map[string]any{"type": "error", "code": float64(10), "in_reply_to": float64(7)}},
		{"malformed known type", `{"src":"c1","dest":"n0","body":{"type":"echo","msg_id":8,"echo":5}}`,
			map[string]any{"type": "error", "code": float64(12), "in_reply_to": float64(8)}},
		{"reply with no callback", `{"src":"n1","dest":"n0","body":{"type":"x_ok","in_reply_to":99}}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, withEcho)
			h.send(tc.line)
			if tc.reply != nil {
				got := h.recv()
				for k, v := range tc.reply {
					if got[k] != v {
						t.Fatalf("reply %v: %s = %v, want %v", got, k, got[k], v)
					}
				}
			}
			// The node still serves.
			h.send(`{"src":"c1","dest":"n0","body":{"type":"echo","msg_id":9,"echo":"hi"}}`)
			if got := h.recv(); got["type"] != "echo_ok" || got["echo"] != "hi" || got["in_reply_to"] != float64(9) {
				t.Fatalf("after bad input, echo answered %v", got)
			}
		})
	}
}

func TestOverlongLineIsSkipped(t *testing.T) {
	h := start(t, withEcho)
	h.send(`{"src":"c1","dest":"n0","body":{"type":"echo","msg_id":2,"echo":"` + strings.Repeat("x", 70000) + `"}}`)
	h.send(`{"src":"c1","dest":"n0","body":{"type":"echo","msg_id":3,"echo":"short"}}`)
	if got := h.recv(); got["in_reply_to"] != float64(3) {
		t.Fatalf("got %v, want the reply to the short echo", got)
	}
}

func TestCallTimesOutWithoutLeaking(t *testing.T) {
	var n *Node
	h := start(t, func(node *Node) { n = node })
	before := runtime.NumGoroutine()
	for i := 0; i < 20; i++ {
		_, err := n.Call(context.Background(), "n1", map[string]any{"type": "ping"}, 5*time.Millisecond)
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("got %v, want ErrTimeout", err)
		}
		h.recv() // the request went out
	}
	// Late replies arrive after every caller gave up: their callbacks must
	// not block forever.
	for i := 1; i <= 20; i++ {
		h.send(`{"src":"n1","dest":"n0","body":{"type":"ping_ok","in_reply_to":` + itoa(i) + `}}`)
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before+2 {
		t.Fatalf("%d goroutines after late replies, %d before: callbacks leaked", g, before)
	}
}

func TestCallReturnsReplyAndErrors(t *testing.T) {
	var n *Node
	h := start(t, func(node *Node) { n = node })
	type result struct {
		msg maelstrom.Message
		err error
	}
	for _, tc := range []struct {
		reply   string
		wantErr int // -1: no error
	}{
		{`{"type":"ping_ok"}`, -1},
		{`{"type":"error","code":22,"text":"nope"}`, 22},
		{`{"type":"error","code":0,"text":"timeout"}`, 0}, // the library misses code 0
	} {
		res := make(chan result, 1)
		go func() {
			m, err := n.Call(context.Background(), "n1", map[string]any{"type": "ping"}, time.Second)
			res <- result{m, err}
		}()
		req := h.recv()
		id := req["msg_id"].(float64)
		body := strings.TrimSuffix(tc.reply, "}") + `,"in_reply_to":` + itoa(int(id)) + `}`
		h.send(`{"src":"n1","dest":"n0","body":` + body + `}`)
		r := <-res
		var rpcErr *maelstrom.RPCError
		switch {
		case tc.wantErr < 0 && r.err != nil:
			t.Fatalf("reply %s: unexpected error %v", tc.reply, r.err)
		case tc.wantErr >= 0 && (!errors.As(r.err, &rpcErr) || rpcErr.Code != tc.wantErr):
			t.Fatalf("reply %s: error %v, want code %d", tc.reply, r.err, tc.wantErr)
		}
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestRequestsBeforeInitWaitForIt(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	n := NewWithIO(inR, outW)
	initialised := false
	n.Handle("init", func(maelstrom.Message) error { initialised = true; return nil })
	Handle(n, "ping", func(string, struct{}) (any, error) {
		if !initialised {
			return nil, maelstrom.NewRPCError(maelstrom.TemporarilyUnavailable, "not initialised yet")
		}
		return map[string]any{"type": "pong"}, nil
	})
	go n.Run()
	defer inW.Close()
	out := bufio.NewScanner(outR)
	// A peer initialised first and pings before our init arrives.
	io.WriteString(inW, `{"src":"n1","dest":"n0","body":{"type":"ping","msg_id":5}}`+"\n")
	io.WriteString(inW, `{"src":"c0","dest":"n0","body":{"type":"init","msg_id":1,"node_id":"n0","node_ids":["n0","n1"]}}`+"\n")
	got := map[string]map[string]any{}
	for len(got) < 2 && out.Scan() {
		var m struct {
			Src, Dest string
			Body      map[string]any
		}
		if err := json.Unmarshal(out.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		if m.Src != "n0" {
			t.Fatalf("message %s has src %q: sent before the node knew its id", out.Bytes(), m.Src)
		}
		got[m.Dest] = m.Body
	}
	if got["c0"]["type"] != "init_ok" || got["n1"]["type"] != "pong" || got["n1"]["in_reply_to"] != float64(5) {
		t.Fatalf("replies %v: want init_ok to c0 and pong to n1", got)
	}
}
