package service

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gossip-glomers/internal/wire"
)

func write(k string, v int) wire.Body {
	return wire.Body{"type": "write", "key": k, "value": num(v)}
}

func read(k string) wire.Body { return wire.Body{"type": "read", "key": k} }

func cas(k string, from, to int) wire.Body {
	return wire.Body{"type": "cas", "key": k, "from": num(from), "to": num(to)}
}

func num(v int) any {
	var n any
	_ = wire.Decode([]byte(fmt.Sprint(v)), &n)
	return n
}

// readInt returns the value a read_ok carries, or -1 for key-does-not-exist.
func readInt(t *testing.T, reply wire.Body) int64 {
	t.Helper()
	if reply.Type() == "error" {
		if c, _ := reply.Int("code"); c != wire.CodeKeyDoesNotExist {
			t.Fatalf("unexpected error %v", reply)
		}
		return -1
	}
	v, ok := reply.Int("value")
	if reply.Type() != "read_ok" || !ok {
		t.Fatalf("unexpected reply %v", reply)
	}
	return v
}

// freshRead is the trick a node uses to read seq-kv's latest state: first a
// change (a value never written before), which moves the sender to the
// latest state, then the read.
func freshRead(t *testing.T, s Service, src, k string, nonce int) int64 {
	t.Helper()
	if r := call(s, src, wire.Body{"type": "write", "key": "scratch-" + src, "value": num(nonce)}); r.Type() != "write_ok" {
		t.Fatalf("scratch write: %v", r)
	}
	return readInt(t, call(s, src, read(k)))
}

// TestSeqKVStaleRead shows that a bare read may be served a stale value
// (even key-does-not-exist for a key that exists), that one sender's reads
// never go backwards, that nothing older than the 32-state window is served,
// and that the fresh-read trick sees the latest value.
func TestSeqKVStaleRead(t *testing.T) {
	s := NewSeqKV(rand.New(rand.NewPCG(7, 7)))
	for v := 1; v <= 40; v++ { // state v holds x = v
		if r := call(s, "n0", write("x", v)); r.Type() != "write_ok" {
			t.Fatalf("write: %v", r)
		}
	}
	// n0 made every change, so it is at the latest state.
	if got := readInt(t, call(s, "n0", read("x"))); got != 40 {
		t.Fatalf("writer reads %d, want 40", got)
	}
	stale, last := 0, int64(-2)
	for range 50 {
		got := readInt(t, call(s, "n1", read("x")))
		if got < last {
			t.Fatalf("n1 went backwards: %d after %d", got, last)
		}
		if got < 40-(SeqWindow-1) {
			t.Fatalf("n1 read %d, older than the %d-state window", got, SeqWindow)
		}
		if got < 40 {
			stale++
		}
		last = got
	}
	if stale == 0 {
		t.Fatal("no stale read in 50 bare reads of a lagging sender")
	}
	t.Logf("%d of 50 bare reads were stale", stale)
	if got := freshRead(t, s, "n2", "x", 1000); got != 40 {
		t.Fatalf("fresh read got %d, want 40", got)
	}
}

// TestSeqKVStaleNoOps shows writes and cas judged against a stale state: a
// write of the value an old state holds is acknowledged without changing
// the latest state, and a cas can fail against an old value.
func TestSeqKVStaleNoOps(t *testing.T) {
	var staleWrite, freshWrite, staleCas bool
	for seed := uint64(0); seed < 200 && !(staleWrite && freshWrite && staleCas); seed++ {
		s := NewSeqKV(rand.New(rand.NewPCG(seed, 1)))
		call(s, "n0", write("x", 1)) // state 1: x=1
		call(s, "n0", write("x", 2)) // state 2: x=2
		if r := call(s, "n1", write("x", 1)); r.Type() != "write_ok" {
			t.Fatalf("write: %v", r)
		}
		switch readInt(t, call(s, "n0", read("x"))) {
		case 2: // n1's write was ordered into state 1's past
			staleWrite = true
		case 1:
			freshWrite = true
		}

		s = NewSeqKV(rand.New(rand.NewPCG(seed, 2)))
		call(s, "n0", write("x", 1))
		call(s, "n0", write("x", 2))
		r := call(s, "n1", cas("x", 2, 3))
		if r.Type() == "error" {
			if c, _ := r.Int("code"); c == wire.CodePreconditionFailed && r["text"] == "current value 1 is not 2" {
				staleCas = true
			}
		}
	}
	if !staleWrite || !freshWrite || !staleCas {
		t.Fatalf("stale write %v, fresh write %v, stale cas failure %v: want all", staleWrite, freshWrite, staleCas)
	}
}

