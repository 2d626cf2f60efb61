package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// ops parses "r x _ w y 2" style transactions into micro-ops; keys and
// values are raw JSON, "_" is null.
func ops(t *testing.T, s string) []MicroOp {
	t.Helper()
	f := strings.Fields(s)
	var out []MicroOp
	for i := 0; i+2 < len(f); i += 3 {
		v := f[i+2]
		if v == "_" {
			v = "null"
		}
		out = append(out, MicroOp{F: f[i], Key: json.RawMessage(f[i+1]), Value: json.RawMessage(v)})
	}
	return out
}

func render(ms []MicroOp) string {
	b, _ := json.Marshal(ms)
	return string(b)
}

func cluster(cfg Config) (a, b *Store) {
	nodes := []string{"n0", "n1"}
	return NewStore("n0", nodes, cfg), NewStore("n1", nodes, cfg)
}

// deliver sends from's pending batch to to and the ack back; it reports
// whether there was a batch.
func deliver(t *testing.T, from, to *Store, fromName, toName string, now time.Time) bool {
	t.Helper()
	b := from.NextBatch(toName, now)
	if b == nil {
		return false
	}
	// Round-trip through JSON, as on the wire.
	raw, _ := json.Marshal(b)
	var got Batch
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	ack, err := to.Receive(fromName, got)
	if err != nil {
		t.Fatal(err)
	}
	from.Acked(toName, ack.Upto)
	return true
}

func TestTxnLocal(t *testing.T) {
	s := NewStore("n0", []string{"n0"}, DefaultConfig)
	for _, tc := range []struct{ txn, want string }{
		{"r 1 _ w 1 5 r 1 _", `[["r",1,null],["w",1,5],["r",1,5]]`},
		{"w 1 6 w 1 7 r 1 _ r 2 _", `[["w",1,6],["w",1,7],["r",1,7],["r",2,null]]`},
		{"r 1 _ w 2 9", `[["r",1,7],["w",2,9]]`},
		{"r 2 _", `[["r",2,9]]`},
	} {
		if got := render(s.Txn(ops(t, tc.txn))); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.txn, got, tc.want)
		}
	}
	if s.Pending() != 0 {
		t.Error("a single node has nobody to replicate to")
	}
}

func TestReplicatesFinalWritesOnly(t *testing.T) {
	a, b := cluster(DefaultConfig)
	a.Txn(ops(t, "w 1 1 w 1 2 w 2 3"))
	batch := a.NextBatch("n1", time.Now())
	if batch == nil || len(batch.Entries) != 1 {
		t.Fatalf("batch %+v", batch)
	}
	var e Entry
	if err := json.Unmarshal(batch.Entries[0], &e); err != nil {
		t.Fatal(err)
	}
	if len(e.Writes) != 2 || string(e.Writes[0].Value) != "2" || string(e.Writes[1].Value) != "3" {
		t.Fatalf("entry %+v: want the final write of each key", e)
	}
	if _, err := b.Receive("n0", *batch); err != nil {
		t.Fatal(err)
	}
	if got := render(b.Txn(ops(t, "r 1 _ r 2 _"))); got != `[["r",1,2],["r",2,3]]` {
		t.Fatalf("replica reads %s", got)
	}
}

func TestLastWriterWinsConverges(t *testing.T) {
	a, b := cluster(DefaultConfig)
	a.Txn(ops(t, "w 1 10"))
	b.Txn(ops(t, "w 1 20")) // same Lamport time, n1 wins the tie
	now := time.Now()
	deliver(t, a, b, "n0", "n1", now)
	deliver(t, b, a, "n1", "n0", now)
	for name, s := range map[string]*Store{"n0": a, "n1": b} {
		if got := render(s.Txn(ops(t, "r 1 _"))); got != `[["r",1,20]]` {
			t.Errorf("%s reads %s, want 20", name, got)
		}
	}
	// A write made after seeing 20 carries a later Lamport time, so it wins
	// everywhere even though n0 < n1.
	a.Txn(ops(t, "r 1 _ w 1 30"))
	deliver(t, a, b, "n0", "n1", now)
	if got := render(b.Txn(ops(t, "r 1 _"))); got != `[["r",1,30]]` {
		t.Errorf("n1 reads %s, want 30", got)
	}
	if a.Pending() != 0 {
		t.Errorf("%d entries still pending after acks", a.Pending())
	}
}

