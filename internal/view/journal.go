package view

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// Event is one messages.jsonl entry: a send or a delivery.
type Event struct {
	Send bool
	Time time.Duration // since the start of the run
	ID   int64         // the network's message id: a send and its delivery share it
	Src  string
	Dest string
	Body json.RawMessage
	Type string // the body's type
}

// Init reports whether the event is part of Maelstrom's init handshake.
// Maelstrom's diagram leaves these out (journal.clj's without-init), so its
// cap counts the 10,000 events after init; ours draws them as well, without
// counting them.
func (e Event) Init() bool { return e.Type == "init" || e.Type == "init_ok" }

// journalLine is the JSON shape of one messages.jsonl line
// (internal/network's Event).
type journalLine struct {
	Type    string `json:"type"`
	Time    int64  `json:"time"`
	Message struct {
		ID   int64           `json:"id"`
		Src  string          `json:"src"`
		Dest string          `json:"dest"`
		Body json.RawMessage `json:"body"`
	} `json:"message"`
}

// selection is the part of a journal a diagram draws.
type selection struct {
	Events []Event // in journal order: the window's first maxEvents events, init aside
	// Later counts the window's events past the cap, not drawn.
	Later int
	// Undelivered are the ids of drawn sends that no delivery anywhere in
	// the journal matches: dropped by a partition, or still in flight when
	// the run ended.
	Undelivered map[int64]bool
}

// selectEvents reads a journal and keeps the events of the window [from, to)
// (to <= 0: to the end) up to the first maxEvents that are not part of init,
// as viz.clj caps its diagram (init events before the cap are drawn too). It reads on to the end to tell a send that
// was delivered after the cap from one never delivered.
func selectEvents(r io.Reader, from, to time.Duration, maxEvents int) (selection, error) {
	sel := selection{Undelivered: map[int64]bool{}}
	counted := 0
	err := eachLine(r, func(n int, line []byte) error {
		if counted >= maxEvents {
			// Past the cap only the deliveries matter (and the count):
			// read the head of the line, not the whole message.
			if typ, at, id, ok := quickEvent(line); ok {
				if typ == "recv" {
					delete(sel.Undelivered, id)
				}
				if t := time.Duration(at); t >= from && (to <= 0 || t < to) {
					sel.Later++
				}
				return nil
			}
		}
		var l journalLine
		if err := json.Unmarshal(line, &l); err != nil {
			return fmt.Errorf("line %d: %v", n, err)
		}
		if l.Type != "send" && l.Type != "recv" {
			return fmt.Errorf("line %d: event type %q is neither send nor recv", n, l.Type)
		}
		t := time.Duration(l.Time)
		if l.Type == "recv" {
			delete(sel.Undelivered, l.Message.ID)
		}
		if t < from || (to > 0 && t >= to) {
			return nil
		}
		if counted >= maxEvents {
			sel.Later++
			return nil
		}
		e := Event{Send: l.Type == "send", Time: t, ID: l.Message.ID, Src: l.Message.Src, Dest: l.Message.Dest,
			Body: l.Message.Body, Type: bodyType(l.Message.Body)}
		if !e.Init() {
			counted++
		}
		sel.Events = append(sel.Events, e)
		if e.Send {
			sel.Undelivered[e.ID] = true
		}
		return nil
	})
	return sel, err
}

// selectFile is selectEvents on a file, naming it in errors.
func selectFile(path string, from, to time.Duration, maxEvents int) (selection, error) {
	f, err := os.Open(path)
	if err != nil {
		return selection{}, err
	}
	defer f.Close()
	sel, err := selectEvents(f, from, to, maxEvents)
	if err != nil {
		return sel, fmt.Errorf("%s %v", path, err)
	}
	return sel, nil
}

// quickEvent reads the type, time and message id from the head of a
// journal line as internal/network writes it
// ({"type":"recv","time":123,"message":{"id":45,...); ok is false for any
// other shape, which then gets a full decode.
func quickEvent(line []byte) (typ string, at, id int64, ok bool) {
	rest, ok := bytes.CutPrefix(line, []byte(`{"type":"`))
	if !ok {
		return "", 0, 0, false
	}
	switch {
	case bytes.HasPrefix(rest, []byte(`send"`)):
		typ, rest = "send", rest[len(`send"`):]
	case bytes.HasPrefix(rest, []byte(`recv"`)):
		typ, rest = "recv", rest[len(`recv"`):]
	default:
		return "", 0, 0, false
	}
	if at, rest, ok = quickInt(rest, `,"time":`); !ok {
		return "", 0, 0, false
	}
	if id, _, ok = quickInt(rest, `,"message":{"id":`); !ok {
		return "", 0, 0, false
	}
	return typ, at, id, true
}

// quickInt reads prefix and the decimal integer after it.
func quickInt(b []byte, prefix string) (int64, []byte, bool) {
	rest, ok := bytes.CutPrefix(b, []byte(prefix))
	if !ok {
		return 0, nil, false
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	if end == 0 || end == len(rest) || (rest[end] != ',' && rest[end] != '}') {
		return 0, nil, false
	}
	n, err := strconv.ParseInt(string(rest[:end]), 10, 64)
	return n, rest[end:], err == nil
}

// bodyType is a message body's "type" field ("" if it has none).
func bodyType(body json.RawMessage) string {
	var b struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(body, &b) // a body without a string type draws as ""
	return b.Type
}
