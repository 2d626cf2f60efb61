package network

import (
	"bufio"
	"encoding/json"
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
// and optionally streams them as JSON lines so a run can be inspected.
type Journal struct {
	start time.Time
	// Trace, if set, gets a line for every send (TraceSend) and delivery
	// (TraceRecv): Maelstrom's --log-net-send and --log-net-recv.
	Trace                io.Writer
	TraceSend, TraceRecv bool

	mu    sync.Mutex
	out   *bufio.Writer
	err   error
	stats map[group]*counts
}

type group int

const (
	groupAll group = iota
	groupClients
	groupServers
)

type counts struct {
	sends, recvs int
	ids          map[int64]struct{}
}

// NewJournal starts a journal; w may be nil to keep only the counts.
func NewJournal(start time.Time, w io.Writer) *Journal {
	j := &Journal{start: start, stats: map[group]*counts{}}
	if w != nil {
		j.out = bufio.NewWriterSize(w, 1<<16)
	}
	for _, g := range []group{groupAll, groupClients, groupServers} {
		j.stats[g] = &counts{ids: map[int64]struct{}{}}
	}
	return j
}

func (j *Journal) record(t EventType, at time.Time, m wire.Message) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	groups := []group{groupAll, groupServers}
	if InvolvesClient(m) {
		groups[1] = groupClients
	}
	for _, g := range groups {
		c := j.stats[g]
		if t == EventSend {
			c.sends++
		} else {
			c.recvs++
		}
		c.ids[m.ID] = struct{}{}
	}
	if j.Trace != nil && ((t == EventSend && j.TraceSend) || (t == EventRecv && j.TraceRecv)) {
		fmt.Fprintf(j.Trace, "%s %s %s -> %s %s\n", at.Sub(j.start).Round(time.Microsecond), t, m.Src, m.Dest, m.Body)
	}
	if j.out != nil && j.err == nil {
		b, err := json.Marshal(Event{Type: t, Time: at.Sub(j.start), Message: m})
		if err == nil {
			b = append(b, '\n')
			_, err = j.out.Write(b)
		}
		j.err = err
	}
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
		c := j.stats[g]
		return GroupStats{SendCount: c.sends, RecvCount: c.recvs, MsgCount: len(c.ids)}
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
