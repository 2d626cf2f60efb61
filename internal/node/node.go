// Package node is what the challenge binaries share on top of the Maelstrom
// Go library: typed handlers, an RPC with a timeout that leaks nothing, and a
// stdin filter that keeps a node serving when it receives a line it cannot
// use (the library's Run exits on a malformed line or an unknown type).
package node

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"sync"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"
)

// maxLibraryLine is the longest line the library's bufio.Scanner accepts.
const maxLibraryLine = bufio.MaxScanTokenSize

// Node is a maelstrom.Node with a forgiving input loop.
type Node struct {
	*maelstrom.Node
	in io.Reader

	mu    sync.Mutex
	types map[string]bool // message types with a handler

	// Requests that arrive before init (a peer initialised first) are held
	// until init has run: until then the node has no id to answer from.
	userInit  maelstrom.HandlerFunc
	ready     chan struct{} // closed once init has been handled
	readyOnce sync.Once
}

// New returns a node reading os.Stdin and writing os.Stdout.
func New() *Node { return NewWithIO(os.Stdin, os.Stdout) }

// NewWithIO returns a node on the given streams (tests use pipes).
func NewWithIO(in io.Reader, out io.Writer) *Node {
	inner := maelstrom.NewNode()
	inner.Stdout = out
	n := &Node{Node: inner, in: in, types: map[string]bool{"init": true}, ready: make(chan struct{})}
	inner.Handle("init", n.onInit)
	return n
}

// Handle registers fn for a message type, as maelstrom.Node.Handle does
// (an "init" handler runs after the node knows its id, before init_ok).
func (n *Node) Handle(typ string, fn maelstrom.HandlerFunc) {
	if typ == "init" {
		if n.userInit != nil {
			panic("duplicate message handler for \"init\" message type")
		}
		n.userInit = fn
		return
	}
	n.mu.Lock()
	n.types[typ] = true
	n.mu.Unlock()
	n.Node.Handle(typ, fn)
}

// onInit runs the binary's init handler, then releases the held requests.
func (n *Node) onInit(msg maelstrom.Message) error {
	defer n.readyOnce.Do(func() { close(n.ready) })
	if n.userInit != nil {
		return n.userInit(msg)
	}
	return nil
}

// Handle registers a typed handler: the body is decoded into Req, and a
// non-nil reply is sent back to the sender. A body that does not decode is
// answered with malformed-request (12); a returned *maelstrom.RPCError is
// sent as that error, any other error as crash (13).
func Handle[Req any](n *Node, typ string, fn func(src string, req Req) (reply any, err error)) {
	n.Handle(typ, func(msg maelstrom.Message) error {
		var req Req
		if err := json.Unmarshal(msg.Body, &req); err != nil {
			return maelstrom.NewRPCError(maelstrom.MalformedRequest, fmt.Sprintf("bad %s body: %v", typ, err))
		}
		reply, err := fn(msg.Src, req)
		if err != nil || reply == nil {
			return err
		}
		return n.Reply(msg, reply)
	})
}

// Run serves until stdin closes. Lines that are not JSON messages are logged
// and skipped; requests of a type with no handler are answered with
// not-supported (10). Everything else goes to the library's own loop.
func (n *Node) Run() error {
	pr, pw := io.Pipe()
	n.Node.Stdin = pr
	done := make(chan error, 1)
	go func() { done <- n.Node.Run() }()

	err := n.filter(pw)
	pw.CloseWithError(err)
	if runErr := <-done; runErr != nil {
		return runErr
	}
	return err
}

// envelope is just enough of a message to route it.
type envelope struct {
	Src  string          `json:"src"`
	Dest string          `json:"dest"`
	Body json.RawMessage `json:"body"`
}

type routing struct {
	Type      string `json:"type"`
	MsgID     int    `json:"msg_id"`
	InReplyTo int    `json:"in_reply_to"`
}

// filter copies acceptable lines from n.in to w. Requests that arrive
// before init are held back until init has been handled, then forwarded in
// order.
func (n *Node) filter(w io.Writer) error {
	lines := make(chan []byte)
	readErr := make(chan error, 1)
	go func() {
		r := bufio.NewReaderSize(n.in, 1<<16)
		for {
			line, err := r.ReadBytes('\n')
			if len(line) > 0 {
				lines <- line
			}
			if err != nil {
				close(lines)
				readErr <- err
				return
			}
		}
	}()
	forward := func(line []byte) error {
		if fwd := n.check(line); fwd != nil {
			_, err := w.Write(fwd)
			return err
		}
		return nil
	}
	ready := n.ready
	var held [][]byte
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				if err := <-readErr; !errors.Is(err, io.EOF) {
					return err
				}
				return nil
			}
			if ready != nil && beforeInit(line) {
				held = append(held, line)
				continue
			}
			if err := forward(line); err != nil {
				return err
			}
		case <-ready:
			ready = nil // a nil channel never fires again
			for _, line := range held {
				if err := forward(line); err != nil {
					return err
				}
			}
			held = nil
		}
	}
}

