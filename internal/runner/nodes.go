package runner

import (
	"bytes"
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

// parseGeneralEnvelope reads one line a node wrote to stdout as Maelstrom's
// parse-msg does (maelstrom.process; see stdout.go): the first JSON value on
// the line, which must match Maelstrom's envelope schema (maelstrom.net's
// Message): an object with string src and dest, a body, an optional integer
// id of any size, and nothing else. A null, missing, [] or "" body becomes {}
// (parse-msg's keywordize-keys-1 of it); any other non-object body is
// rejected. trailing is the text after the value, which Maelstrom ignores.
// parseEnvelope (stdout.go) tries a quicker reader of the common line first.
func parseGeneralEnvelope(line []byte) (m wire.Message, trailing []byte, err error) {
	raw, trailing, err := decodeLine(line)
	if errors.Is(err, errEmptyLine) || errors.Is(err, errBeyondJackson) {
		return m, nil, err
	}
	if err != nil {
		return m, nil, fmt.Errorf("not a JSON object: %v", err)
	}
	for k, v := range raw {
		switch k {
		case "src":
			if err := json.Unmarshal(v, &m.Src); err != nil {
				return m, nil, errors.New("src is not a string")
			}
		case "dest":
			if err := json.Unmarshal(v, &m.Dest); err != nil {
				return m, nil, errors.New("dest is not a string")
			}
		case "id":
			var id any
			if err := wire.Decode(v, &id); err != nil || !wire.IsInteger(id) {
				return m, nil, errors.New("id is not an integer")
			}
		case "body":
			m.Body = v
		default:
			return m, nil, fmt.Errorf("unexpected top-level key %q (allowed: src, dest, body, id)", k)
		}
	}
	if m.Src == "" {
		return m, nil, errors.New("missing src")
	}
	if m.Dest == "" {
		return m, nil, errors.New("missing dest")
	}
	// The body is well-formed JSON already; only its kind is left to check.
	switch {
	case len(m.Body) > 0 && m.Body[0] == '{':
	case isEmptyBody(m.Body):
		m.Body = json.RawMessage("{}")
	default:
		return m, nil, errors.New("body is not a JSON object")
	}
	return m, trailing, nil
}

// isEmptyBody reports whether a body is one that parse-msg turns into {}:
// missing, null, an empty array or an empty string.
func isEmptyBody(body json.RawMessage) bool {
	switch string(body) {
	case "", "null", `""`:
		return true
	}
	var list []json.RawMessage
	return body[0] == '[' && json.Unmarshal(body, &list) == nil && len(list) == 0
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
	// clientClosedAt, when set, tells when a client closed, for the warning
	// about a late reply to it.
	clientClosedAt func(string) (time.Time, bool)
	// stdout is what fromNode remembers about each node's stdout.
	stdout nodeOutputs

	stopping atomic.Bool // set at teardown: exits from then on are expected
	// answeredInit tells, per node, whether it has written an init_ok; set
	// from its stdout before its exit can be seen, so a crash report says
	// exactly whether the node died before or after init_ok.
	answeredInit map[string]*atomic.Bool
}

// start registers every node on the network before launching any process
// (so an early peer message never hits an unknown destination), then
// launches them all.
func (c *cluster) start(dir string) error {
	c.answeredInit = map[string]*atomic.Bool{}
	for _, name := range c.cfg.Nodes {
		name := name
		if err := c.net.RegisterBatch(name, c.deliverer(name)); err != nil {
			return err
		}
		c.answeredInit[name] = &atomic.Bool{}
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
			answered := c.answeredInit[name]
			p, err := process.Start(name, opts, func(line []byte) {
				if !answered.Load() && isInitOK(line) {
					answered.Store(true)
				}
				c.fromNode(name, line)
			})
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

// deliverer returns what the network calls with the messages due for a
// node: deliver, with a buffer of the node's own (its deliveries come one
// batch at a time, from the node's network pump).
func (c *cluster) deliverer(node string) network.BatchDeliverFunc {
	var lines []byte
	return func(ms []wire.Message) { lines = c.deliver(node, ms, lines[:0]) }
}

// deliver writes messages to the node's stdin, one JSON line each (encoded
// as json.Marshal would, see wire.AppendMessage), in a single write. It
// returns the buffer for the next batch.
func (c *cluster) deliver(node string, ms []wire.Message, lines []byte) []byte {
	p := c.proc(node)
	if p == nil {
		return lines
	}
	for _, m := range ms {
		lines = append(wire.AppendMessage(lines, m), '\n')
	}
	// A node that stops reading blocks this write, and with it only this
	// node's deliveries, as in Maelstrom; Kill unblocks it at teardown.
	if err := p.WriteLines(lines); err != nil && !c.stopping.Load() && !p.HasExited() && !errors.Is(err, process.ErrKilled) {
		c.warn.add("write to node stdin failed", fmt.Sprintf("%s: %v", node, err))
	}
	if cap(lines) > 1<<20 {
		return nil // a rare huge batch: do not keep its buffer
	}
	return lines
}

// isInitOK reports whether a stdout line is an init_ok message. It is only
// asked until a node's first init_ok, so its cost does not matter.
func isInitOK(line []byte) bool {
	if !bytes.Contains(line, []byte("init_ok")) {
		return false
	}
	var m struct {
		Body struct {
			Type any `json:"type"`
		} `json:"body"`
	}
	// A Decoder reads the first JSON value and ignores any text after it.
	return json.NewDecoder(bytes.NewReader(line)).Decode(&m) == nil && m.Body.Type == "init_ok"
}

// fromNode handles one stdout line of a node as Maelstrom's stdout pump
// does (see stdout.go). Where Maelstrom would stop reading the node's stdout
// we stop the test instead, with the reason (the stricter form), except after
// a late reply to a closed client: that happens to correct nodes, so we
// reproduce it (see lateReply).
func (c *cluster) fromNode(node string, line []byte) {
	out := c.stdout.of(node)
	if out.dead {
		c.warn.add(fmt.Sprintf("lines %s wrote after Maelstrom would have stopped reading its stdout (lost)", node), clip(line))
		return
	}
	m, trailing, err := parseEnvelope(line)
	switch {
	case errors.Is(err, errEmptyLine):
		c.fail(fmt.Errorf("node %s wrote an empty line to stdout. Maelstrom reads it as a message "+
			"with no src or dest, rejects it, and never reads %s's stdout again (every later message "+
			"from it is lost, so the test fails); glomers stops the test here instead", node, node))
		return
	case err != nil:
		c.fail(fmt.Errorf("node %s wrote a line that is not a valid Maelstrom message (%v): %s", node, err, clip(line)))
		return
	}
	if len(trailing) > 0 && !out.warnedTrailing {
		out.warnedTrailing = true
		c.warn.add("text after the JSON message on a stdout line, ignored as Maelstrom ignores it (a missing newline?)",
			fmt.Sprintf("%s: %s", node, clip(line)))
	}
	if _, err := c.net.Send(m); err != nil {
		switch {
		case errors.Is(err, network.ErrUnknownEndpoint) && network.IsClient(m.Dest) && c.clientsSeen(m.Dest) && c.net.Registered(m.Src):
			c.lateReply(node, out, m, line)
		default:
			c.fail(fmt.Errorf("node %s sent a message the network cannot deliver (%v): %s", node, err, clip(line)))
		}
	}
}

// lateReply handles a message to a client that has closed: one that timed
// out and was replaced, or the init client after init_ok. Maelstrom's send!
// rejects it ("Invalid dest for message", maelstrom.net/validate-msg) and,
// as for any error in the pump, never reads the node's stdout again, so
// everything the node sends from then on is lost and the test goes on
// without it. We do the same, loudly; --lenient-late-replies drops just this
// message and keeps reading the node instead.
func (c *cluster) lateReply(node string, out *nodeOutput, m wire.Message, line []byte) {
	now := time.Now()
	closed := "had closed before"
	if c.clientClosedAt != nil {
		if at, ok := c.clientClosedAt(m.Dest); ok {
			closed = fmt.Sprintf("had closed at %s, %.1f s before", clock(at), now.Sub(at).Seconds())
		}
	}
	what := fmt.Sprintf("node %s sent a message to client %s at %s; the client %s", node, m.Dest, clock(now), closed)
	if c.cfg.LenientLateReplies {
		c.warn.add("message to a client that had already closed (dropped, --lenient-late-replies)",
			fmt.Sprintf("%s: %s", what, clip(line)))
		return
	}
	out.dead = true
	warning := fmt.Sprintf("%s. Maelstrom rejects such a message and never reads %s's stdout again, "+
		"so everything %s sends from now on is lost; glomers does the same "+
		"(--lenient-late-replies drops only this message). The message: %s", what, node, node, clip(line))
	if c.cfg.Log != nil {
		fmt.Fprintf(c.cfg.Log, "WARNING: %s\n", warning)
	}
	c.warn.add("node's stdout no longer read after a message to a closed client, as in Maelstrom", warning)
}

// clock is a wall-clock time of day to the millisecond, as in the logs.
func clock(t time.Time) string { return t.Format("15:04:05.000") }

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
			return c.exitReport(p)
		}
	}
	return nil
}

// watch aborts the run as soon as a node exits before teardown; Maelstrom
// reports this as a crash too (even for exit status 0).
func (c *cluster) watch(p *process.Node) {
	<-p.Exited()
	if !c.stopping.Load() {
		c.fail(c.exitReport(p))
	}
}

// exitReport is an exited node's crash report, saying whether it had
// answered init.
func (c *cluster) exitReport(p *process.Node) error {
	when := "before answering init"
	if c.answeredInit[p.Name].Load() {
		when = "after init_ok"
	}
	return errors.New(p.CrashReport(when))
}

// stop kills every node (in parallel, each within Kill's bound) without
// holding procsMu meanwhile.
func (c *cluster) stop() {
	c.stopping.Store(true)
	c.procsMu.Lock()
	procs := make([]*process.Node, 0, len(c.procs))
	for _, p := range c.procs {
		procs = append(procs, p)
	}
	c.procsMu.Unlock()
	var wg sync.WaitGroup
	for _, p := range procs {
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
