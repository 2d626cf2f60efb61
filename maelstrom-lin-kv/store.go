package main

import (
	"bytes"
	"encoding/json"
	"fmt"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"
)

// Command is one entry of the replicated log: a write or a cas, with the
// node and request id that proposed it, so that the proposer can answer
// its client once the entry is applied. Keys and values stay raw JSON, so
// numbers are exact.
type Command struct {
	Origin string          `json:"origin"`
	ID     uint64          `json:"id"`
	Op     string          `json:"op"` // "write" or "cas"
	Key    json.RawMessage `json:"key"`
	Value  json.RawMessage `json:"value,omitempty"` // write
	From   json.RawMessage `json:"from,omitempty"`  // cas
	To     json.RawMessage `json:"to,omitempty"`    // cas
}

// Body is a reply body for a client.
type Body map[string]any

func errorBody(code int, text string) Body {
	return Body{"type": "error", "code": code, "text": text}
}

// Store is the state machine every replica applies the log to: keys
// mapped to values. Keys and values are compared by their canonical JSON
// (numbers as written, object keys sorted), so 1 and 1.0 differ, as they
// do for Maelstrom.
type Store struct {
	values map[string]json.RawMessage
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{values: map[string]json.RawMessage{}} }

// Apply runs a command and returns the reply for its client.
func (s *Store) Apply(c Command) Body {
	key, err := canonical(c.Key)
	if err != nil {
		return errorBody(maelstrom.MalformedRequest, "bad key: "+err.Error())
	}
	switch c.Op {
	case "write":
		s.values[key] = c.Value
		return Body{"type": "write_ok"}
	case "cas":
		current, ok := s.values[key]
		if !ok {
			return errorBody(maelstrom.KeyDoesNotExist, fmt.Sprintf("key %s does not exist", c.Key))
		}
		if !sameJSON(current, c.From) {
			return errorBody(maelstrom.PreconditionFailed, fmt.Sprintf("expected %s, but had %s", c.From, current))
		}
		s.values[key] = c.To
		return Body{"type": "cas_ok"}
	}
	return errorBody(maelstrom.NotSupported, "unknown command "+c.Op)
}

// Read returns the reply to a read of key.
func (s *Store) Read(key json.RawMessage) Body {
	k, err := canonical(key)
	if err != nil {
		return errorBody(maelstrom.MalformedRequest, "bad key: "+err.Error())
	}
	v, ok := s.values[k]
	if !ok {
		return errorBody(maelstrom.KeyDoesNotExist, fmt.Sprintf("key %s does not exist", key))
	}
	return Body{"type": "read_ok", "value": v}
}

// canonical is raw's JSON with numbers as written and object keys sorted.
func canonical(raw json.RawMessage) (string, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return "", err
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func sameJSON(a, b json.RawMessage) bool {
	ca, errA := canonical(a)
	cb, errB := canonical(b)
	return errA == nil && errB == nil && ca == cb
}
