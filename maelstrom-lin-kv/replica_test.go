package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"testing"

	"go.etcd.io/raft/v3"
)

func TestMain(m *testing.M) {
	raft.SetLogger(&raft.DefaultLogger{Logger: log.New(io.Discard, "", 0)}) // elections are noisy
	os.Exit(m.Run())
}

// cluster is three replicas on an in-memory network that delivers every
// message in order unless a partition cuts its link.
type cluster struct {
	t        *testing.T
	names    []string
	replicas map[string]*Replica
	queue    []envelope
	cut      map[[2]string]bool // links that drop messages
}

type envelope struct {
	from, to string
	msg      []byte
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	c := &cluster{t: t, names: []string{"n0", "n1", "n2"}, replicas: map[string]*Replica{}, cut: map[[2]string]bool{}}
	for _, name := range c.names {
		r, err := NewReplica(name, c.names, func(to string, msg []byte) {
			c.queue = append(c.queue, envelope{name, to, msg})
		})
		if err != nil {
			t.Fatal(err)
		}
		c.replicas[name] = r
	}
	return c
}

// deliver hands over every queued message, and those they cause.
func (c *cluster) deliver() {
	for len(c.queue) > 0 {
		e := c.queue[0]
		c.queue = c.queue[1:]
		if c.cut[[2]string{e.from, e.to}] {
			continue
		}
		if err := c.replicas[e.to].Receive(e.msg); err != nil {
			c.t.Fatalf("%s -> %s: %v", e.from, e.to, err)
		}
	}
}

// tick advances every replica's clock n ticks, delivering as it goes.
func (c *cluster) tick(n int) {
	for range n {
		for _, name := range c.names {
			c.replicas[name].Tick()
		}
		c.deliver()
	}
}

// isolate cuts node off from the others, both ways; heal joins everyone.
func (c *cluster) isolate(node string) {
	for _, other := range c.names {
		if other != node {
			c.cut[[2]string{node, other}] = true
			c.cut[[2]string{other, node}] = true
		}
	}
}

func (c *cluster) heal() { c.cut = map[[2]string]bool{} }

// leader ticks until exactly one replica among candidates leads, and
// returns it.
func (c *cluster) leader(candidates ...string) string {
	c.t.Helper()
	if len(candidates) == 0 {
		candidates = c.names
	}
	for range 200 {
		var leaders []string
		for _, name := range candidates {
			if c.replicas[name].rn.BasicStatus().RaftState == raft.StateLeader {
				leaders = append(leaders, name)
			}
		}
		if len(leaders) == 1 {
			return leaders[0]
		}
		c.tick(1)
	}
	c.t.Fatalf("no single leader among %v", candidates)
	return ""
}

// replies collects the replies to one request.
type replies []Body

func (r *replies) reply(b Body) { *r = append(*r, b) }

// call runs a request on node and delivers until it settles.
func (c *cluster) call(node string, op string, args ...string) replies {
	c.t.Helper()
	var got replies
	raw := make([]json.RawMessage, len(args))
	for i, a := range args {
		raw[i] = json.RawMessage(a)
	}
	r := c.replicas[node]
	switch op {
	case "read":
		r.Read(raw[0], got.reply)
	case "write":
		r.Write(raw[0], raw[1], got.reply)
	case "cas":
		r.CAS(raw[0], raw[1], raw[2], got.reply)
	}
	c.deliver()
	return got
}

// describe renders a reply as "read_ok 3", "write_ok" or "error 22".
func describe(rs replies) string {
	if len(rs) != 1 {
		return fmt.Sprintf("%d replies %v", len(rs), rs)
	}
	b := rs[0]
	switch b["type"] {
	case "read_ok":
		return fmt.Sprintf("read_ok %s", b["value"])
	case "error":
		return fmt.Sprintf("error %d", b["code"])
	}
	return fmt.Sprint(b["type"])
}

func others(names []string, not string) []string {
	var out []string
	for _, n := range names {
		if n != not {
			out = append(out, n)
		}
	}
	return out
}

// TestReplicaKeyValue: requests at any replica go through the leader and
// see each other, with Maelstrom's error codes.
func TestReplicaKeyValue(t *testing.T) {
	c := newCluster(t)
	leader := c.leader()
	follower := others(c.names, leader)[0]
	steps := []struct {
		node, op string
		args     []string
		want     string
	}{
		{follower, "read", []string{"1"}, "error 20"},
		{follower, "cas", []string{"1", "0", "2"}, "error 20"},
		{follower, "write", []string{"1", "5"}, "write_ok"},
		{leader, "read", []string{"1"}, "read_ok 5"},
		{leader, "cas", []string{"1", "4", "6"}, "error 22"},
		{follower, "cas", []string{"1", "5", "6"}, "cas_ok"},
		{follower, "read", []string{"1"}, "read_ok 6"},
		{leader, "read", []string{"1"}, "read_ok 6"},
		{leader, "write", []string{`"k"`, `{"b":1,"a":[1.0]}`}, "write_ok"},
		{follower, "cas", []string{`"k"`, `{"a":[1.0],"b":1}`, "null"}, "cas_ok"},
		{follower, "read", []string{`"k"`}, "read_ok null"},
		{follower, "cas", []string{"12345678901234567890123", "1", "2"}, "error 20"},
		{follower, "write", []string{"12345678901234567890123", "98765432109876543210"}, "write_ok"},
		{leader, "read", []string{"12345678901234567890123"}, "read_ok 98765432109876543210"},
		{leader, "cas", []string{"7", "1", "2"}, "error 20"},
	}
	for _, s := range steps {
		if got := describe(c.call(s.node, s.op, s.args...)); got != s.want {
			t.Fatalf("%s %s %v: %s, want %s", s.node, s.op, s.args, got, s.want)
		}
	}
	for _, name := range c.names {
		if p := c.replicas[name].Pending(); p != 0 {
			t.Errorf("%s still has %d requests pending", name, p)
		}
	}
}

