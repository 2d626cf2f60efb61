package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"
	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

// Raft timing, in ticks of the node's clock (main.go ticks every 100 ms).
const (
	heartbeatTicks = 1  // a leader heartbeats every tick
	electionTicks  = 10 // a follower campaigns after 10-20 silent ticks
	// requestTicks is how long a request waits to be settled before the
	// replica forgets it without answering: longer than any client waits
	// (lin-kv's clients wait 10x the mean latency, at least 1 s).
	requestTicks = 300
)

// maxAppendBytes bounds the entries of one append, in bytes, so that a
// follower catching up after a partition never gets a line longer than the
// Maelstrom Go library reads (64 KiB; entries travel base64-encoded).
const maxAppendBytes = 16 << 10

// Replica is one node of a replicated key/value store on Raft, built on
// go.etcd.io/raft/v3's RawNode, a pure state machine: the replica feeds it
// client requests, peers' Raft messages and clock ticks, one call at a
// time, persists its log in memory, sends its messages with send, applies
// committed entries to a Store and answers clients. Maelstrom's nodes never
// crash or restart, so memory is storage enough and the log is never
// compacted.
//
// Writes and cas go through the log; each replies once its entry is
// applied. Reads use Raft's read index (ReadOnlySafe): the leader confirms
// with a round of heartbeats to a majority that it still leads, and the
// read is served once this replica has applied up to the commit index it
// had then, so a deposed leader never serves a stale value. PreVote and
// CheckQuorum keep a minority from disrupting the majority, and make a
// leader cut off from the majority step down.
//
// A request that cannot be settled (no leader is known, or its proposal is
// dropped) gets temporarily-unavailable (11), a definite error: it did not
// happen. One whose fate is unknown (its proposal or read was lost in a
// partition) is never answered, and its client times out.
type Replica struct {
	self    string
	names   map[uint64]string // Raft id -> node name
	rn      *raft.RawNode
	storage *raft.MemoryStorage
	store   *Store
	send    func(to string, msg []byte)

	applied uint64 // the last log index applied to store
	ticks   int
	nextID  uint64
	writes  map[uint64]*request // by request id, until applied
	reads   map[uint64]*request // by request id, until served
}

// request is a client request waiting to be settled.
type request struct {
	reply    func(Body)
	key      json.RawMessage // reads
	index    uint64          // reads: the read index, once known
	ready    bool            // reads: index is known
	deadline int             // tick after which it is forgotten
}

// NewReplica starts the replica self of the cluster nodes (every node
// passes the same list, Maelstrom's node_ids). send delivers a Raft message
// to a peer.
func NewReplica(self string, nodes []string, send func(to string, msg []byte)) (*Replica, error) {
	r := &Replica{
		self: self, names: map[uint64]string{}, storage: raft.NewMemoryStorage(), store: NewStore(),
		send: send, writes: map[uint64]*request{}, reads: map[uint64]*request{},
	}
	var id uint64
	var peers []raft.Peer
	for i, name := range nodes {
		r.names[uint64(i+1)] = name // Raft ids start at 1
		peers = append(peers, raft.Peer{ID: uint64(i + 1)})
		if name == self {
			id = uint64(i + 1)
		}
	}
	if id == 0 {
		return nil, fmt.Errorf("node %s is not in the node list %v", self, nodes)
	}
	rn, err := raft.NewRawNode(&raft.Config{
		ID:              id,
		ElectionTick:    electionTicks,
		HeartbeatTick:   heartbeatTicks,
		Storage:         r.storage,
		MaxSizePerMsg:   maxAppendBytes,
		MaxInflightMsgs: 64,
		CheckQuorum:     true,
		PreVote:         true,
		ReadOnlyOption:  raft.ReadOnlySafe,
	})
	if err != nil {
		return nil, err
	}
	if err := rn.Bootstrap(peers); err != nil {
		return nil, err
	}
	r.rn = rn
	r.process() // applies the bootstrap's membership
	if id == 1 {
		// The first node stands at once, so that the cluster need not wait
		// an election timeout for its first leader.
		if err := rn.Campaign(); err != nil {
			return nil, err
		}
		r.process()
	}
	return r, nil
}

// Read answers with the key's value (or key-does-not-exist) as of a moment
// between now and the reply.
func (r *Replica) Read(key json.RawMessage, reply func(Body)) {
	if !r.leaderKnown(reply) {
		return
	}
	id := r.newID()
	r.reads[id] = r.waiting(&request{reply: reply, key: key})
	r.rn.ReadIndex(binary.BigEndian.AppendUint64(nil, id))
	r.process()
}

// Write sets key to value.
func (r *Replica) Write(key, value json.RawMessage, reply func(Body)) {
	r.propose(Command{Op: "write", Key: key, Value: value}, reply)
}

