package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"sync"
	"time"
)

// Config tunes the gossip.
type Config struct {
	Interval      time.Duration // how often a node looks at what its peers lack
	Retry         time.Duration // resend news a peer has not shown it holds after this long
	MaxBatchBytes int           // cap on the encoded elements of one message
}

// DefaultConfig is what the binary runs with (Maelstrom passes no flags).
// The interval trades messages for how soon an element shows up on every
// node (set-full's stable latency): at the chapter's rate of 10, a second
// costs about as many messages per operation as the tutorial's own node
// (which sends everything every 5 s) with a sixth of its latency; 500 ms
// halves the latency for about 1.7 times the messages (see the README).
var DefaultConfig = Config{Interval: time.Second, Retry: 2 * time.Second, MaxBatchBytes: 16 << 10}

// Part is a stretch of one origin's log: its elements From, From+1, ...
type Part struct {
	From     int               `json:"from"`
	Elements []json.RawMessage `json:"elements"`
}

// GossipBody is the one message nodes exchange: how much of each origin's
// log the sender holds (which acknowledges what it was sent), the parts of
// the logs the receiver is not known to hold, and whether the sender asks
// for a reply (it carries the sender's own news and the sender wants to see
// it held).
type GossipBody struct {
	Type      string          `json:"type"` // "gossip"
	Have      map[string]int  `json:"have"`
	Logs      map[string]Part `json:"logs,omitempty"`
	WantReply bool            `json:"want_reply,omitempty"`
}

// Outgoing is a message the caller must send.
type Outgoing struct {
	Dest string
	Body GossipBody
}

// Set is a grow-only set replicated as a delta-state CRDT. The state is one
// log per origin node, the elements that node's clients added (and it did
// not hold yet), in order; the set is the union of the logs. Every node
// holds a prefix of each log, so how much of the state a node holds is just
// a length per origin, and merging a stretch of a log means appending what
// lies beyond the prefix held. Messages may be lost, duplicated or
// reordered freely.
//
// On each tick a node sends every peer that has not yet shown it holds the
// node's own log in full the stretches of every log the peer is not known to
// hold (own log first, up to MaxBatchBytes); it sends again only when its
// own log has grown since, or after Retry. Such a message asks for a reply,
// which the peer sends on its next tick: its lengths, which acknowledge
// what it now holds, together with any news of its own. So news costs about
// one message each way per peer and tick, however many adds it gathers. A
// peer cut off by a partition is retried every Retry until it answers;
// other origins' elements travel along, so news also spreads around a
// partition.
type Set struct {
	id    string
	peers []string
	cfg   Config

	mu       sync.Mutex
	logs     map[string][]json.RawMessage // origin -> its log (the prefix held)
	members  map[string]bool              // every element held, by its compact JSON
	elements []json.RawMessage            // each member once, in the order this node learnt it
	peer     map[string]*peerState
}

type peerState struct {
	known       map[string]int // per origin, the length the peer last showed it holds
	sent        int            // how far into our own log our messages to it have reached
	sentAt      time.Time      // when we last sent it anything
	replyWanted bool           // it sent news and waits to see it held
}

// NewSet returns node id's set in a cluster of nodeIDs.
func NewSet(id string, nodeIDs []string, cfg Config) *Set {
	s := &Set{id: id, cfg: cfg, logs: map[string][]json.RawMessage{}, members: map[string]bool{}, peer: map[string]*peerState{}}
	for _, p := range nodeIDs {
		if p != id {
			s.peers = append(s.peers, p)
			s.peer[p] = &peerState{known: map[string]int{}}
		}
	}
	return s
}

// Add adds an element a client gave this node (a JSON value); an element
// already held changes nothing.
func (s *Set) Add(element json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.learn(element) {
		s.logs[s.id] = append(s.logs[s.id], element)
	}
}

// learn makes element a member and reports whether it was new.
func (s *Set) learn(element json.RawMessage) bool {
	var key bytes.Buffer
	if err := json.Compact(&key, element); err != nil {
		key.Write(element) // not JSON: the decoder would have refused it, keep it as is
	}
	if s.members[key.String()] {
		return false
	}
	s.members[key.String()] = true
	s.elements = append(s.elements, element)
	return true
}

// Read is every element this node holds (an empty list, never nil, when none).
func (s *Set) Read() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]json.RawMessage{}, s.elements...)
}

// Tick returns the messages due now.
func (s *Set) Tick(now time.Time) []Outgoing {
	s.mu.Lock()
	defer s.mu.Unlock()
	own := len(s.logs[s.id])
	var out []Outgoing
	for _, p := range s.peers {
		st := s.peer[p]
		news := own > st.known[s.id]
		due := news && (own > st.sent || now.Sub(st.sentAt) >= s.cfg.Retry)
		if !due && !st.replyWanted {
			continue
		}
		body := GossipBody{Type: "gossip", Have: s.lengths(), Logs: s.lacking(st), WantReply: news}
		if part, ok := body.Logs[s.id]; ok {
			st.sent = max(st.sent, part.From+len(part.Elements))
		}
		st.sentAt, st.replyWanted = now, false
		out = append(out, Outgoing{p, body})
	}
	return out
}

// lengths is how much of each log this node holds.
func (s *Set) lengths() map[string]int {
	have := make(map[string]int, len(s.logs))
	for origin, log := range s.logs {
		have[origin] = len(log)
	}
	return have
}

// lacking is the stretches of the logs a peer is not known to hold, own log
// first, then the others by name, cut at MaxBatchBytes (always at least one
// element, so a huge element still goes).
func (s *Set) lacking(st *peerState) map[string]Part {
	origins := []string{s.id}
	for origin := range s.logs {
		if origin != s.id {
			origins = append(origins, origin)
		}
	}
	slices.Sort(origins[1:])
	parts := map[string]Part{}
	budget, first := s.cfg.MaxBatchBytes, true
	for _, origin := range origins {
		log, from := s.logs[origin], st.known[origin]
		end := from
		for end < len(log) && (budget > 0 || first) {
			budget -= len(log[end]) + 1 // the element and its comma
			end++
			first = false
		}
		if end > from {
			parts[origin] = Part{From: from, Elements: log[from:end:end]}
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return parts
}

// Receive merges a peer's message. A message from a node outside the
// cluster is merged too (state is state), but never answered.
func (s *Set) Receive(src string, m GossipBody) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for origin, part := range m.Logs {
		held := len(s.logs[origin])
		if part.From > held {
			continue // a gap, impossible unless a node restarts (Maelstrom's g-set never does): ignore it
		}
		for _, e := range part.Elements[min(held-part.From, len(part.Elements)):] {
			s.logs[origin] = append(s.logs[origin], e)
			s.learn(e)
		}
	}
	if st := s.peer[src]; st != nil {
		for origin, n := range m.Have {
			st.known[origin] = max(st.known[origin], n)
		}
		st.replyWanted = st.replyWanted || m.WantReply
	}
}