// beforeInit reports whether a line is a request that must wait for init:
// anything well-formed that is neither init nor a reply.
func beforeInit(line []byte) bool {
	var env envelope
	var rt routing
	if json.Unmarshal(line, &env) != nil || json.Unmarshal(env.Body, &rt) != nil {
		return false // malformed: check logs and drops it
	}
	return rt.Type != "init" && rt.InReplyTo == 0
}

// check returns the line to forward (newline-terminated), or nil to drop it.
func (n *Node) check(line []byte) []byte {
	trimmed := trimSpace(line)
	if len(trimmed) == 0 {
		return nil
	}
	var env envelope
	if err := json.Unmarshal(trimmed, &env); err != nil {
		log.Printf("malformed message (not JSON: %v), skipped: %.200s", err, trimmed)
		return nil
	}
	var rt routing
	if err := json.Unmarshal(env.Body, &rt); err != nil {
		log.Printf("malformed message (body is not an object with type/msg_id: %v), skipped: %.200s", err, trimmed)
		return nil
	}
	if len(trimmed) >= maxLibraryLine {
		log.Printf("message of %d bytes is longer than the Maelstrom Go library reads (%d), skipped: %.200s",
			len(trimmed), maxLibraryLine, trimmed)
		return nil
	}
	if rt.InReplyTo == 0 {
		n.mu.Lock()
		known := n.types[rt.Type]
		n.mu.Unlock()
		if !known {
			log.Printf("no handler for message type %q; answering not-supported", rt.Type)
			n.notSupported(env, rt)
			return nil
		}
	}
	return append(trimmed, '\n')
}

func (n *Node) notSupported(env envelope, rt routing) {
	if env.Src == "" {
		return
	}
	body := map[string]any{
		"type": "error", "code": maelstrom.NotSupported,
		"text": fmt.Sprintf("message type %q is not supported", rt.Type),
	}
	if rt.MsgID != 0 {
		body["in_reply_to"] = rt.MsgID
	}
	if err := n.Send(env.Src, body); err != nil {
		log.Printf("reply error: %v", err)
	}
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// ErrTimeout is returned by Call when no reply arrives in time.
var ErrTimeout = errors.New("rpc timed out")

// Call sends an RPC and waits up to timeout (or ctx) for its reply. Unlike the
// library's SyncRPC, a reply that arrives after the caller gave up does not
// block a goroutine forever: the callback writes into a buffered channel and
// returns. An error reply is returned as *maelstrom.RPCError.
func (n *Node) Call(ctx context.Context, dest string, body any, timeout time.Duration) (maelstrom.Message, error) {
	replies := make(chan maelstrom.Message, 1)
	if err := n.RPC(dest, body, func(m maelstrom.Message) error {
		replies <- m
		return nil
	}); err != nil {
		return maelstrom.Message{}, err
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case m := <-replies:
		if rpcErr := replyError(m); rpcErr != nil {
			return m, rpcErr
		}
		return m, nil
	case <-timer.C:
		return maelstrom.Message{}, ErrTimeout
	case <-ctx.Done():
		return maelstrom.Message{}, ctx.Err()
	}
}

// replyError detects error replies by their type, as Maelstrom does (the
// library's check, code != 0, misses an error with code 0 = timeout).
func replyError(m maelstrom.Message) *maelstrom.RPCError {
	var b struct {
		Type string `json:"type"`
		Code int    `json:"code"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(m.Body, &b); err != nil {
		return maelstrom.NewRPCError(maelstrom.Crash, "unreadable reply: "+err.Error())
	}
	if b.Type != "error" {
		return nil
	}
	return maelstrom.NewRPCError(b.Code, b.Text)
}

// Main runs the node and exits non-zero if its loop fails; every binary's
// main ends with it.
func Main(n *Node) {
	if err := n.Run(); err != nil {
		log.Printf("node stopped: %v", err)
		os.Exit(1)
	}
}
