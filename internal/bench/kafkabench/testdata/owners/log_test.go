package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"
)

// ---- pure log logic ----

func entries(spec ...int64) []Entry {
	// spec: epoch, msg, epoch, msg, ...
	var out []Entry
	for i := 0; i < len(spec); i += 2 {
		out = append(out, Entry{Epoch: spec[i], Msg: json.RawMessage(strconv.FormatInt(spec[i+1], 10))})
	}
	return out
}

func TestMerge(t *testing.T) {
	cases := []struct {
		name   string
		log    []Entry
		epoch  int64
		from   int
		in     []Entry
		want   []Entry
		expose int
	}{
		{"append", entries(0, 1), 0, 1, entries(0, 2, 0, 3), entries(0, 1, 0, 2, 0, 3), 1},
		{"identical entries kept", entries(0, 1, 0, 2, 0, 3), 0, 1, entries(0, 2), entries(0, 1, 0, 2, 0, 3), 3},
		{"conflict truncates", entries(0, 1, 0, 2, 0, 3), 1, 1, entries(1, 9), entries(0, 1, 1, 9), 2},
		{"gap is not applied", entries(0, 1), 0, 3, entries(0, 4), entries(0, 1), 1},
		{"older tail dropped", entries(0, 1, 0, 2, 0, 3), 1, 0, entries(0, 1), entries(0, 1), 1},
		{"same-epoch tail kept", entries(0, 1, 1, 2, 1, 3), 1, 0, entries(0, 1), entries(0, 1, 1, 2, 1, 3), 3},
		{"empty record drops older tail", entries(0, 1, 0, 2), 2, 1, nil, entries(0, 1), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := NewBroker("n1", []string{"n0", "n1"}, nil, nil, DefaultConfig)
			ks := &keyState{key: "k", log: append([]Entry(nil), c.log...), exposed: len(c.log)}
			b.merge(ks, c.epoch, c.from, c.in, true)
			if !reflect.DeepEqual(ks.log, c.want) {
				t.Fatalf("log %v, want %v", ks.log, c.want)
			}
			if ks.exposed != min(len(c.log), len(c.want)) {
				t.Fatalf("exposed %d", ks.exposed)
			}
			// A replication item is a slice of the owner's log: the tail stays.
			ks = &keyState{key: "k", log: append([]Entry(nil), c.log...)}
			b.merge(ks, c.epoch, c.from, c.in, false)
			if len(ks.log) < min(len(c.log), len(c.want)) && c.name != "conflict truncates" {
				t.Fatalf("a partial item shortened the log to %v", ks.log)
			}
		})
	}
}

func TestHomeOwner(t *testing.T) {
	nodes := []string{"n0", "n1"}
	counts := map[string]int{}
	for i := range 1000 {
		k := strconv.Itoa(i)
		o := homeOwner(k, nodes)
		if o != homeOwner(k, []string{"n0", "n1"}) {
			t.Fatal("not deterministic")
		}
		counts[o]++
	}
	if counts["n0"] < 400 || counts["n1"] < 400 {
		t.Fatalf("unbalanced: %v", counts)
	}
}

func TestWireFormats(t *testing.T) {
	rec := Record{Epoch: 3, Owner: "n1", From: 2, Prev: 0, Log: entries(0, 7, 3, 8)}
	b, _ := json.Marshal(rec)
	if string(b) != `{"epoch":3,"owner":"n1","from":2,"prev":0,"log":[[0,7],[3,8]]}` {
		t.Fatalf("record %s", b)
	}
	var back Record
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, rec) {
		t.Fatalf("round trip %+v %v", back, err)
	}
	if err := json.Unmarshal([]byte(`[1]`), &Entry{}); err == nil {
		t.Fatal("a 1-element entry decoded")
	}
}

// ---- an in-memory cluster ----

// cluster connects brokers through a fake network with partitions and a
// linearizable lin-kv.
type cluster struct {
	t       testing.TB
	nodes   []string
	brokers map[string]*Broker
	cancel  context.CancelFunc

	mu      sync.Mutex
	cut     map[[2]string]bool
	kv      map[string]json.RawMessage
	kvCalls int
	msgs    int
}

type fakeTransport struct {
	c    *cluster
	self string
}

var errFakeTimeout = errors.New("timeout")

