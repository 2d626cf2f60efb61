package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/service"
	"gossip-glomers/internal/wire"
)

var t0 = time.Unix(1000, 0)

var testConfig = Config{Gossip: 100 * time.Millisecond, AddWait: time.Second, Backoff: time.Millisecond}

// svcStore is a Store backed by the workbench's own seq-kv (stale reads and
// all), requests going through JSON as on the wire. fail, when set, is asked
// before each request whether to drop it ("before": never reaches the
// service) or its reply ("after": applied, reply lost); both look like a
// timeout to the caller.
type svcStore struct {
	mu    sync.Mutex
	svc   service.Service
	src   string
	calls map[string]int // request type -> count
	fail  func(typ string) string
}

func newStore(svc service.Service, src string) *svcStore {
	return &svcStore{svc: svc, src: src, calls: map[string]int{}}
}

func (s *svcStore) call(_ context.Context, body map[string]any) (json.RawMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	typ, _ := body["type"].(string)
	s.calls[typ]++
	mode := ""
	if s.fail != nil {
		mode = s.fail(typ)
	}
	if mode == "before" {
		return nil, errors.New("rpc timed out")
	}
	req, err := wire.DecodeBody(wire.Marshal(body))
	if err != nil {
		return nil, err
	}
	reply := s.svc.Handle(s.src, req)
	if mode == "after" || reply == nil {
		return nil, errors.New("rpc timed out")
	}
	if reply.Type() == "error" {
		code, _ := wire.Int(reply["code"])
		if n, ok := reply["code"].(int64); ok {
			code = n
		}
		text, _ := reply["text"].(string)
		return wire.Marshal(reply), maelstrom.NewRPCError(int(code), text)
	}
	return wire.Marshal(reply), nil
}

func (s *svcStore) kv() KV { return NewKV(s.call) }

func newSeqKV(seed uint64) service.Service {
	return service.NewSeqKV(rand.New(rand.NewPCG(seed, seed)))
}

