package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Transactions are ordered through a log kept in lin-kv: slot i is the key
// "txn-log-i", written once, by a cas that only succeeds while the key does
// not exist. Each node batches the transactions it receives into one entry
// (the appends they make, in order), claims the first free slot for it, and
// answers them from its replica of the database: the log replayed up to
// and including its entry. The log never has a hole, because a node claims
// a slot only once it knows every slot before it is taken, so the order of
// slots is the order in which entries were claimed, which makes the history
// strict serializable: a transaction takes effect when its entry's claim
// succeeds, between its invocation and its completion. Read-only batches
// write nothing; they read the log until they find its end, and take
// effect at that read. lin-kv is never partitioned, so every node stays
// available whatever the network between nodes does.
//
// A node that wins a slot also sends the entry to the others (announce,
// Learn), so that they can skip that slot when claiming and need not read
// it; when those messages are lost, they read it from the log instead.

// MicroOp is one micro-op of a transaction, [f, k, v], as raw JSON.
type MicroOp []json.RawMessage

var (
	readF   = json.RawMessage(`"r"`)
	appendF = json.RawMessage(`"append"`)
	null    = json.RawMessage("null")
)

func (m MicroOp) isAppend() bool { return bytes.Equal(m[0], appendF) }

// Entry is one log slot: a batch's appends, in order, and which batch of
// which node it is.
type Entry struct {
	Node    string               `json:"node"`
	Seq     int                  `json:"seq"`
	Appends [][2]json.RawMessage `json:"appends"`
}

func (e Entry) is(node string, seq int) bool { return e.Node == node && e.Seq == seq }

// Log is the shared log of entries.
type Log interface {
	// Claim writes e into slot if the slot is empty; won is false when
	// another entry holds it. An error leaves it unknown whether e landed.
	Claim(ctx context.Context, slot int, e Entry) (won bool, err error)
	// Read returns the entry in slot; found is false when the slot is empty.
	Read(ctx context.Context, slot int) (e Entry, found bool, err error)
}

// ErrUncertain wraps a failure after which the batch may still have been
// committed (its claim's outcome is unknown, or it won a slot it could not
// then answer from); any other Commit error means it was not.
var ErrUncertain = errors.New("the transactions may have been committed")

const (
	maxWindow  = 64                    // the most slots a catch-up reads at once
	retryPause = 10 * time.Millisecond // before asking the log again after a failure
)

// Replica is one node's copy of the database, kept by replaying the log.
// Commit is not safe for concurrent use: a node runs its batches one at a
// time.
type Replica struct {
	node string
	log  Log

	next  int                          // slots applied: 0 .. next-1
	ahead map[int]Entry                // entries read beyond next, not yet applied
	lists map[string][]json.RawMessage // key (compact JSON) -> list
	// seen is the highest batch applied per node. A node whose claim's
	// outcome was unknown may claim again and get its entry into two slots;
	// only the first counts.
	seen map[string]int

	seq     int         // the last batch this node committed
	pending [][]MicroOp // the batch being committed ...
	results [][]MicroOp // ... and its completed transactions, once its entry is applied

	// announce, if set, tells the other nodes about an entry this node
	// has just put into a slot.
	announce func(slot int, e Entry)

	// inbox holds entries other nodes announced, until Commit takes them.
	inboxMu sync.Mutex
	inbox   map[int]Entry
}

// NewReplica returns the replica of node on log, at the start of the log.
func NewReplica(node string, log Log) *Replica {
	return &Replica{node: node, log: log, ahead: map[int]Entry{},
		lists: map[string][]json.RawMessage{}, seen: map[string]int{}, inbox: map[int]Entry{}}
}

// Learn records that slot holds e, as another node announced. It is safe
// to call while Commit runs.
func (r *Replica) Learn(slot int, e Entry) {
	r.inboxMu.Lock()
	defer r.inboxMu.Unlock()
	r.inbox[slot] = e
}

// takeInbox moves the announced entries among those read.
func (r *Replica) takeInbox() {
	r.inboxMu.Lock()
	defer r.inboxMu.Unlock()
	for s, e := range r.inbox {
		if s >= r.next {
			r.ahead[s] = e
		}
	}
	clear(r.inbox)
}

// Commit runs txns as one batch and returns them completed: reads filled in
// with the lists they observed (null for a key never appended to).
func (r *Replica) Commit(ctx context.Context, txns [][]MicroOp) ([][]MicroOp, error) {
	appends := appendsOf(txns)
	if len(appends) == 0 {
		if err := r.catchUp(ctx); err != nil {
			return nil, err
		}
		return r.run(txns), nil
	}
	r.seq++
	r.pending, r.results = txns, nil
	// A batch that fails uncertain may still turn up in the log: from then
	// on it is applied like anyone else's entry.
	defer func() { r.pending = nil }()
	e := Entry{Node: r.node, Seq: r.seq, Appends: appends}
	slot, err := r.claim(ctx, e)
	if err != nil {
		return nil, err
	}
	if err := r.applyThrough(ctx, slot); err != nil {
		return nil, fmt.Errorf("%w: won slot %d, then %v", ErrUncertain, slot, err)
	}
	return r.results, nil
}