func (f fakeTransport) RPC(ctx context.Context, dest string, body any, timeout time.Duration) (json.RawMessage, error) {
	c := f.c
	raw, _ := json.Marshal(body)
	c.mu.Lock()
	c.msgs++
	blocked := c.cut[[2]string{f.self, dest}]
	c.mu.Unlock()
	if dest == "lin-kv" {
		return c.linKV(raw)
	}
	if blocked {
		select {
		case <-time.After(timeout):
		case <-ctx.Done():
		}
		return nil, errFakeTimeout
	}
	type res struct {
		raw json.RawMessage
		err error
	}
	ch := make(chan res, 1)
	go func() {
		out, err := c.handle(f.self, dest, raw)
		ch <- res{out, err}
	}()
	select {
	case r := <-ch:
		c.mu.Lock()
		blocked := c.cut[[2]string{dest, f.self}]
		c.mu.Unlock()
		if blocked || r.raw == nil && r.err == nil {
			<-time.After(timeout) // reply lost, or never sent
			return nil, errFakeTimeout
		}
		return r.raw, r.err
	case <-time.After(timeout):
		return nil, errFakeTimeout
	}
}

func (f fakeTransport) Send(dest string, body any) error {
	raw, _ := json.Marshal(body)
	f.c.mu.Lock()
	f.c.msgs++
	blocked := f.c.cut[[2]string{f.self, dest}]
	f.c.mu.Unlock()
	if !blocked {
		go f.c.handle(f.self, dest, raw)
	}
	return nil
}

// handle delivers a peer message as main.go's handlers do.
func (c *cluster) handle(src, dest string, raw json.RawMessage) (json.RawMessage, error) {
	b := c.brokers[dest]
	var typ struct {
		Type string `json:"type"`
	}
	json.Unmarshal(raw, &typ)
	switch typ.Type {
	case "kafka_sync", "kafka_notify":
		var req Sync
		if err := json.Unmarshal(raw, &req); err != nil {
			c.t.Errorf("bad sync %s: %v", raw, err)
		}
		rep := b.HandleSync(src, req)
		if typ.Type == "kafka_notify" {
			return nil, nil
		}
		return json.Marshal(rep)
	case "kafka_fwd":
		var req Forward
		json.Unmarshal(raw, &req)
		rep := b.HandleForward(src, req)
		if rep.Type == "" {
			return nil, nil
		}
		return json.Marshal(rep)
	}
	c.t.Errorf("unexpected message %s", raw)
	return nil, nil
}

// linKV is a linearizable store with Maelstrom's read/cas semantics.
func (c *cluster) linKV(raw json.RawMessage) (json.RawMessage, error) {
	var req struct {
		Type   string          `json:"type"`
		Key    string          `json:"key"`
		From   json.RawMessage `json:"from"`
		To     json.RawMessage `json:"to"`
		Create bool            `json:"create_if_not_exists"`
	}
	json.Unmarshal(raw, &req)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.kvCalls++
	cur, ok := c.kv[req.Key]
	switch req.Type {
	case "read":
		if !ok {
			return nil, maelstrom.NewRPCError(maelstrom.KeyDoesNotExist, "no key")
		}
		return json.Marshal(map[string]any{"type": "read_ok", "value": cur})
	case "cas":
		switch {
		case ok && jsonEqual(cur, req.From):
		case ok:
			return nil, maelstrom.NewRPCError(maelstrom.PreconditionFailed, "mismatch")
		case !req.Create:
			return nil, maelstrom.NewRPCError(maelstrom.KeyDoesNotExist, "no key")
		}
		c.kv[req.Key] = req.To
		return json.RawMessage(`{"type":"cas_ok"}`), nil
	}
	return nil, fmt.Errorf("bad kv request %s", raw)
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	json.Unmarshal(a, &x)
	json.Unmarshal(b, &y)
	return reflect.DeepEqual(x, y)
}

var testConfig = Config{
	MinTimeout:    20 * time.Millisecond,
	MaxTimeout:    50 * time.Millisecond,
	KVTimeout:     200 * time.Millisecond,
	AckDelay:      time.Millisecond,
	GossipDelay:   5 * time.Millisecond,
	RetryInterval: 10 * time.Millisecond,
	SendTimeout:   time.Second,
	Lease:         40 * time.Millisecond,
	MaxBatchBytes: 512,
}