// TestSeqKVFailedChangeAdvances: a request that would change its chosen
// past state but fails on the latest still appends a state and moves the
// sender to it, as the reference does.
func TestSeqKVFailedChangeAdvances(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		s := NewSeqKV(rand.New(rand.NewPCG(seed, 3)))
		call(s, "n0", write("x", 1)) // state 1
		call(s, "n0", write("x", 2)) // state 2
		// From state 1 this cas would change x; on the latest it fails.
		r := call(s, "n1", cas("x", 1, 5))
		if r.Type() == "cas_ok" {
			t.Fatalf("seed %d: cas 1->5 succeeded with x=2 latest", seed)
		}
		if s.latest == 3 {
			if s.senders["n1"] != 3 {
				t.Fatalf("seed %d: n1 at %d, want 3", seed, s.senders["n1"])
			}
			if got := s.at(key(read("x")), 3); !got.same(entry{num(2), true}) {
				t.Fatalf("seed %d: state 3 has %v", seed, got)
			}
			return
		}
	}
	t.Fatal("never saw a cas land on the latest state and fail")
}

// TestSeqKVWrapQuirk: a sender lagging more than 32 states is served states
// out of order, as by the reference's ring-buffer lookup, but never one
// outside the 32 retained states.
func TestSeqKVWrapQuirk(t *testing.T) {
	s := NewSeqKV(rand.New(rand.NewPCG(3, 3)))
	for v := 1; v <= 100; v++ {
		call(s, "n0", write("x", v))
	}
	backwards := false
	last := int64(-2)
	for range 40 {
		got := readInt(t, call(s, "n1", read("x")))
		if got < 100-(SeqWindow-1) {
			t.Fatalf("read %d, outside the window", got)
		}
		if got < last {
			backwards = true
		}
		last = got
	}
	if !backwards {
		t.Errorf("a sender 100 states behind never went backwards; the ring-buffer wrap is not reproduced")
	}
}

// refSeq is a literal model of the reference: a full copy of the store per
// state, looked up through an amalloy ring buffer (start, len, capacity 32,
// nth i = buf[(start+i) mod len]).
type refSeq struct {
	intn    func(int64) int64
	buf     []map[string]entry
	start   int
	last    int64
	senders map[string]int64
}

func newRefSeq(rng *rand.Rand) *refSeq {
	return &refSeq{intn: rng.Int64N, buf: []map[string]entry{{}}, senders: map[string]int64{}}
}

func (r *refSeq) nth(i int) map[string]entry {
	n := len(r.buf)
	return r.buf[((r.start+i)%n+n)%n]
}

func (r *refSeq) conj(m map[string]entry) {
	if len(r.buf) < SeqWindow {
		r.buf = append(r.buf, m)
	} else {
		r.buf[r.start] = m
		r.start = (r.start + 1) % SeqWindow
	}
}

func (r *refSeq) handle(src string, req wire.Body) wire.Body {
	if _, _, ok := applyKV(entry{}, req); !ok {
		return nil
	}
	lo := r.senders[src]
	i := lo + r.intn(r.last-lo+1)
	state := r.nth(int(i - r.last - 1))
	k := key(req)
	next, reply, _ := applyKV(state[k], req)
	if next.same(state[k]) {
		r.senders[src] = i
		return reply
	}
	latest := r.nth(-1)
	next, reply, _ = applyKV(latest[k], req)
	m := map[string]entry{}
	for kk, e := range latest {
		m[kk] = e
	}
	if next.present {
		m[k] = next
	}
	r.conj(m)
	r.last++
	r.senders[src] = r.last
	return reply
}

