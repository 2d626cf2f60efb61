package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"gossip-glomers/internal/client"
	"gossip-glomers/internal/network"
	"gossip-glomers/internal/process"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
)

const initTimeout = 10 * time.Second

// parseEnvelope reads one line a node wrote to stdout with Maelstrom's
// envelope schema: an object with string src and dest, a body, an optional
// integer id, and nothing else. A null, missing or [] body becomes {}, as in
// Maelstrom; any other non-object body is rejected.
func parseEnvelope(line []byte) (wire.Message, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		return wire.Message{}, fmt.Errorf("not a JSON object: %v", err)
	}
	var m wire.Message
	for k, v := range raw {
		switch k {
		case "src":
			if err := json.Unmarshal(v, &m.Src); err != nil {
				return m, errors.New("src is not a string")
			}
		case "dest":
			if err := json.Unmarshal(v, &m.Dest); err != nil {
				return m, errors.New("dest is not a string")
			}
		case "id":
			var id int64
			if err := json.Unmarshal(v, &id); err != nil {
				return m, errors.New("id is not an integer")
			}
		case "body":
			m.Body = v
		default:
			return m, fmt.Errorf("unexpected top-level key %q (allowed: src, dest, body, id)", k)
		}
	}
	if m.Src == "" {
		return m, errors.New("missing src")
	}
	if m.Dest == "" {
		return m, errors.New("missing dest")
	}
	switch body := string(m.Body); {
	case body == "" || body == "null" || body == "[]":
		m.Body = json.RawMessage("{}")
	default:
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(m.Body, &obj); err != nil {
			return m, errors.New("body is not a JSON object")
		}
	}
	return m, nil
}

// warnings collects conditions worth reporting that do not fail a run, each
// counted with its first example.
type warnings struct {
	mu    sync.Mutex
	count map[string]int
	first map[string]string
}

func (w *warnings) add(kind, example string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.count == nil {
		w.count, w.first = map[string]int{}, map[string]string{}
	}
	if w.count[kind] == 0 {
		w.first[kind] = example
	}
	w.count[kind]++
}

func (w *warnings) list() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for kind, n := range w.count {
		out = append(out, fmt.Sprintf("%s: %d time(s), e.g. %s", kind, n, w.first[kind]))
	}
	sort.Strings(out)
	return out
}

// cluster is the running nodes.
type cluster struct {
	cfg     *Config
	net     *network.Network
	procsMu sync.Mutex
	procs   map[string]*process.Node
	fail    func(error)
	warn    *warnings
	// clientsSeen reports whether a client name ever existed, so a late reply to
	// one is told apart from a send to a name that never existed.
	clientsSeen func(string) bool

	stopping atomic.Bool // set at teardown: exits from then on are expected
}

// start registers every node on the network before launching any process
// (so an early peer message never hits an unknown destination), then
// launches them all.
func (c *cluster) start(dir string) error {
	for _, name := range c.cfg.Nodes {
		name := name
		if err := c.net.Register(name, func(m wire.Message) { c.deliver(name, m) }); err != nil {
			return err
		}
	}
	var wg sync.WaitGroup
	var firstErr error
	for _, name := range c.cfg.Nodes {
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			opts := process.Options{
				Bin: c.cfg.Bin, Args: c.cfg.BinArgs,
				LogPath: filepath.Join(dir, "node-logs", name+".log"),
			}
			if c.cfg.LogStderr {
				opts.Echo = c.cfg.Log
			}
			p, err := process.Start(name, opts, func(line []byte) { c.fromNode(name, line) })
			c.procsMu.Lock()
			defer c.procsMu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("node %s: %w", name, err)
				}
				return
			}
			c.procs[name] = p
			go c.watch(p)
		}(name)
	}
	wg.Wait()
	return firstErr
}

func (c *cluster) proc(name string) *process.Node {
	c.procsMu.Lock()
	defer c.procsMu.Unlock()
	return c.procs[name]
}

func (c *cluster) deliver(node string, m wire.Message) {
	p := c.proc(node)
	if p == nil {
		return
	}
	line, err := json.Marshal(m)
	if err != nil {
		c.fail(fmt.Errorf("cannot encode message for %s: %v", node, err))
		return
	}
	if err := p.Write(line); err != nil && !p.HasExited() {
		c.warn.add("write to node stdin failed", fmt.Sprintf("%s: %v", node, err))
	}
}

// fromNode handles one stdout line of a node.
func (c *cluster) fromNode(node string, line []byte) {
	if len(line) == 0 {
		return
	}
	m, err := parseEnvelope(line)
	if err != nil {
		c.fail(fmt.Errorf("node %s wrote a line that is not a valid Maelstrom message (%v): %s", node, err, clip(line)))
		return
	}
	if _, err := c.net.Send(m); err != nil {
		switch {
		case errors.Is(err, network.ErrUnknownEndpoint) && network.IsClient(m.Dest) && c.clientsSeen(m.Dest) && c.net.Registered(m.Src):
			// Maelstrom's pump dies on this ("Invalid dest"); we drop the
			// message and report it (see maelstrom-spec §2.6).
			c.warn.add("message to a client that had already closed (dropped)", fmt.Sprintf("%s: %s", node, clip(line)))
		default:
			c.fail(fmt.Errorf("node %s sent a message the network cannot deliver (%v): %s", node, err, clip(line)))
		}
	}
}

func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// initialise sends init to every node in parallel and waits for init_ok.
func (c *cluster) initialise(ctx context.Context, open func() (*client.Conn, error)) error {
	errs := make(chan error, len(c.cfg.Nodes))
	for _, name := range c.cfg.Nodes {
		go func(name string) {
			cl, err := open()
			if err != nil {
				errs <- err
				return
			}
			defer cl.Close()
			body := wire.Body{"type": "init", "node_id": name, "node_ids": c.cfg.Nodes}
			reply, err := cl.Call(ctx, name, body, initTimeout)
			switch {
			case errors.Is(err, workload.ErrTimeout):
				errs <- fmt.Errorf("node %s did not answer init within %v", name, initTimeout)
			case err != nil:
				errs <- fmt.Errorf("node %s answered init with %v", name, err)
			case reply.Type() != "init_ok":
				errs <- fmt.Errorf("node %s answered init with type %q, want init_ok", name, reply.Type())
			default:
				errs <- nil
			}
		}(name)
	}
	var first error
	for range c.cfg.Nodes {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// crashed returns the crash report of the first node that has exited.
func (c *cluster) crashed() error {
	for _, name := range c.cfg.Nodes {
		if p := c.proc(name); p != nil && p.HasExited() {
			return errors.New(p.CrashReport())
		}
	}
	return nil
}

// watch aborts the run as soon as a node exits before teardown; Maelstrom
// reports this as a crash too (even for exit status 0).
func (c *cluster) watch(p *process.Node) {
	<-p.Exited()
	if !c.stopping.Load() {
		c.fail(errors.New(p.CrashReport()))
	}
}

func (c *cluster) stop() {
	c.stopping.Store(true)
	var wg sync.WaitGroup
	c.procsMu.Lock()
	defer c.procsMu.Unlock()
	for _, p := range c.procs {
		wg.Add(1)
		go func(p *process.Node) {
			defer wg.Done()
			if err := p.Kill(); err != nil {
				c.warn.add("node did not stop", err.Error())
			}
		}(p)
	}
	wg.Wait()
}