// commitAll runs the committer until it has nothing left to do.
func commitAll(t *testing.T, c *Counter) {
	t.Helper()
	for range 100 {
		if more, _ := c.Commit(context.Background()); !more {
			return
		}
	}
	t.Fatal("committer never settles")
}

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// storedTotal reads a node's key fresh from the service.
func storedTotal(t *testing.T, svc service.Service, id string) int64 {
	t.Helper()
	s := newStore(svc, "test-reader")
	kv := s.kv()
	if err := kv.Write(context.Background(), "fresh/test-reader", fmt.Sprint(time.Now().UnixNano())); err != nil {
		t.Fatal(err)
	}
	v, _, err := kv.Read(context.Background(), StoreKey(id))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestGroupCommit(t *testing.T) {
	svc := newSeqKV(1)
	st := newStore(svc, "n0")
	c := NewCounter("n0", []string{"n0", "n1"}, st.kv(), testConfig, t0)
	if zero := c.Enqueue(0); !closed(zero) {
		t.Fatal("a zero add should need no commit")
	}
	var dones []<-chan struct{}
	for _, d := range []int64{1, 2, 3, 4} {
		dones = append(dones, c.Enqueue(d))
	}
	if c.Value() != 0 {
		t.Fatal("uncommitted adds are visible")
	}
	commitAll(t, c)
	for i, d := range dones {
		if !closed(d) {
			t.Fatalf("add %d not acknowledged", i)
		}
	}
	if c.Value() != 10 || storedTotal(t, svc, "n0") != 10 {
		t.Fatalf("value %d, stored %d, want 10", c.Value(), storedTotal(t, svc, "n0"))
	}
	// One cas for all four adds, and no read: a fresh node knows its key
	// does not exist yet.
	if st.calls["cas"] != 1 || len(st.calls) != 1 {
		t.Fatalf("store calls %v, want one cas", st.calls)
	}
	d := c.Enqueue(5)
	commitAll(t, c)
	if !closed(d) || c.Value() != 15 || st.calls["cas"] != 2 || len(st.calls) != 1 {
		t.Fatalf("second batch: value %d calls %v", c.Value(), st.calls)
	}
}

// TestInDoubtCommits: a cas whose reply is lost, or which never arrives,
// is resolved by a fresh read and counted exactly once.
func TestInDoubtCommits(t *testing.T) {
	for _, mode := range []string{"after", "before"} {
		t.Run(mode, func(t *testing.T) {
			svc := newSeqKV(2)
			st := newStore(svc, "n0")
			c := NewCounter("n0", []string{"n0"}, st.kv(), testConfig, t0)
			failed := false
			st.fail = func(typ string) string {
				if typ == "cas" && !failed {
					failed = true
					return mode
				}
				return ""
			}
			d1 := c.Enqueue(3)
			if _, err := c.Commit(context.Background()); err == nil {
				t.Fatal("the cas should have failed")
			}
			d2 := c.Enqueue(4) // arrives while the first batch is in doubt
			commitAll(t, c)
			if !closed(d1) || !closed(d2) {
				t.Fatal("adds not acknowledged")
			}
			if c.Value() != 7 || storedTotal(t, svc, "n0") != 7 {
				t.Fatalf("value %d, stored %d, want 7", c.Value(), storedTotal(t, svc, "n0"))
			}
		})
	}
}

// TestRestartConverges: a node that restarts with empty memory re-reads its
// total (fresh, despite seq-kv's stale reads), keeps counting on top of it,
// and a peer's older view of its slot cannot pull it back.
func TestRestartConverges(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		svc := newSeqKV(seed)
		// Other nodes keep changing the store, so stale states abound.
		other := newStore(svc, "n1").kv()
		for i := range 40 {
			if err := other.Write(context.Background(), "noise", i); err != nil {
				t.Fatal(err)
			}
		}
		first := NewCounter("n0", []string{"n0", "n1"}, newStore(svc, "n0").kv(), testConfig, t0)
		for _, d := range []int64{5, 6, 7} {
			first.Enqueue(d)
			commitAll(t, first)
			for i := range 10 {
				if err := other.Write(context.Background(), "noise", 100+i); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Restart: same node id, same store, nothing in memory, and a store
		// session that remembers nothing of the old one (seq-kv keys its
		// sessions by sender; a new session starts at state 0).
		second := NewCounter("n0", []string{"n0", "n1"}, newStore(svc, "n0-again").kv(), testConfig, t0.Add(time.Minute))
		second.HandleGossip("n1", Counts{"n0": 11, "n1": 2}) // a peer's older view of n0
		d := second.Enqueue(1)
		commitAll(t, second)
		if !closed(d) {
			t.Fatal("add after restart not acknowledged")
		}
		if got := storedTotal(t, svc, "n0"); got != 19 {
			t.Fatalf("seed %d: stored %d after restart, want 5+6+7+1 = 19", seed, got)
		}
		if second.Value() != 21 {
			t.Fatalf("seed %d: value %d, want 19 + n1's 2", seed, second.Value())
		}
	}
}

// cluster is counters wired through an in-memory network that can cut links.
type cluster struct {
	t     *testing.T
	svc   service.Service
	ids   []string
	nodes map[string]*Counter
	cut   map[[2]string]bool // src, dest
	msgs  int
}

func newCluster(t *testing.T, cfg Config, ids ...string) *cluster {
	cl := &cluster{t: t, svc: newSeqKV(9), ids: ids, nodes: map[string]*Counter{}, cut: map[[2]string]bool{}}
	for _, id := range ids {
		cl.nodes[id] = NewCounter(id, ids, newStore(cl.svc, id).kv(), cfg, t0)
	}
	return cl
}

func (cl *cluster) partition(a, b string, on bool) {
	cl.cut[[2]string{a, b}], cl.cut[[2]string{b, a}] = on, on
}

// tick runs every node's committer to the end, then one gossip round,
// delivering what the cuts let through.
func (cl *cluster) tick() {
	for _, id := range cl.ids {
		commitAll(cl.t, cl.nodes[id])
	}
	for _, id := range cl.ids {
		for _, o := range cl.nodes[id].Tick() {
			cl.msgs++
			if !cl.cut[[2]string{id, o.Dest}] {
				cl.nodes[o.Dest].HandleGossip(id, o.Body.(GossipBody).Counts)
			}
		}
	}
}

func (cl *cluster) step(n int) {
	for range n {
		cl.tick()
	}
}

func (cl *cluster) values() map[string]int64 {
	out := map[string]int64{}
	for id, c := range cl.nodes {
		out[id] = c.Value()
	}
	return out
}

// TestGossipConverges: totals reach every node, a quiet cluster sends
// nothing, a partition costs one message per tick and cut link, and the
// nodes agree within two ticks of healing.
func TestGossipConverges(t *testing.T) {
	cl := newCluster(t, testConfig, "n0", "n1", "n2")
	cl.nodes["n0"].Enqueue(3)
	cl.nodes["n1"].Enqueue(4)
	cl.step(2)
	for id, v := range cl.values() {
		if v != 7 {
			t.Fatalf("%s reads %d, want 7", id, v)
		}
	}

	before := cl.msgs
	cl.step(30)
	if cl.msgs != before {
		t.Fatalf("%d messages sent while nothing changed", cl.msgs-before)
	}

	// Partition n2 from everyone; it keeps counting alone.
	cl.partition("n2", "n0", true)
	cl.partition("n2", "n1", true)
	cl.nodes["n2"].Enqueue(5)
	cl.nodes["n0"].Enqueue(1)
	before = cl.msgs
	cl.step(10)
	// n0 tells n1 of its add once; n0 and n1 (who learns n0's) resend to
	// n2, and n2 to both, every tick.
	if sent := cl.msgs - before; sent > 2+4*10 {
		t.Fatalf("%d messages in 10 ticks of a partition", sent)
	}
	if v := cl.values(); v["n0"] != 8 || v["n1"] != 8 || v["n2"] != 12 {
		t.Fatalf("during the partition: %v, want n0=n1=8, n2=12", v)
	}

	cl.partition("n2", "n0", false)
	cl.partition("n2", "n1", false)
	cl.step(2)
	for id, v := range cl.values() {
		if v != 13 {
			t.Fatalf("after healing %s reads %d, want 13", id, v)
		}
	}
	before = cl.msgs
	cl.step(3)
	if cl.msgs != before {
		t.Fatalf("%d messages after the cluster converged", cl.msgs-before)
	}
}

func TestTick(t *testing.T) {
	cases := []struct {
		name  string
		setup func(c *Counter)
		want  []string // destinations
	}{
		{"nothing to say", func(c *Counter) {}, nil},
		// n2 lacks it; n1 must learn that we hold it, or it resends.
		{"news goes to every peer that lacks it, and back to its source", func(c *Counter) {
			c.HandleGossip("n1", Counts{"n1": 2})
		}, []string{"n1", "n2"}},
		{"sent, and not known to be held: resent", func(c *Counter) {
			c.HandleGossip("n1", Counts{"n1": 2})
			c.Tick()
		}, []string{"n2"}},
		{"sent, and then held: quiet", func(c *Counter) {
			c.HandleGossip("n1", Counts{"n1": 2})
			c.Tick()
			c.HandleGossip("n2", Counts{"n1": 2})
		}, nil},
		{"a peer that moved on hears back", func(c *Counter) {
			c.HandleGossip("n1", Counts{"n1": 2})
			c.Tick()
			c.HandleGossip("n2", Counts{"n1": 2})
			c.HandleGossip("n1", Counts{"n1": 3})
		}, []string{"n1", "n2"}},
		{"strangers' slots are ignored", func(c *Counter) { c.HandleGossip("c4", Counts{"x": 9}) }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCounter("n0", []string{"n0", "n1", "n2"}, nil, testConfig, t0)
			tc.setup(c)
			var got []string
			for _, o := range c.Tick() {
				got = append(got, o.Dest)
				if o.Body.(GossipBody).Type != "gossip" {
					t.Fatalf("tick sent %v", o.Body)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("sent to %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAddWaits(t *testing.T) {
	svc := newSeqKV(3)
	c := NewCounter("n0", []string{"n0"}, newStore(svc, "n0").kv(), Config{AddWait: 20 * time.Millisecond}, t0)
	// Nobody commits: the add stays pending and Add stops waiting.
	if err := c.Add(context.Background(), 2); !errors.Is(err, ErrNotCommitted) {
		t.Fatalf("Add = %v, want ErrNotCommitted", err)
	}
	commitAll(t, c)
	if c.Value() != 2 {
		t.Fatalf("the pending add was lost: value %d", c.Value())
	}
}

// TestCommitGap: with a gap, an add that arrives soon after a cas waits for
// the next one, and the adds that wait share it.
func TestCommitGap(t *testing.T) {
	svc := newSeqKV(5)
	st := newStore(svc, "n0")
	cfg := testConfig
	cfg.CommitGap = time.Hour
	c := NewCounter("n0", []string{"n0"}, st.kv(), cfg, t0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.Run(ctx, func(Outgoing) {})
	if err := c.Add(ctx, 1); err != nil { // the first cas goes at once
		t.Fatal(err)
	}
	second, third := c.Enqueue(2), c.Enqueue(3)
	time.Sleep(50 * time.Millisecond)
	if closed(second) || closed(third) {
		t.Fatal("an add was stored within the gap")
	}
	commitAll(t, c) // what the committer does when the gap is over
	if !closed(second) || !closed(third) || st.calls["cas"] != 2 || storedTotal(t, svc, "n0") != 6 {
		t.Fatalf("after the gap: calls %v, stored %d", st.calls, storedTotal(t, svc, "n0"))
	}
}

// TestRun drives the real loops: adds are committed and acknowledged, and
// the change is gossiped to the peer.
func TestRun(t *testing.T) {
	svc := newSeqKV(4)
	st := newStore(svc, "n0")
	cfg := Config{Gossip: 10 * time.Millisecond, AddWait: 5 * time.Second, Backoff: time.Millisecond}
	c := NewCounter("n0", []string{"n0", "n1"}, st.kv(), cfg, time.Now())
	sent := make(chan Outgoing, 100)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.Run(ctx, func(o Outgoing) { sent <- o })
	for _, d := range []int64{3, 0, 4} {
		if err := c.Add(ctx, d); err != nil {
			t.Fatalf("Add(%d): %v", d, err)
		}
	}
	if c.Value() != 7 || storedTotal(t, svc, "n0") != 7 {
		t.Fatalf("value %d, stored %d, want 7", c.Value(), storedTotal(t, svc, "n0"))
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case o := <-sent:
			if b := o.Body.(GossipBody); o.Dest == "n1" && b.Counts["n0"] == 7 {
				return
			}
		case <-deadline:
			t.Fatal("the total never went to the peer")
		}
	}
}

// TestFreshRead: a session that lags (here a new one) reads the latest
// total through the scratch-write trick, where a bare read is often stale.
// The committer relies on it: a stale total could make it rebase an
// in-doubt batch onto an old value and acknowledge adds that never landed.
func TestFreshRead(t *testing.T) {
	ctx := context.Background()
	staleBare := 0
	for seed := uint64(0); seed < 30; seed++ {
		svc := newSeqKV(seed)
		old := newStore(svc, "n0").kv()
		noise := newStore(svc, "n1").kv()
		for v := int64(1); v <= 20; v++ {
			if err := old.CAS(ctx, StoreKey("n0"), v-1, v, true); err != nil {
				t.Fatal(err)
			}
			if err := noise.Write(ctx, "noise", v); err != nil {
				t.Fatal(err)
			}
		}
		if v, _, _ := newStore(svc, fmt.Sprintf("bare-%d", seed)).kv().Read(ctx, StoreKey("n0")); v != 20 {
			staleBare++
		}
		c := NewCounter("n0", []string{"n0"}, newStore(svc, "n0-again").kv(), testConfig, t0)
		if v, err := c.freshRead(ctx); err != nil || v != 20 {
			t.Fatalf("seed %d: fresh read %d, %v; want 20", seed, v, err)
		}
	}
	if staleBare == 0 {
		t.Fatal("bare reads were never stale; the test shows nothing")
	}
}
