// Package client is the workbench's test clients: endpoints named c0, c1, ...
// on the simulated network, each with at most one request outstanding, as
// Maelstrom's client.clj.
package client

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"gossip-glomers/internal/network"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
)

// Factory opens clients with names from one counter starting at c0.
type Factory struct {
	net  *network.Network
	next atomic.Int64
}

// NewFactory returns a factory for clients on net.
func NewFactory(net *network.Network) *Factory { return &Factory{net: net} }

// Open registers a new client on the network.
func (f *Factory) Open() (*Conn, error) {
	c := &Conn{
		name:    fmt.Sprintf("c%d", f.next.Add(1)-1),
		net:     f.net,
		replies: make(chan wire.Body, 16),
	}
	if err := f.net.Register(c.name, c.receive); err != nil {
		return nil, err
	}
	return c, nil
}

// Conn is one client; it implements workload.Conn.
type Conn struct {
	name    string
	net     *network.Network
	replies chan wire.Body // decoded replies to the request we wait for

	mu      sync.Mutex // one call at a time
	nextID  int64
	closed  bool
	waiting atomic.Int64 // msg_id we wait for, 0 when idle
	lastID  atomic.Int64 // msg_id of the last request sent, 0 before the first
}

var _ workload.Conn = (*Conn)(nil)

// Name is the client's network name.
func (c *Conn) Name() string { return c.name }

// LastMsgID is the msg_id of the last request the client sent (0 before its
// first). Requests are numbered 1, 2, 3, ... per client, so the history can
// name the request of each operation.
func (c *Conn) LastMsgID() int64 { return c.lastID.Load() }

// receive is the network's delivery callback. Only the reply we wait for is
// kept; anything else (a late reply to a request that timed out, an
// unsolicited message) is dropped, as Maelstrom's client does.
func (c *Conn) receive(m wire.Message) {
	reply, err := wire.DecodeBody(m.Body)
	if err != nil {
		return
	}
	if r, ok := wire.Int(reply["in_reply_to"]); !ok || r != c.waiting.Load() {
		return
	}
	select {
	case c.replies <- reply:
	default:
	}
}

// Call sends body to dest with the next msg_id and waits for its reply.
func (c *Conn) Call(ctx context.Context, dest string, body wire.Body, timeout time.Duration) (wire.Body, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, fmt.Errorf("client %s is closed", c.name)
	}
	c.nextID++
	id := c.nextID
	c.lastID.Store(id)
	req := wire.Body{}
	for k, v := range body {
		req[k] = v
	}
	req["msg_id"] = id
	// Drain a stale reply that raced with the previous call's timeout.
	select {
	case <-c.replies:
	default:
	}
	c.waiting.Store(id)
	defer c.waiting.Store(0)
	if _, err := c.net.Send(wire.Message{Src: c.name, Dest: dest, Body: wire.Marshal(req)}); err != nil {
		return nil, err
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case reply := <-c.replies:
			if r, _ := wire.Int(reply["in_reply_to"]); r != id {
				continue
			}
			if reply.Type() == "error" {
				code, ok := reply.Int("code")
				if !ok {
					code = -1 // no usable code: Maelstrom names it unknown, indefinite
				}
				text, _ := reply["text"].(string)
				return reply, &workload.RPCError{Code: code, Text: text, Body: reply}
			}
			return reply, nil
		case <-timer.C:
			return nil, workload.ErrTimeout
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Close unregisters the client; later replies to it are reported by the
// network as sends to a closed client.
func (c *Conn) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.closed = true
		c.net.Unregister(c.name)
	}
}
