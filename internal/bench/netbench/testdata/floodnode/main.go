// Command floodnode is the network benchmark's node: it keeps a fixed
// number of flood messages ("tokens") circulating between the nodes, so the
// network carries as many messages per second as it can route (with no
// latency) or tokens / latency (with it), and never more than it can hold.
//
// From the -start time (Unix ms) on, every node sends -tokens messages to
// random peers, all at once or evenly over -spread (each node at its own
// random phase); every flood message received is answered at once by a new
// one to a random peer. Each message carries the time its sender wrote it,
// so the receiver measures the hop. At -start + -duration the node stops
// passing tokens on and, -grace later, writes one floodstats line to stderr
// with what it saw in the window. It answers init and echo (the workbench's
// clients) and ignores anything else.
//
// It parses only what it needs, by hand, and flushes its output only when
// its input runs dry, so that it stays far cheaper per message than the
// workbench it measures.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"gossip-glomers/internal/bench/netbench/floodstats"
)

func main() {
	tokens := flag.Int("tokens", 10, "flood messages each node starts circulating")
	startMS := flag.Int64("start", 0, "Unix time in ms at which flooding starts (0: at init)")
	duration := flag.Duration("duration", 5*time.Second, "how long to flood")
	grace := flag.Duration("grace", time.Second, "wait after the window before reporting")
	padding := flag.Int("padding", 0, "bytes of padding in each flood message body")
	spread := flag.Duration("spread", 0, "send the first tokens evenly over this long (0: all at once)")
	flag.Parse()

	n := &node{out: bufio.NewWriterSize(os.Stdout, 1<<16), pad: bytes.Repeat([]byte("x"), *padding)}
	if *startMS > 0 {
		n.start = time.UnixMilli(*startMS)
	}
	n.duration, n.grace, n.tokens, n.spread = *duration, *grace, *tokens, *spread
	in := bufio.NewReaderSize(os.Stdin, 1<<16)
	for {
		if in.Buffered() == 0 {
			n.flush() // nothing more to read at once: let what we wrote go
		}
		line, err := in.ReadSlice('\n')
		if len(line) > 0 {
			n.handle(line)
		}
		if err == bufio.ErrBufferFull {
			fmt.Fprintln(os.Stderr, "line longer than 64 KiB")
			os.Exit(1)
		}
		if err != nil {
			if err != io.EOF {
				fmt.Fprintln(os.Stderr, err)
			}
			return
		}
	}
}

type node struct {
	tokens          int
	start           time.Time
	duration, grace time.Duration
	spread          time.Duration
	pad             []byte

	mu      sync.Mutex // out and everything below
	out     *bufio.Writer
	id      string
	peers   []string
	rng     *rand.Rand
	buf     []byte
	stats   floodstats.Report
	cpu0    time.Duration
	started bool // the window has begun
	done    bool // the window is over
}

func (n *node) flush() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.out.Flush()
}

var (
	floodType = []byte(`"type":"flood"`)
	sentKey   = []byte(`"sent":`)
)

func (n *node) handle(line []byte) {
	if bytes.Contains(line, floodType) {
		n.flood(line)
		return
	}
	var m struct {
		Src  string `json:"src"`
		Body struct {
			Type    string   `json:"type"`
			MsgID   int64    `json:"msg_id"`
			NodeID  string   `json:"node_id"`
			NodeIDs []string `json:"node_ids"`
			Echo    any      `json:"echo"`
		} `json:"body"`
	}
	if err := json.Unmarshal(line, &m); err != nil {
		fmt.Fprintf(os.Stderr, "cannot parse %q: %v\n", line, err)
		return
	}
	switch m.Body.Type {
	case "init":
		n.mu.Lock()
		n.id = m.Body.NodeID
		for _, p := range m.Body.NodeIDs {
			if p != n.id {
				n.peers = append(n.peers, p)
			}
		}
		n.stats.Node = n.id
		n.rng = rand.New(rand.NewPCG(uint64(len(n.id)), uint64(time.Now().UnixNano())))
		n.reply(m.Src, m.Body.MsgID, map[string]any{"type": "init_ok"})
		n.mu.Unlock()
		go n.run()
	case "echo":
		n.mu.Lock()
		n.reply(m.Src, m.Body.MsgID, map[string]any{"type": "echo_ok", "echo": m.Body.Echo})
		n.mu.Unlock()
	}
}

// reply writes a reply; n.mu is held.
func (n *node) reply(dest string, inReplyTo int64, body map[string]any) {
	body["in_reply_to"] = inReplyTo
	b, _ := json.Marshal(map[string]any{"src": n.id, "dest": dest, "body": body})
	n.out.Write(append(b, '\n'))
	n.out.Flush()
}

// run starts the tokens at the window's start and reports after it.
func (n *node) run() {
	start := n.start
	if start.IsZero() {
		start = time.Now()
	}
	time.Sleep(time.Until(start))
	n.mu.Lock()
	n.cpu0, n.started = cpuTime(), true
	n.stats.Started = max(time.Since(start), 0)
	phase := n.rng.Float64()
	n.mu.Unlock()
	for k := range n.tokens {
		if len(n.peers) == 0 {
			break
		}
		if n.spread > 0 {
			at := start.Add(time.Duration((float64(k) + phase) / float64(n.tokens) * float64(n.spread)))
			time.Sleep(time.Until(at))
		}
		n.mu.Lock()
		n.send(time.Now())
		if n.spread > 0 {
			n.out.Flush()
		}
		n.mu.Unlock()
	}
	n.flush()

	time.Sleep(time.Until(start.Add(n.duration)))
	n.mu.Lock()
	n.done = true
	n.stats.CPU = cpuTime() - n.cpu0
	n.mu.Unlock()

	time.Sleep(n.grace)
	n.mu.Lock()
	fmt.Fprintln(os.Stderr, n.stats.Line())
	n.mu.Unlock()
}

// flood takes a token: it measures its hop and passes it on.
func (n *node) flood(line []byte) {
	now := time.Now()
	sent, ok := intAfter(line, sentKey)
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.started || n.done || !ok {
		return // outside the window
	}
	n.stats.Received++
	n.stats.Hop.Add(now.Sub(time.Unix(0, sent)))
	n.send(now)
}

// send writes one flood message to a random peer; n.mu is held.
func (n *node) send(now time.Time) {
	peer := n.peers[n.rng.IntN(len(n.peers))]
	b := n.buf[:0]
	b = append(b, `{"src":"`...)
	b = append(b, n.id...)
	b = append(b, `","dest":"`...)
	b = append(b, peer...)
	b = append(b, `","body":{"type":"flood","sent":`...)
	b = strconv.AppendInt(b, now.UnixNano(), 10)
	if len(n.pad) > 0 {
		b = append(b, `,"pad":"`...)
		b = append(b, n.pad...)
		b = append(b, '"')
	}
	b = append(b, "}}\n"...)
	n.buf = b
	n.out.Write(b)
	n.stats.Sent++
}

// intAfter reads the integer that follows key in line.
func intAfter(line, key []byte) (int64, bool) {
	i := bytes.Index(line, key)
	if i < 0 {
		return 0, false
	}
	rest := line[i+len(key):]
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	v, err := strconv.ParseInt(string(rest[:j]), 10, 64)
	return v, err == nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