func appendsOf(txns [][]MicroOp) [][2]json.RawMessage {
	var out [][2]json.RawMessage
	for _, txn := range txns {
		for _, m := range txn {
			if m.isAppend() {
				out = append(out, [2]json.RawMessage{m[1], m[2]})
			}
		}
	}
	return out
}

// claim writes e into the first free slot from r.next on and returns that
// slot. A slot is tried only once every slot before it is known to be taken.
func (r *Replica) claim(ctx context.Context, e Entry) (int, error) {
	uncertain := false
	for slot := r.next; ; {
		r.takeInbox()
		for r.known(slot) {
			slot++
		}
		if err := ctx.Err(); err != nil {
			if uncertain {
				return 0, fmt.Errorf("%w: %v", ErrUncertain, err)
			}
			return 0, err
		}
		won, err := r.log.Claim(ctx, slot, e)
		if err == nil {
			if won {
				return r.won(slot, e), nil
			}
			slot++ // taken: its entry is read once we have a slot
			continue
		}
		// The claim may have landed: look at the slot before going on.
		uncertain = true
		pause(ctx)
		got, found, err := r.log.Read(ctx, slot)
		if err != nil || !found {
			continue // try the same slot again
		}
		r.ahead[slot] = got
		if got.is(e.Node, e.Seq) {
			return r.won(slot, e), nil
		}
		slot++
	}
}

// won records that slot holds this node's entry e, and announces it.
func (r *Replica) won(slot int, e Entry) int {
	r.ahead[slot] = e
	if r.announce != nil {
		r.announce(slot, e)
	}
	return slot
}

// applyThrough applies every entry up to and including slot, all of which
// are known to exist, reading those not yet read.
func (r *Replica) applyThrough(ctx context.Context, slot int) error {
	r.takeInbox()
	var missing []int
	for s := r.next; s <= slot; s++ {
		if !r.known(s) {
			missing = append(missing, s)
		}
	}
	read, _, err := r.readSlots(ctx, missing, true)
	if err != nil {
		return err
	}
	for s, e := range read {
		r.ahead[s] = e
	}
	r.applyReady()
	return nil
}

// catchUp applies every entry the log held at some moment during the call.
// It reads from the first slot it does not know in windows that double
// while every slot read is taken, and stops at the first empty one.
func (r *Replica) catchUp(ctx context.Context) error {
	for window := 1; ; window = min(2*window, maxWindow) {
		r.takeInbox()
		r.applyReady()
		var slots []int
		for s := r.next; s < r.next+window; s++ {
			if !r.known(s) {
				slots = append(slots, s)
			}
		}
		read, empty, err := r.readSlots(ctx, slots, false)
		if err != nil {
			return err
		}
		for s, e := range read {
			r.ahead[s] = e
		}
		r.applyReady()
		if _, ok := empty[r.next]; ok {
			return nil // the end of the log, as of that read
		}
	}
}

// readSlots reads the slots concurrently, retrying failed reads. Slots
// found empty are returned in empty, unless mustExist, when they are read
// again until their entry appears.
func (r *Replica) readSlots(ctx context.Context, slots []int, mustExist bool) (map[int]Entry, map[int]bool, error) {
	var mu sync.Mutex
	read, empty := map[int]Entry{}, map[int]bool{}
	var wg sync.WaitGroup
	for _, s := range slots {
		wg.Go(func() {
			for ctx.Err() == nil {
				e, found, err := r.log.Read(ctx, s)
				if err != nil || (!found && mustExist) {
					pause(ctx)
					continue
				}
				mu.Lock()
				if found {
					read[s] = e
				} else {
					empty[s] = true
				}
				mu.Unlock()
				return
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("reading the log: %w", err)
	}
	return read, empty, nil
}

// known says whether slot's entry has been read but not applied.
func (r *Replica) known(slot int) bool {
	_, ok := r.ahead[slot]
	return ok
}

// pause waits a little before a retry, so that a log failing fast is not
// asked again in a tight loop.
func pause(ctx context.Context) {
	t := time.NewTimer(retryPause)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// applyReady applies the entries read that continue the applied prefix.
func (r *Replica) applyReady() {
	for {
		e, ok := r.ahead[r.next]
		if !ok {
			return
		}
		delete(r.ahead, r.next)
		r.next++
		if r.seen[e.Node] >= e.Seq {
			continue // a second copy of a batch already applied
		}
		r.seen[e.Node] = e.Seq
		if r.pending != nil && e.is(r.node, r.seq) {
			r.results = r.run(r.pending)
			continue
		}
		for _, kv := range e.Appends {
			k := key(kv[0])
			r.lists[k] = append(r.lists[k], kv[1])
		}
	}
}

// run executes txns on the lists in order and returns them completed.
func (r *Replica) run(txns [][]MicroOp) [][]MicroOp {
	out := make([][]MicroOp, len(txns))
	for i, txn := range txns {
		out[i] = make([]MicroOp, len(txn))
		for j, m := range txn {
			k := key(m[1])
			if m.isAppend() {
				r.lists[k] = append(r.lists[k], m[2])
				out[i][j] = m
				continue
			}
			value := null
			if list, ok := r.lists[k]; ok {
				value, _ = json.Marshal(list)
			}
			out[i][j] = MicroOp{readF, m[1], value}
		}
	}
	return out
}

// key is a key's compact JSON, so that 1 and 1 with spaces are one key.
func key(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}
