package network

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// ReadStats counts a message journal read back (messages.jsonl, one Event
// per line, as Journal writes it) as Maelstrom's net checker counts its own
// (maelstrom.net.checker/basic-stats): sends, deliveries and distinct
// message ids, in the same three groups as Journal.Stats. A journal read
// back may be cut short or edited, so distinct ids are counted here rather
// than taken to be the sends. Blank lines are skipped; any other line that
// is not a send or a delivery is an error naming its line.
func ReadStats(r io.Reader) (Stats, error) {
	var c groupCounts
	var ids [3]idSet
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 256<<20)
	line := 1
	for ; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e struct {
			Type    EventType `json:"type"`
			Message struct {
				ID   int64  `json:"id"`
				Src  string `json:"src"`
				Dest string `json:"dest"`
			} `json:"message"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || (e.Type != EventSend && e.Type != EventRecv) {
			return Stats{}, fmt.Errorf("line %d: not a journal event (a send or recv of a message)", line)
		}
		g := groupOf(e.Message.Src, e.Message.Dest)
		c.count(e.Type, g)
		ids[groupAll].add(e.Message.ID)
		ids[g].add(e.Message.ID)
	}
	if err := sc.Err(); err != nil {
		return Stats{}, fmt.Errorf("line %d: %w", line, err)
	}
	get := func(g group) GroupStats {
		return GroupStats{SendCount: c[g].sends, RecvCount: c[g].recvs, MsgCount: ids[g].len()}
	}
	return Stats{All: get(groupAll), Clients: get(groupClients), Servers: get(groupServers)}, nil
}

// idSet is a set of message ids: a bitmap for the dense ids from 0 the
// network hands out (Maelstrom's dense-int-cardinality), a map for any
// other, so that reading a long journal costs a bit per message.
type idSet struct {
	bits  []uint64
	other map[int64]bool
	n     int
}

// denseIDs bounds the bitmap (128 MiB at most).
const denseIDs = 1 << 30

func (s *idSet) add(id int64) {
	if id < 0 || id >= denseIDs {
		if s.other == nil {
			s.other = map[int64]bool{}
		}
		if !s.other[id] {
			s.other[id] = true
			s.n++
		}
		return
	}
	word, bit := int(id/64), uint64(1)<<(id%64)
	for len(s.bits) <= word {
		s.bits = append(s.bits, 0)
	}
	if s.bits[word]&bit == 0 {
		s.bits[word] |= bit
		s.n++
	}
}

func (s *idSet) len() int { return s.n }