func TestRetryAfterLoss(t *testing.T) {
	cfg := Config{MaxBatchBytes: 1 << 10, RetryAfter: time.Second}
	a, b := cluster(cfg)
	a.Txn(ops(t, "w 1 1"))
	t0 := time.Now()
	if lost := a.NextBatch("n1", t0); lost == nil {
		t.Fatal("no batch")
	}
	a.Txn(ops(t, "w 2 2"))
	if a.NextBatch("n1", t0.Add(time.Millisecond)) != nil {
		t.Fatal("sent again while the first batch awaits its ack")
	}
	if !deliver(t, a, b, "n0", "n1", t0.Add(2*time.Second)) {
		t.Fatal("no re-send after RetryAfter")
	}
	if got := render(b.Txn(ops(t, "r 1 _ r 2 _"))); got != `[["r",1,1],["r",2,2]]` {
		t.Fatalf("after the re-send n1 reads %s", got)
	}
	if a.Pending() != 0 {
		t.Fatalf("pending %d", a.Pending())
	}
}

func TestOutOfOrderBatches(t *testing.T) {
	cfg := Config{MaxBatchBytes: 1, RetryAfter: time.Hour} // one entry a batch
	a, b := cluster(cfg)
	a.Txn(ops(t, "w 1 1"))
	a.Txn(ops(t, "w 2 2"))
	now := time.Now()
	first := a.NextBatch("n1", now)
	a.Acked("n1", 1) // only to make a hand out entry 2; b has not seen entry 1
	second := a.NextBatch("n1", now)
	if first.From != 1 || second.From != 2 {
		t.Fatalf("batches %d.. and %d..", first.From, second.From)
	}
	ack, err := b.Receive("n0", *second)
	if err != nil || ack.Upto != 0 {
		t.Fatalf("a batch after a gap acked %d (%v), want 0", ack.Upto, err)
	}
	if got := render(b.Txn(ops(t, "r 2 _"))); got != `[["r",2,2]]` {
		t.Fatalf("entries after a gap are still applied: %s", got)
	}
	if ack, _ = b.Receive("n0", *first); ack.Upto != 1 {
		t.Fatalf("ack %d, want 1 (entry 2 comes again with the re-send)", ack.Upto)
	}
	if ack, _ = b.Receive("n0", Batch{From: 1, To: 2, Entries: append(first.Entries, second.Entries...)}); ack.Upto != 2 {
		t.Fatalf("ack %d after the re-send, want 2", ack.Upto)
	}
}

func TestBatchesStaySmall(t *testing.T) {
	a, b := cluster(DefaultConfig)
	for i := range 3000 {
		a.Txn(ops(t, fmt.Sprintf("w %d %d w %d %d", i, i, i+1, 123456789012345+i)))
	}
	now := time.Now()
	batches := 0
	for {
		batch := a.NextBatch("n1", now)
		if batch == nil {
			break
		}
		raw, _ := json.Marshal(map[string]any{"src": "n0", "dest": "n1", "body": batch})
		if len(raw) > 48<<10 {
			t.Fatalf("message of %d bytes", len(raw))
		}
		ack, err := b.Receive("n0", *batch)
		if err != nil {
			t.Fatal(err)
		}
		a.Acked("n1", ack.Upto)
		batches++
	}
	if batches < 3 || a.Pending() != 0 {
		t.Fatalf("%d batches, %d pending", batches, a.Pending())
	}
	if got := render(b.Txn(ops(t, "r 3000 _"))); got != `[["r",3000,123456789015344]]` {
		t.Fatalf("n1 reads %s", got)
	}
}

// Concurrent transactions never see each other's partial state: every txn
// writes the same value to both keys, so a reader sees equal values.
func TestTxnAtomicity(t *testing.T) {
	s := NewStore("n0", []string{"n0", "n1"}, DefaultConfig)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				v := fmt.Sprint(w*1000 + i)
				s.Txn(ops(t, "w 1 "+v+" w 2 "+v))
			}
		}()
	}
	for range 2000 {
		got := s.Txn(ops(t, "r 1 _ r 2 _"))
		if string(got[0].Value) != string(got[1].Value) {
			t.Fatalf("fractured read %s", render(got))
		}
	}
	wg.Wait()
}

func TestMicroOpJSON(t *testing.T) {
	var req txnReq
	if err := json.Unmarshal([]byte(`{"txn":[["r", 1, null],["w",2, 123456789012345678901234567890]]}`), &req); err != nil {
		t.Fatal(err)
	}
	if got := render(req.Txn); got != `[["r",1,null],["w",2,123456789012345678901234567890]]` {
		t.Fatalf("round trip %s", got)
	}
	for _, bad := range []string{`{"txn":[["r",1]]}`, `{"txn":[["append",1,2]]}`, `{"txn":[[1,1,2]]}`} {
		if err := json.Unmarshal([]byte(bad), &req); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}