// TestSeqKVMatchesReference drives SeqKV (versioned keys, pruned) and the
// literal model with the same random stream and a random workload, and
// requires identical replies.
func TestSeqKVMatchesReference(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		s := NewSeqKV(rand.New(rand.NewPCG(seed, 9)))
		ref := newRefSeq(rand.New(rand.NewPCG(seed, 9)))
		load := rand.New(rand.NewPCG(seed, 10))
		for step := range 2000 {
			src := fmt.Sprintf("n%d", load.IntN(4))
			k := fmt.Sprintf("k%d", load.IntN(3))
			var req wire.Body
			switch load.IntN(4) {
			case 0:
				req = read(k)
			case 1:
				req = write(k, load.IntN(4))
			case 2:
				req = cas(k, load.IntN(4), load.IntN(4))
			case 3:
				req = cas(k, load.IntN(4), load.IntN(4))
				req["create_if_not_exists"] = true
			}
			got, want := call(s, src, req), ref.handle(src, req)
			if wire.Key(got) != wire.Key(want) {
				t.Fatalf("seed %d step %d %s from %s: got %s, reference %s",
					seed, step, wire.Key(req), src, wire.Key(got), wire.Key(want))
			}
		}
		for k, vs := range s.keys {
			if len(vs) > SeqWindow+1 {
				t.Fatalf("key %s keeps %d versions; pruning failed", k, len(vs))
			}
		}
	}
}

// incrementer is one client doing read-then-cas increments on key "n", the
// way a node must use a kv store to avoid lost updates.
type incrementer struct {
	src      string
	have     bool  // read done, cas next
	seen     int64 // value read (-1: missing)
	done     int
	useWrite bool // broken variant: read then blind write
}

// step performs the client's next request.
func (c *incrementer) step(t *testing.T, s Service) {
	if !c.have {
		c.seen = readInt(t, call(s, c.src, read("n")))
		c.have = true
		return
	}
	c.have = false
	var req wire.Body
	switch {
	case c.useWrite:
		req = write("n", int(max(c.seen, 0)+1))
	case c.seen < 0:
		req = cas("n", 0, 1)
		req["create_if_not_exists"] = true
	default:
		req = cas("n", int(c.seen), int(c.seen+1))
	}
	r := call(s, c.src, req)
	switch r.Type() {
	case "cas_ok", "write_ok":
		c.done++
	case "error":
		if code, _ := r.Int("code"); code != wire.CodePreconditionFailed && code != wire.CodeKeyDoesNotExist {
			t.Fatalf("unexpected error %v", r)
		}
	default:
		t.Fatalf("unexpected reply %v", r)
	}
}

// runIncrements interleaves many clients' requests at random, one request
// at a time as the runner delivers them, until each made perIncr successful
// increments, and returns the final value (read fresh) and the total.
func runIncrements(t *testing.T, s Service, clients, perIncr int, useWrite bool, seed uint64) (final int64, total int) {
	t.Helper()
	cs := make([]*incrementer, clients)
	for i := range cs {
		cs[i] = &incrementer{src: fmt.Sprintf("n%d", i), useWrite: useWrite}
	}
	sched := rand.New(rand.NewPCG(seed, 77))
	for steps := 0; ; steps++ {
		if steps > 1_000_000 {
			t.Fatal("increments never finished")
		}
		var open []*incrementer
		for _, c := range cs {
			if c.done < perIncr {
				open = append(open, c)
			}
		}
		if len(open) == 0 {
			break
		}
		open[sched.IntN(len(open))].step(t, s)
	}
	for _, c := range cs {
		total += c.done
	}
	return freshRead(t, s, "checker", "n", 1<<30), total
}

// TestCASAtomicUnderConcurrentClients: read-then-cas increments from many
// interleaved senders lose nothing on lin-kv and seq-kv (stale reads only
// make cas fail and retry), while read-then-write increments do lose
// updates, which shows the test can tell.
func TestCASAtomicUnderConcurrentClients(t *testing.T) {
	for _, name := range []string{"lin-kv", "seq-kv"} {
		t.Run(name+"/cas", func(t *testing.T) {
			s, _ := New(name, rand.New(rand.NewPCG(5, 5)))
			final, total := runIncrements(t, s, 8, 25, false, 1)
			if final != int64(total) {
				t.Fatalf("final value %d after %d acknowledged increments", final, total)
			}
		})
		t.Run(name+"/blind-write", func(t *testing.T) {
			s, _ := New(name, rand.New(rand.NewPCG(5, 5)))
			final, total := runIncrements(t, s, 8, 25, true, 1)
			if final >= int64(total) {
				t.Fatalf("read-then-write lost nothing (final %d, %d increments); the test cannot tell", final, total)
			}
			t.Logf("read-then-write: final %d after %d acknowledged increments", final, total)
		})
	}
}
