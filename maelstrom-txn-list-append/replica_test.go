package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/checker/elle"
	"gossip-glomers/internal/history"
)

// memLog is an in-memory Log, linearizable like lin-kv. Its hooks make
// requests fail: claimFault runs before a claim is applied and may apply
// it anyway (landed) before failing it.
type memLog struct {
	mu         sync.Mutex
	slots      map[int]Entry
	claims     int
	reads      int
	claimFault func(n int) (landed bool, err error) // the n-th claim (from 1); nil err: no fault
	readFault  func(n int) error
}

func newMemLog() *memLog { return &memLog{slots: map[int]Entry{}} }

func (l *memLog) Claim(_ context.Context, slot int, e Entry) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.claims++
	if l.claimFault != nil {
		if landed, err := l.claimFault(l.claims); err != nil {
			if _, taken := l.slots[slot]; landed && !taken {
				l.slots[slot] = e
			}
			return false, err
		}
	}
	if _, taken := l.slots[slot]; taken {
		return false, nil
	}
	l.slots[slot] = e
	return true, nil
}

func (l *memLog) Read(_ context.Context, slot int) (Entry, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reads++
	if l.readFault != nil {
		if err := l.readFault(l.reads); err != nil {
			return Entry{}, false, err
		}
	}
	e, ok := l.slots[slot]
	return e, ok, nil
}

// txnOf parses "a:1:5 r:1" into micro-ops: appends of 5 to key 1, reads.
func txnOf(s string) []MicroOp {
	var out []MicroOp
	for _, f := range strings.Fields(s) {
		p := strings.Split(f, ":")
		if p[0] == "a" {
			out = append(out, MicroOp{appendF, json.RawMessage(p[1]), json.RawMessage(p[2])})
		} else {
			out = append(out, MicroOp{readF, json.RawMessage(p[1]), null})
		}
	}
	return out
}

// reads lists what a completed transaction's reads observed, "k=list".
func reads(txn []MicroOp) string {
	var out []string
	for _, m := range txn {
		if !m.isAppend() {
			out = append(out, string(m[1])+"="+string(m[2]))
		}
	}
	return strings.Join(out, " ")
}

func commit(t *testing.T, r *Replica, txns ...string) []string {
	t.Helper()
	var batch [][]MicroOp
	for _, s := range txns {
		batch = append(batch, txnOf(s))
	}
	out, err := r.Commit(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, txn := range out {
		got = append(got, reads(txn))
	}
	return got
}

func TestReplicaRunsTransactionsInOrder(t *testing.T) {
	r := NewReplica("n0", newMemLog())
	for _, step := range []struct {
		txns []string
		want []string
	}{
		{[]string{"r:1 a:1:5 r:1"}, []string{"1=null 1=[5]"}},
		// A batch is one entry, its transactions applied in order.
		{[]string{"a:1:6 a:2:1", "r:1 r:2 r:3"}, []string{"", "1=[5,6] 2=[1] 3=null"}},
		{[]string{"r:1"}, []string{"1=[5,6]"}},
	} {
		if got := commit(t, r, step.txns...); strings.Join(got, "|") != strings.Join(step.want, "|") {
			t.Fatalf("%v: reads %q, want %q", step.txns, got, step.want)
		}
	}
}

// Two nodes on one log: each sees the other's committed appends in the one
// order the log gives, whether it writes or only reads.
func TestReplicasShareTheLogOrder(t *testing.T) {
	log := newMemLog()
	a, b := NewReplica("n0", log), NewReplica("n1", log)
	commit(t, a, "a:1:1")
	commit(t, b, "a:1:2")
	if got := commit(t, a, "r:1"); got[0] != "1=[1,2]" {
		t.Fatalf("n0 read %q after n1's append", got)
	}
	commit(t, a, "a:1:3")
	if got := commit(t, b, "r:1 a:1:4 r:1"); got[0] != "1=[1,2,3] 1=[1,2,3,4]" {
		t.Fatalf("n1 read %q", got)
	}
}

// A node that fell far behind reads the log in doubling windows: a few
// rounds of concurrent reads, each slot read once.
func TestCatchUpReadsInWindows(t *testing.T) {
	log := newMemLog()
	writer, reader := NewReplica("n0", log), NewReplica("n1", log)
	for i := range 100 {
		commit(t, writer, fmt.Sprintf("a:1:%d", i))
	}
	log.reads = 0
	got := commit(t, reader, "r:1")
	if !strings.HasPrefix(got[0], "1=[0,1,2,") || !strings.HasSuffix(got[0], ",99]") {
		t.Fatalf("read %q", got)
	}
	if log.reads > 100+maxWindow {
		t.Fatalf("%d reads to catch up on 100 slots", log.reads)
	}
}

// A claim whose reply is lost but which landed: the node looks at the slot,
// finds its own entry, and answers from it.
func TestUncertainClaimThatLanded(t *testing.T) {
	log := newMemLog()
	log.claimFault = func(n int) (bool, error) {
		if n == 1 {
			return true, errors.New("reply lost")
		}
		return false, nil
	}
	r := NewReplica("n0", log)
	if got := commit(t, r, "a:1:1 r:1"); got[0] != "1=[1]" {
		t.Fatalf("read %q", got)
	}
	if len(log.slots) != 1 {
		t.Fatalf("%d slots, want 1", len(log.slots))
	}
}

// When the node cannot see whether its claim landed and tries the slot
// again, the second claim fails on its own entry and the next slot gets a
// second copy: only the first counts.
func TestDuplicateEntryAppliedOnce(t *testing.T) {
	log := newMemLog()
	log.claimFault = func(n int) (bool, error) {
		if n == 1 {
			return true, errors.New("reply lost")
		}
		return false, nil
	}
	log.readFault = func(n int) error {
		if n == 1 {
			return errors.New("read timed out")
		}
		return nil
	}
	r := NewReplica("n0", log)
	if got := commit(t, r, "a:1:1 r:1"); got[0] != "1=[1]" {
		t.Fatalf("read %q", got)
	}
	if len(log.slots) != 2 {
		t.Fatalf("%d slots, want the entry twice", len(log.slots))
	}
	if got := commit(t, r, "r:1"); got[0] != "1=[1]" {
		t.Fatalf("read %q after the duplicate, want the element once", got)
	}
	other := NewReplica("n1", log)
	if got := commit(t, other, "r:1"); got[0] != "1=[1]" {
		t.Fatalf("another node read %q", got)
	}
}

// Out of time, a batch says whether it may have committed: uncertain after
// a claim whose outcome is unknown, definitely not when nothing was
// written.
func TestCommitFailures(t *testing.T) {
	failing := func(int) error { return errors.New("read timed out") }
	for _, tc := range []struct {
		name      string
		claim     func(int) (bool, error)
		read      func(int) error
		txn       string
		uncertain bool
	}{
		{"a read-only batch that cannot read the log", nil, failing, "r:1", false},
		{"claims whose outcome stays unknown", func(int) (bool, error) { return false, errors.New("timeout") }, failing, "a:1:1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := newMemLog()
			log.claimFault, log.readFault = tc.claim, tc.read
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			_, err := NewReplica("n0", log).Commit(ctx, [][]MicroOp{txnOf(tc.txn)})
			if err == nil || errors.Is(err, ErrUncertain) != tc.uncertain {
				t.Fatalf("error %v, want uncertain %v", err, tc.uncertain)
			}
		})
	}
}

