package network

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"gossip-glomers/internal/wire"
)

// EventType says whether a journal event is a send or a delivery.
type EventType string

const (
	EventSend EventType = "send"
	EventRecv EventType = "recv"
)

// Event is one journal entry.
type Event struct {
	Type    EventType     `json:"type"`
	Time    time.Duration `json:"time"` // since the journal started
	Message wire.Message  `json:"message"`
}

// Journal counts every send and delivery, as Maelstrom's net journal does,
// and optionally streams them as JSON lines so a run can be inspected. It
// keeps counts only: what a run sent is on disk, not in memory.
type Journal struct {
	start time.Time
	// Trace, if set, gets a line for every send (TraceSend) and delivery
	// (TraceRecv): Maelstrom's --log-net-send and --log-net-recv.
	Trace                io.Writer
	TraceSend, TraceRecv bool

	mu     sync.Mutex
	out    *bufio.Writer
	err    error
	counts groupCounts
}

type group int

const (
	groupAll group = iota
	groupClients
	groupServers
)

type counts struct{ sends, recvs int }

// groupOf is the group a message counts in besides groupAll.
func groupOf(src, dest string) group {
	if IsClient(src) || IsClient(dest) {
		return groupClients
	}
	return groupServers
}

// groupCounts are the counts of each group.
type groupCounts [3]counts

// count counts one event in groupAll and in g.
func (c *groupCounts) count(t EventType, g group) {
	for _, gc := range []*counts{&c[groupAll], &c[g]} {
		if t == EventSend {
			gc.sends++
		} else {
			gc.recvs++
		}
	}
}

// NewJournal starts a journal; w may be nil to keep only the counts.
func NewJournal(start time.Time, w io.Writer) *Journal {
	j := &Journal{start: start}
	if w != nil {
		j.out = bufio.NewWriterSize(w, 1<<16)
	}
	return j
}

// encodeBuffers hold events being encoded, outside the journal's lock.
var encodeBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func (j *Journal) record(t EventType, at time.Time, m wire.Message) {
	if j == nil {
		return
	}
	j.recordAll(t, at, []wire.Message{m})
}

// recordAll journals messages sent or delivered at the same time.
func (j *Journal) recordAll(t EventType, at time.Time, ms []wire.Message) {
	if j == nil {
		return
	}
	var buf *[]byte
	if j.out != nil {
		buf = encodeBuffers.Get().(*[]byte)
		defer encodeBuffers.Put(buf)
		b := (*buf)[:0]
		for _, m := range ms {
			b = appendEvent(b, t, at.Sub(j.start), m)
		}
		*buf = b
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, m := range ms {
		j.counts.count(t, groupOf(m.Src, m.Dest))
		if j.Trace != nil && ((t == EventSend && j.TraceSend) || (t == EventRecv && j.TraceRecv)) {
			fmt.Fprintf(j.Trace, "%s %s %s -> %s %s\n", at.Sub(j.start).Round(time.Microsecond), t, m.Src, m.Dest, m.Body)
		}
	}
	if buf != nil && j.err == nil {
		_, j.err = j.out.Write(*buf)
	}
}

// appendEvent appends one journal line, exactly as json.Marshal encodes an
// Event, and a newline.
func appendEvent(b []byte, t EventType, since time.Duration, m wire.Message) []byte {
	b = append(b, `{"type":`...)
	b = wire.AppendString(b, string(t))
	b = append(b, `,"time":`...)
	b = strconv.AppendInt(b, int64(since), 10)
	b = append(b, `,"message":`...)
	b = wire.AppendMessage(b, m)
	return append(b, "}\n"...)
}

// Flush writes out buffered events and returns the first write error.
func (j *Journal) Flush() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.out != nil && j.err == nil {
		j.err = j.out.Flush()
	}
	return j.err
}

// GroupStats are Maelstrom's per-group net statistics.
type GroupStats struct {
	SendCount int
	RecvCount int
	MsgCount  int // distinct message ids
}

// Stats are the net checker's three groups: all messages, those with a
// client at either end, and the rest (node-node and node-service).
type Stats struct {
	All, Clients, Servers GroupStats
}

// Stats returns the counts so far.
func (j *Journal) Stats() Stats {
	j.mu.Lock()
	defer j.mu.Unlock()
	get := func(g group) GroupStats {
		c := j.counts[g]
		// Maelstrom counts distinct message ids over sends and deliveries
		// (maelstrom.net.checker/basic-stats, dense-int-cardinality). Every id is journaled as sent
		// exactly once, before any delivery of it (Send), so the distinct ids
		// are the sends: no set of ids, which would grow with the run.
		return GroupStats{SendCount: c.sends, RecvCount: c.recvs, MsgCount: c.sends}
	}
	return Stats{All: get(groupAll), Clients: get(groupClients), Servers: get(groupServers)}
}

// MsgsPerOp is Maelstrom's figure: distinct messages per client invocation
// (0 when there were no invocations; Maelstrom then omits it).
func MsgsPerOp(g GroupStats, invocations int) float64 {
	if invocations == 0 {
		return 0
	}
	// Maelstrom reports a single-precision float; keep its precision without
	// the float32->float64 noise digits.
	v := float32(float64(g.MsgCount) / float64(invocations))
	f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(v), 'g', -1, 32), 64)
	return f
}