// CAS sets key to to if it holds from; a missing key is
// key-does-not-exist (20), another value precondition-failed (22).
func (r *Replica) CAS(key, from, to json.RawMessage, reply func(Body)) {
	r.propose(Command{Op: "cas", Key: key, From: from, To: to}, reply)
}

func (r *Replica) propose(c Command, reply func(Body)) {
	if !r.leaderKnown(reply) {
		return
	}
	c.Origin, c.ID = r.self, r.newID()
	data, err := json.Marshal(c)
	if err != nil {
		reply(errorBody(maelstrom.MalformedRequest, err.Error()))
		return
	}
	if err := r.rn.Propose(data); err != nil {
		// Dropped before reaching any log (no leader, a leader transfer).
		reply(errorBody(maelstrom.TemporarilyUnavailable, "proposal dropped: "+err.Error()))
		return
	}
	r.writes[c.ID] = r.waiting(&request{reply: reply})
	r.process()
}

// leaderKnown answers temporarily-unavailable when there is no leader to
// settle a request, and reports whether there is one.
func (r *Replica) leaderKnown(reply func(Body)) bool {
	if r.rn.BasicStatus().Lead == raft.None {
		reply(errorBody(maelstrom.TemporarilyUnavailable, "no leader (an election is under way)"))
		return false
	}
	return true
}

func (r *Replica) newID() uint64 {
	r.nextID++
	return r.nextID
}

// waiting sets the tick until which req waits.
func (r *Replica) waiting(req *request) *request {
	req.deadline = r.ticks + requestTicks
	return req
}

// Receive steps a peer's Raft message.
func (r *Replica) Receive(msg []byte) error {
	var m pb.Message
	if err := proto.Unmarshal(msg, &m); err != nil {
		return fmt.Errorf("undecodable Raft message: %w", err)
	}
	if err := r.rn.Step(&m); err != nil {
		return fmt.Errorf("stepping %v from %d: %w", m.GetType(), m.GetFrom(), err)
	}
	r.process()
	return nil
}

// Tick advances Raft's clock one tick and forgets requests that waited too
// long.
func (r *Replica) Tick() {
	r.ticks++
	r.rn.Tick()
	for _, pending := range []map[uint64]*request{r.writes, r.reads} {
		for id, req := range pending {
			if r.ticks > req.deadline {
				delete(pending, id)
			}
		}
	}
	r.process()
}

// Pending counts the requests waiting to be settled.
func (r *Replica) Pending() int { return len(r.writes) + len(r.reads) }

// process runs RawNode's Ready loop: persist, send, apply, advance.
func (r *Replica) process() {
	for r.rn.HasReady() {
		rd := r.rn.Ready()
		if !raft.IsEmptyHardState(rd.HardState) {
			if err := r.storage.SetHardState(rd.HardState); err != nil {
				log.Fatalf("raft: saving hard state: %v", err)
			}
		}
		if err := r.storage.Append(rd.Entries); err != nil {
			log.Fatalf("raft: appending entries: %v", err)
		}
		// No snapshot ever arrives: they are sent only from a compacted log.
		for _, m := range rd.Messages {
			data, err := proto.Marshal(m)
			if err != nil {
				log.Fatalf("raft: encoding %v: %v", m.GetType(), err)
			}
			r.send(r.names[m.GetTo()], data)
		}
		for _, e := range rd.CommittedEntries {
			r.apply(e)
		}
		for _, rs := range rd.ReadStates {
			if req, ok := r.reads[binary.BigEndian.Uint64(rs.RequestCtx)]; ok {
				req.index, req.ready = rs.Index, true
			}
		}
		r.rn.Advance(rd)
		r.serveReads()
	}
}

// apply applies one committed entry; the replica that proposed a command
// answers its client.
func (r *Replica) apply(e *pb.Entry) {
	r.applied = e.GetIndex()
	switch {
	case e.GetType() == pb.EntryType_EntryConfChange:
		var cc pb.ConfChange
		if err := proto.Unmarshal(e.GetData(), &cc); err != nil {
			log.Fatalf("raft: decoding a membership change: %v", err)
		}
		r.rn.ApplyConfChange(&cc) // the bootstrap's: the membership never changes
		return
	case len(e.GetData()) == 0:
		return // a new leader's empty entry
	}
	var c Command
	if err := json.Unmarshal(e.GetData(), &c); err != nil {
		log.Fatalf("raft: decoding entry %d: %v", e.GetIndex(), err)
	}
	reply := r.store.Apply(c)
	if c.Origin != r.self {
		return
	}
	if req, ok := r.writes[c.ID]; ok {
		delete(r.writes, c.ID)
		req.reply(reply)
	}
}

// serveReads answers the reads whose read index has been applied.
func (r *Replica) serveReads() {
	for id, req := range r.reads {
		if req.ready && req.index <= r.applied {
			delete(r.reads, id)
			req.reply(r.store.Read(req.key))
		}
	}
}