// Nodes committing concurrently on one log, each one batch at a time,
// produce a strict-serializable history, as Elle's list-append analysis
// checks it.
func TestConcurrentReplicasAreStrictSerializable(t *testing.T) {
	log := newMemLog()
	var mu sync.Mutex
	var h history.History
	record := func(op history.Op) {
		mu.Lock()
		defer mu.Unlock()
		h = append(h, op)
	}
	var wg sync.WaitGroup
	var nextElem sync.Map // key -> *int
	for node := range 3 {
		r := NewReplica(fmt.Sprintf("n%d", node), log)
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(node), 1))
			for range 60 {
				batch := make([][]MicroOp, 1+rng.IntN(3))
				for i := range batch {
					for range 1 + rng.IntN(3) {
						k := rng.IntN(3)
						if rng.IntN(2) == 0 {
							batch[i] = append(batch[i], MicroOp{readF, json.RawMessage(fmt.Sprint(k)), null})
							continue
						}
						p, _ := nextElem.LoadOrStore(k, new(int))
						mu.Lock()
						*p.(*int)++
						v := *p.(*int)
						mu.Unlock()
						batch[i] = append(batch[i], MicroOp{appendF, json.RawMessage(fmt.Sprint(k)), json.RawMessage(fmt.Sprint(v))})
					}
				}
				for i, txn := range batch {
					record(history.Op{Type: history.Invoke, Process: node*10 + i, F: "txn", Value: decode(t, txn)})
				}
				out, err := r.Commit(context.Background(), batch)
				if err != nil {
					t.Error(err)
					return
				}
				for i, txn := range out {
					record(history.Op{Type: history.OK, Process: node*10 + i, F: "txn", Value: decode(t, txn)})
				}
			}
		})
	}
	wg.Wait()
	res := elle.CheckListAppend(h.Reindex(), elle.Options{ConsistencyModels: []string{"strict-serializable"}})
	if res.Valid != checker.Valid {
		t.Fatalf("%v %v", res.Anomalies, res.Figures["anomalies"])
	}
}

func decode(t *testing.T, txn []MicroOp) any {
	raw, err := json.Marshal(txn)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	d := json.NewDecoder(strings.NewReader(string(raw)))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// Entries other nodes announce are neither claimed nor read again.
func TestAnnouncedEntriesSaveRequests(t *testing.T) {
	log := newMemLog()
	a, b := NewReplica("n0", log), NewReplica("n1", log)
	a.announce = b.Learn
	for i := range 5 {
		commit(t, a, fmt.Sprintf("a:1:%d", i))
	}
	log.claims, log.reads = 0, 0
	if got := commit(t, b, "a:1:5 r:1"); got[0] != "1=[0,1,2,3,4,5]" {
		t.Fatalf("read %q", got)
	}
	if log.claims != 1 || log.reads != 0 {
		t.Fatalf("%d claims and %d reads, want one claim and no read", log.claims, log.reads)
	}
}