func newCluster(t testing.TB, n int) *cluster {
	c := &cluster{t: t, brokers: map[string]*Broker{}, cut: map[[2]string]bool{}, kv: map[string]json.RawMessage{}}
	for i := range n {
		c.nodes = append(c.nodes, fmt.Sprintf("n%d", i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	for _, id := range c.nodes {
		tr := fakeTransport{c: c, self: id}
		c.brokers[id] = NewBroker(id, c.nodes, tr, linKV{t: tr, timeout: testConfig.KVTimeout}, testConfig)
	}
	for _, b := range c.brokers {
		b.Run(ctx)
	}
	t.Cleanup(cancel)
	// Clients start once every node holds its peers' leases.
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		fresh := true
		for _, b := range c.brokers {
			b.mu.Lock()
			fresh = fresh && b.fresh()
			b.mu.Unlock()
		}
		if fresh {
			break
		}
	}
	return c
}

func (c *cluster) dump(k string) string {
	out := ""
	for _, n := range c.nodes {
		b := c.brokers[n]
		b.mu.Lock()
		ks := b.keys[k]
		out += fmt.Sprintf("[%s epoch %d owner %s len %d exposed %d fresh %v stale %v frozen %v promised %d]",
			n, ks.epoch, ks.owner, len(ks.log), ks.exposed, b.fresh(), ks.stale, ks.frozen, ks.promised)
		b.mu.Unlock()
	}
	c.mu.Lock()
	out += fmt.Sprintf(" kv %s", c.kv[recordKey(k)])
	c.mu.Unlock()
	return out
}

func (c *cluster) counts() (kvCalls, msgs int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.kvCalls, c.msgs
}

// partition cuts (on=true) or heals every link between different nodes.
func (c *cluster) partition(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range c.nodes {
		for _, b := range c.nodes {
			if a != b {
				c.cut[[2]string{a, b}] = on
			}
		}
	}
}

func msg(i int) json.RawMessage { return json.RawMessage(strconv.Itoa(i)) }

// pollAll returns a node's exposed log of k as messages.
func (c *cluster) pollAll(node, k string) []string {
	got := c.brokers[node].Poll(context.Background(), map[string]int64{k: 0})[k]
	out := make([]string, len(got))
	for i, p := range got {
		if p[0].(int) != i {
			c.t.Fatalf("%s: offset %v at position %d", node, p[0], i)
		}
		out[i] = string(p[1].(json.RawMessage))
	}
	return out
}

func TestSingleNode(t *testing.T) {
	c := newCluster(t, 1)
	b := c.brokers["n0"]
	ctx := context.Background()
	for i := range 5 {
		off, err := b.Send(ctx, "a", msg(10+i))
		if err != nil || off != i {
			t.Fatalf("send %d: offset %d, %v", i, off, err)
		}
	}
	got := b.Poll(ctx, map[string]int64{"a": 3, "b": 0})
	if len(got) != 1 || len(got["a"]) != 2 || got["a"][0][0] != 3 {
		t.Fatalf("poll %v", got)
	}
	b.Commit(map[string]int64{"a": 2})
	b.Commit(map[string]int64{"a": 1}) // never goes back
	if got := b.Committed([]string{"a", "b"}); !reflect.DeepEqual(got, map[string]int64{"a": 2}) {
		t.Fatalf("committed %v", got)
	}
	if kv, msgs := c.counts(); kv != 0 || msgs != 0 {
		t.Fatalf("a single node used the network: %d kv calls, %d messages", kv, msgs)
	}
}

func TestTwoNodesReplicate(t *testing.T) {
	c := newCluster(t, 2)
	ctx := context.Background()
	var offsets []int
	for i := range 20 {
		node := c.nodes[i%2]
		off, err := c.brokers[node].Send(ctx, "k", msg(i))
		if err != nil {
			t.Fatalf("send %d on %s: %v", i, node, err)
		}
		offsets = append(offsets, off)
		// Acknowledged means visible on every node at once.
		for _, n := range c.nodes {
			if got := c.pollAll(n, "k"); len(got) <= off || got[off] != string(msg(i)) {
				t.Fatalf("after send %d (offset %d), %s polls %v", i, off, n, got)
			}
		}
	}
	for i, o := range offsets {
		if o != i {
			t.Fatalf("offsets %v, want 0..19", offsets)
		}
	}
	if kv, _ := c.counts(); kv != 0 {
		t.Fatalf("lin-kv used without a partition: %d calls", kv)
	}
	// Consumer offsets reach the other node.
	c.brokers["n0"].Commit(map[string]int64{"k": 7})
	waitFor(t, func() bool { return c.brokers["n1"].Committed([]string{"k"})["k"] == 7 })
}

// TestIdle: the replication loops wake only for work and lease renewals
// (a loop that spins on an overdue acknowledgement or offset would not be
// noticed by the other tests).
func TestIdle(t *testing.T) {
	c := newCluster(t, 2)
	if _, err := c.brokers["n0"].Send(context.Background(), "k", msg(1)); err != nil {
		t.Fatal(err)
	}
	before := c.brokers["n0"].loops.Load() + c.brokers["n1"].loops.Load()
	// Offsets to gossip every 10 ms for 200 ms; leases of 40 ms renew every
	// 20 ms or so.
	for i := range 20 {
		c.brokers["n1"].Commit(map[string]int64{"k": int64(i)})
		time.Sleep(10 * time.Millisecond)
	}
	if n := c.brokers["n0"].loops.Load() + c.brokers["n1"].loops.Load() - before; n > 200 {
		t.Fatalf("%d replication loop iterations in 200 ms", n)
	}
	waitFor(t, func() bool { return c.brokers["n0"].Committed([]string{"k"})["k"] == 19 })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not reached")
}

// TestPartitionTakeover: cut off from a key's owner, a node takes the key
// over through lin-kv; the old owner's next send finds out; polls on both
// sides see every acknowledged send; after healing both logs agree.
func TestPartitionTakeover(t *testing.T) {
	c := newCluster(t, 2)
	ctx := context.Background()
	owner := homeOwner("k", c.nodes)
	other := c.nodes[0]
	if other == owner {
		other = c.nodes[1]
	}
	acked := map[string]int{}
	send := func(node string, i int) {
		off, err := c.brokers[node].Send(ctx, "k", msg(i))
		if err == nil {
			acked[string(msg(i))] = off
		}
	}
	send(owner, 0)
	send(other, 1)
	c.partition(true)
	for i := 2; i < 12; i++ {
		send([]string{owner, other}[i%2], i)
		for _, n := range c.nodes {
			got := c.pollAll(n, "k")
			for m, off := range acked {
				if off >= len(got) || got[off] != m {
					t.Fatalf("during the partition %s polls %v, missing %s at %d", n, got, m, off)
				}
			}
		}
	}
	if len(acked) < 8 {
		t.Fatalf("only %d of 12 sends acknowledged across a partition", len(acked))
	}
	c.partition(false)
	send(owner, 20)
	send(other, 21)
	waitFor(t, func() bool {
		a, b := c.pollAll(c.nodes[0], "k"), c.pollAll(c.nodes[1], "k")
		return reflect.DeepEqual(a, b) && len(a) >= len(acked)
	})
	final := c.pollAll(c.nodes[0], "k")
	seen := map[string]bool{}
	for _, m := range final {
		if seen[m] {
			t.Fatalf("duplicate %s in %v", m, final)
		}
		seen[m] = true
	}
	for m, off := range acked {
		if final[off] != m {
			t.Fatalf("acknowledged %s at %d, log %v", m, off, final)
		}
	}
}

// TestRandomPartitions hammers two and three nodes with concurrent sends
// while partitions come and go, then checks the log invariants.
func TestRandomPartitions(t *testing.T) {
	for _, n := range []int{2, 3} {
		t.Run(fmt.Sprintf("%d nodes", n), func(t *testing.T) {
			c := newCluster(t, n)
			keys := []string{"a", "b", "c"}
			type ack struct {
				key, msg string
				off      int
			}
			var mu sync.Mutex
			var acks []ack
			perSender := map[int][]ack{}
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for s := range 2 * n {
				wg.Add(1)
				go func(s int) {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(s), 1))
					node := c.nodes[s%n]
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						k := keys[rng.IntN(len(keys))]
						m := fmt.Sprintf(`"%d-%d"`, s, i)
						off, err := c.brokers[node].Send(context.Background(), k, json.RawMessage(m))
						if err == nil {
							mu.Lock()
							acks = append(acks, ack{k, m, off})
							perSender[s] = append(perSender[s], ack{k, m, off})
							mu.Unlock()
						}
						if n == 2 && rng.IntN(3) == 0 {
							// Polls during the chaos must see acknowledged sends
							// (guaranteed for two nodes; with more, followers
							// expose up to the commit point they were told).
							mu.Lock()
							snapshot := append([]ack(nil), acks...)
							mu.Unlock()
							got := c.brokers[node].Poll(context.Background(), map[string]int64{"a": 0, "b": 0, "c": 0})
							for _, a := range snapshot {
								l := got[a.key]
								if a.off >= len(l) || string(l[a.off][1].(json.RawMessage)) != a.msg {
									t.Errorf("%s: acknowledged %s at %s/%d not polled (got %d); %s", node, a.msg, a.key, a.off, len(l), c.dump(a.key))
									return
								}
							}
						}
					}
				}(s)
			}
			rng := rand.New(rand.NewPCG(42, uint64(n)))
			for range 8 {
				time.Sleep(time.Duration(20+rng.IntN(60)) * time.Millisecond)
				c.partition(true)
				time.Sleep(time.Duration(20+rng.IntN(100)) * time.Millisecond)
				c.partition(false)
			}
			close(stop)
			wg.Wait()
			// After healing every node converges on the same logs.
			converged := func() bool {
				for _, k := range keys {
					for _, node := range c.nodes[1:] {
						if !reflect.DeepEqual(c.pollAll(node, k), c.pollAll(c.nodes[0], k)) {
							return false
						}
					}
				}
				return true
			}
			for deadline := time.Now().Add(2 * time.Second); !converged(); time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					for _, k := range keys {
						t.Log(c.dump(k))
					}
					t.Fatal("no convergence after healing")
				}
			}
			logs := map[string][]string{}
			for _, k := range keys {
				logs[k] = c.pollAll(c.nodes[0], k)
				seen := map[string]bool{}
				for _, m := range logs[k] {
					if seen[m] {
						t.Fatalf("key %s: duplicate %s", k, m)
					}
					seen[m] = true
				}
			}
			for _, a := range acks {
				if l := logs[a.key]; a.off >= len(l) || l[a.off] != a.msg {
					t.Fatalf("acknowledged %s at %s/%d lost", a.msg, a.key, a.off)
				}
			}
			// A sender's offsets per key only go up.
			for s, as := range perSender {
				last := map[string]int{}
				for _, a := range as {
					if o, ok := last[a.key]; ok && a.off <= o {
						t.Fatalf("sender %d: key %s offset %d after %d", s, a.key, a.off, o)
					}
					last[a.key] = a.off
				}
			}
			if len(acks) < 50 {
				t.Fatalf("only %d sends acknowledged", len(acks))
			}
			kv, msgs := c.counts()
			t.Logf("%d acknowledged sends, %d kv calls, %d peer messages", len(acks), kv, msgs)
		})
	}
}

// TestBatchCap: a peer message never carries more than MaxBatchBytes of
// entries (plus one oversized message alone).
func TestBatchCap(t *testing.T) {
	b := NewBroker("n0", []string{"n0", "n1"}, nil, nil, testConfig)
	big := json.RawMessage(`"` + string(make([]byte, 0)) + fmt.Sprintf("%0100d", 0) + `"`)
	for i := range 50 {
		k := strconv.Itoa(i)
		ks := b.key(k)
		if ks.owner != "n0" {
			continue
		}
		for range 3 {
			ks.log = append(ks.log, Entry{Msg: big})
		}
	}
	l := b.links["n1"]
	total := 0
	for {
		s, _ := b.batch(l)
		if len(s.Items) == 0 {
			break
		}
		n := 0
		for _, it := range s.Items {
			n += b.entriesBytes(it.Log)
			total += len(it.Log)
		}
		if n > testConfig.MaxBatchBytes {
			t.Fatalf("batch of %d bytes", n)
		}
	}
	want := 0
	for _, ks := range b.keys {
		want += len(ks.log)
	}
	if total != want || want == 0 {
		t.Fatalf("batched %d of %d entries", total, want)
	}
}
