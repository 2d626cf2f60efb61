// Package history records what the test clients did, in Jepsen's shape: every
// operation appears twice, once when a client invokes it and once when it
// completes as ok, fail (definitely did not happen) or info (indeterminate).
package history

import (
	"encoding/json"
	"fmt"
	"time"

	"gossip-glomers/internal/wire"
)

// Type is the kind of a history entry.
type Type string

const (
	Invoke Type = "invoke"
	OK     Type = "ok"
	Fail   Type = "fail" // the operation definitely did not take effect
	Info   Type = "info" // the operation may or may not have taken effect
)

// NemesisProcess is the process of the nemesis's entries (partition starts and heals).
const NemesisProcess = -1

// Op is one history entry. Value is workload-specific: each workload documents
// what it puts there (numbers decoded from the wire are json.Number, so they
// stay exact).
type Op struct {
	Index   int           `json:"index"`
	Time    time.Duration `json:"time"` // since the start of the run
	Type    Type          `json:"type"`
	Process int           `json:"process"`
	F       string        `json:"f"`
	Value   any           `json:"value"`
	Error   any           `json:"error,omitempty"`
	Final   bool          `json:"final,omitempty"` // issued in the final phase (Maelstrom's :final?)
	Node    string        `json:"node,omitempty"`  // the node the client talked to

	// Client and MsgID find the operation in messages.jsonl: the name of the
	// client that sent its request and that request's msg_id (0 when the
	// operation sent none; kafka's poll may follow with a commit_offsets,
	// MsgID+1). Maelstrom's history has neither; checkers never see them
	// (see WithoutTrace).
	Client string `json:"client,omitempty"`
	MsgID  int64  `json:"msg_id,omitempty"`
}

// IsClient reports whether the entry belongs to a test client (not the nemesis).
func (o Op) IsClient() bool { return o.Process != NemesisProcess }

// MarshalJSON writes the process of nemesis entries as "nemesis", as Jepsen does.
func (o Op) MarshalJSON() ([]byte, error) {
	type plain Op
	if o.Process != NemesisProcess {
		return json.Marshal(plain(o))
	}
	return json.Marshal(struct {
		plain
		Process string `json:"process"`
	}{plain(o), "nemesis"})
}

// UnmarshalJSON reads what MarshalJSON writes: process "nemesis" is
// NemesisProcess, and the numbers in value and error are json.Number in
// wire's canonical form, as the client recorded them from the wire.
func (o *Op) UnmarshalJSON(b []byte) error {
	type plain Op
	var aux struct {
		plain
		Process json.RawMessage `json:"process"`
		Value   json.RawMessage `json:"value"`
		Error   json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*o = Op(aux.plain)
	switch p := string(aux.Process); {
	case p == `"nemesis"`:
		o.Process = NemesisProcess
	case p == "" || p == "null":
		return fmt.Errorf("entry has no process")
	default:
		if err := json.Unmarshal(aux.Process, &o.Process); err != nil || o.Process < 0 {
			return fmt.Errorf("process %s is neither an integer >= 0 nor \"nemesis\"", p)
		}
	}
	for _, f := range []struct {
		raw json.RawMessage
		to  *any
	}{{aux.Value, &o.Value}, {aux.Error, &o.Error}} {
		if len(f.raw) > 0 {
			if err := wire.Decode(f.raw, f.to); err != nil {
				return err
			}
		}
	}
	return nil
}

// History is a list of entries in the order they happened; Op.Index is the position.
type History []Op

// Pair is an invocation and its completion. Complete is false for an
// invocation that never completed (the run ended first).
type Pair struct {
	Invoke     Op
	Completion Op
	Complete   bool
}

// Pairs matches each client invocation with its completion (the next entry of
// the same process), in invocation order. Nemesis entries are skipped.
func (h History) Pairs() []Pair {
	var pairs []Pair
	open := map[int]int{} // process -> index into pairs
	for _, op := range h {
		if !op.IsClient() {
			continue
		}
		if op.Type == Invoke {
			open[op.Process] = len(pairs)
			pairs = append(pairs, Pair{Invoke: op})
			continue
		}
		if i, ok := open[op.Process]; ok {
			pairs[i].Completion = op
			pairs[i].Complete = true
			delete(open, op.Process)
		}
	}
	return pairs
}

// Clients returns the entries that belong to test clients.
func (h History) Clients() History {
	out := make(History, 0, len(h))
	for _, op := range h {
		if op.IsClient() {
			out = append(out, op)
		}
	}
	return out
}

// WithoutTrace is a copy of the history without Client and MsgID, the
// history as Maelstrom records it: what the checkers get, so that no figure
// or comparison of theirs can depend on the workbench's own fields.
func (h History) WithoutTrace() History {
	out := make(History, len(h))
	for i, op := range h {
		op.Client, op.MsgID = "", 0
		out[i] = op
	}
	return out
}

// Reindex sets every entry's Index to its position; hand-made test histories use it.
func (h History) Reindex() History {
	for i := range h {
		h[i].Index = i
	}
	return h
}