// TestReplicaWithoutLeader: before any election a request is refused at
// once with temporarily-unavailable, a definite error.
func TestReplicaWithoutLeader(t *testing.T) {
	var sent int
	r, err := NewReplica("n1", []string{"n0", "n1", "n2"}, func(string, []byte) { sent++ })
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range []func(func(Body)){
		func(reply func(Body)) { r.Read(json.RawMessage("1"), reply) },
		func(reply func(Body)) { r.Write(json.RawMessage("1"), json.RawMessage("2"), reply) },
		func(reply func(Body)) { r.CAS(json.RawMessage("1"), json.RawMessage("2"), json.RawMessage("3"), reply) },
	} {
		var got replies
		op(got.reply)
		if describe(got) != "error 11" {
			t.Errorf("got %s, want error 11", describe(got))
		}
	}
	if _, err := NewReplica("n9", []string{"n0", "n1"}, nil); err == nil {
		t.Error("a node missing from the node list started")
	}
}

// TestReplicaPartition: a leader cut off from the majority never serves a
// read, so no stale value escapes it, while the majority elects a new
// leader and goes on; after healing, the old leader reads the new value.
func TestReplicaPartition(t *testing.T) {
	c := newCluster(t)
	old := c.leader()
	if got := describe(c.call(old, "write", "1", "1")); got != "write_ok" {
		t.Fatalf("write: %s", got)
	}
	c.isolate(old)
	majority := others(c.names, old)
	newLeader := c.leader(majority...)
	if got := describe(c.call(newLeader, "write", "1", "2")); got != "write_ok" {
		t.Fatalf("write on the majority's leader: %s", got)
	}
	if got := describe(c.call(majority[0], "read", "1")); got != "read_ok 2" {
		t.Fatalf("read on the majority: %s", got)
	}

	// The old leader is asked before it notices it lost the majority (no
	// tick has passed for it since), and again after.
	var stale replies
	c.replicas[old].Read(json.RawMessage("1"), stale.reply)
	c.deliver()
	c.tick(3 * electionTicks)
	c.replicas[old].Read(json.RawMessage("1"), stale.reply)
	c.deliver()
	for _, b := range stale {
		if b["type"] == "read_ok" {
			t.Fatalf("the deposed leader served a read: %v", b)
		}
	}
	if st := c.replicas[old].rn.BasicStatus().RaftState; st == raft.StateLeader {
		t.Errorf("the isolated leader still thinks it leads")
	}
	// Nor can it write.
	var write replies
	c.replicas[old].Write(json.RawMessage("1"), json.RawMessage("3"), write.reply)
	c.deliver()
	if len(write) == 1 && write[0]["type"] == "write_ok" {
		t.Fatalf("the isolated node acknowledged a write")
	}

	c.heal()
	c.leader()
	c.tick(2 * electionTicks)
	if got := describe(c.call(old, "read", "1")); got != "read_ok 2" {
		t.Fatalf("read on the old leader after healing: %s", got)
	}
	// Unsettled requests are forgotten after requestTicks, unanswered.
	c.tick(requestTicks + 1)
	if p := c.replicas[old].Pending(); p != 0 {
		t.Errorf("%d requests still pending", p)
	}
}

func TestStore(t *testing.T) {
	s := NewStore()
	steps := []struct {
		c    Command
		want string
	}{
		{Command{Op: "cas", Key: json.RawMessage("0"), From: json.RawMessage("1"), To: json.RawMessage("2")}, "error"},
		{Command{Op: "write", Key: json.RawMessage("0"), Value: json.RawMessage("1")}, "write_ok"},
		{Command{Op: "cas", Key: json.RawMessage("0"), From: json.RawMessage("1.0"), To: json.RawMessage("2")}, "error"},
		{Command{Op: "cas", Key: json.RawMessage("0"), From: json.RawMessage("1"), To: json.RawMessage("2")}, "cas_ok"},
		{Command{Op: "append", Key: json.RawMessage("0")}, "error"},
		{Command{Op: "write", Key: json.RawMessage("{"), Value: json.RawMessage("1")}, "error"},
	}
	for i, st := range steps {
		if got := s.Apply(st.c); got["type"] != st.want {
			t.Errorf("step %d: %v, want %s", i, got, st.want)
		}
	}
	if got := s.Read(json.RawMessage("0")); string(got["value"].(json.RawMessage)) != "2" {
		t.Errorf("read %v", got)
	}
}
