// Package process runs a node binary as a child process speaking Maelstrom's
// JSON-lines protocol: lines to its stdin, lines from its stdout, and its
// stderr kept in a log file.
package process

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// tailLines is how many of the last stdout/stderr lines are kept for a crash
// report, as in Maelstrom.
const tailLines = 32

// Options say how to start a node.
type Options struct {
	Bin     string
	Args    []string
	Dir     string    // working directory ("" = a temp dir, like Maelstrom's JVM temp dir)
	LogPath string    // the node's stderr is appended here
	Echo    io.Writer // if set, stderr lines are also copied here (--log-stderr)
}

// Node is a running node process.
type Node struct {
	Name string

	cmd *exec.Cmd
	// writeMu serialises writers of stdin. Kill never takes it: a writer may
	// hold it for as long as the node does not read.
	writeMu sync.Mutex
	stdin   io.WriteCloser
	killed  atomic.Bool
	logFile *os.File

	tailMu     sync.Mutex
	stdoutTail tail
	stderrTail tail

	pumps   sync.WaitGroup
	exited  chan struct{}
	waitErr error
}

// Start launches the binary. onLine is called from one goroutine with every
// line the node writes to stdout (without the newline).
func Start(name string, opts Options, onLine func([]byte)) (*Node, error) {
	bin, err := filepath.Abs(opts.Bin)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("node binary: %w", err)
	} else if st.IsDir() || st.Mode()&0o111 == 0 {
		return nil, fmt.Errorf("node binary %s is not an executable file", bin)
	}
	logFile, err := os.OpenFile(opts.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, opts.Args...)
	cmd.Dir = opts.Dir
	if cmd.Dir == "" {
		cmd.Dir = os.TempDir()
	}
	// Its own process group, so that Kill takes any children the node
	// starts; see sysProcAttr for what happens if glomers itself dies.
	cmd.SysProcAttr = sysProcAttr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		logFile.Close()
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logFile.Close()
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		logFile.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	p := &Node{Name: name, cmd: cmd, stdin: stdin, logFile: logFile, exited: make(chan struct{})}
	p.pumps.Add(2)
	go p.pumpStdout(stdout, onLine)
	go p.pumpStderr(stderr, opts.Echo)
	go func() {
		p.pumps.Wait() // Wait must not run before the pipes are drained
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.exited)
	}()
	return p, nil
}

// pumpStdout reads stdout into lines as Maelstrom does (byte-streams'
// to-line-seq, that is Java's BufferedReader.readLine): a line ends at "\n",
// "\r\n" or a lone "\r", so "a\r\r\n" is "a" then an empty line, and a raw
// CR inside a JSON string splits it. No buffer is reused, so onLine may keep
// the line it is given.
func (p *Node) pumpStdout(r io.Reader, onLine func([]byte)) {
	defer p.pumps.Done()
	br := bufio.NewReaderSize(r, 1<<16)
	for {
		chunk, err := br.ReadBytes('\n')
		if len(chunk) > 0 {
			chunk = bytes.TrimSuffix(chunk, []byte("\n"))
			chunk = bytes.TrimSuffix(chunk, []byte("\r"))
			for {
				line, rest, more := bytes.Cut(chunk, []byte("\r"))
				p.keep(&p.stdoutTail, line)
				onLine(line)
				if !more {
					break
				}
				chunk = rest
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *Node) pumpStderr(r io.Reader, echo io.Writer) {
	defer p.pumps.Done()
	br := bufio.NewReaderSize(r, 1<<16)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			p.logFile.Write(line)
			p.keep(&p.stderrTail, trimNewline(line))
			if echo != nil {
				fmt.Fprintf(echo, "%s: %s", p.Name, line)
			}
		}
		if err != nil {
			return
		}
	}
}

func trimNewline(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// tail holds the last tailLines lines a pump read, for CrashReport. It
// keeps the lines themselves, not copies (the pumps never reuse a line's
// bytes), since it sees every line a node writes.
type tail struct {
	lines [tailLines][]byte
	next  int // where the next line goes
	full  bool
}

func (p *Node) keep(t *tail, line []byte) {
	p.tailMu.Lock()
	defer p.tailMu.Unlock()
	t.lines[t.next] = line
	t.next = (t.next + 1) % tailLines
	t.full = t.full || t.next == 0
}

// strings is the lines kept, oldest first.
func (t *tail) strings() []string {
	var out []string
	if t.full {
		for _, l := range t.lines[t.next:] {
			out = append(out, string(l))
		}
	}
	for _, l := range t.lines[:t.next] {
		out = append(out, string(l))
	}
	return out
}

// ErrKilled is returned by Write once Kill has been called.
var ErrKilled = errors.New("node killed")

// WriteLines sends lines, each ending in a newline, to the node's stdin in
// one write, so a batch of messages costs one system call; lines is not
// kept. Like Maelstrom's stdin thread (maelstrom.process/stdin-thread) it
// blocks while the node's stdin pipe is full; what is sent to the node
// meanwhile waits in the network's queue for it, which the network bounds.
// Kill unblocks it.
func (p *Node) WriteLines(lines []byte) error {
	p.writeMu.Lock()
	defer p.writeMu.Unlock()
	if p.killed.Load() {
		return ErrKilled
	}
	_, err := p.stdin.Write(lines)
	return err
}

// Exited is closed once the process has exited and its output is drained.
func (p *Node) Exited() <-chan struct{} { return p.exited }

// HasExited reports whether the process has already exited.
func (p *Node) HasExited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// CrashReport describes an exited process: "exited early (status 0)" or
// "crashed (exit status 3)" / "crashed (signal: killed)", then when (e.g.
// "after init_ok"; may be empty), then its last output.
func (p *Node) CrashReport(when string) string {
	p.tailMu.Lock()
	defer p.tailMu.Unlock()
	s := fmt.Sprintf("node %s exited early (status 0)", p.Name)
	if p.waitErr != nil {
		s = fmt.Sprintf("node %s crashed (%v)", p.Name, p.waitErr)
	}
	if when != "" {
		s += " " + when
	}
	if lines := p.stdoutTail.strings(); len(lines) > 0 {
		s += "\n  last stdout lines:\n    " + join(lines)
	}
	if lines := p.stderrTail.strings(); len(lines) > 0 {
		s += "\n  last stderr lines:\n    " + join(lines)
	}
	return s
}

func join(lines []string) string {
	out := ""
	for i, l := range lines {
		if i > 0 {
			out += "\n    "
		}
		if len(l) > 300 {
			l = l[:300] + "..."
		}
		out += l
	}
	return out
}

// Kill stops the process and waits up to 5 s for it to go. It SIGKILLs the
// node's whole process group first (Maelstrom's teardown SIGKILLs the node,
// maelstrom.process/stop-node!; the group takes the node's own children
// too), then closes its stdin, which fails a Write blocked on a full pipe
// even if some process still holds the pipe's other end. It takes no lock a
// blocked Write may hold, so a node that stopped reading cannot stall it.
func (p *Node) Kill() error {
	p.killed.Store(true)
	if p.cmd.Process != nil {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
	p.stdin.Close() // safe alongside a blocked Write: the pipe is an *os.File
	select {
	case <-p.exited:
		return nil
	case <-time.After(5 * time.Second):
		return errors.New("node " + p.Name + " did not exit within 5 s of SIGKILL")
	}
}
