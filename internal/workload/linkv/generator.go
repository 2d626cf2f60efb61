package linkv

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"time"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/workload"
)

// processLimit is gen/process-limit's bound in
// jepsen.tests.linearizable-register: at most 20 processes per key.
const processLimit = 20

// Generator is jepsen.tests.linearizable-register's generator as lin_kv.clj
// builds it (Jepsen 0.3.7):
//
//	(independent/concurrent-generator (* 2 n) (range)
//	  (fn [k] (gen/process-limit 20
//	            (gen/reserve n r (gen/mix [w cas cas])))))
//
// Threads form groups of 2N consecutive threads (N nodes); each group works
// on one key at a time, keys 0, 1, 2, ... handed out in the order groups
// ask for them. Within a key, gen/reserve gives reads to threads 0..N-1 and
// writes or cas (1:2) to every other thread; its ranges are absolute thread
// numbers, so only the first group ever reads (a Jepsen quirk Maelstrom
// has). Writes take a value uniform in 0..4, cas a from and a to uniform in
// 0..4. A key is done once more than 20 distinct processes have run on its
// group's threads while it was current: it starts with the group's 2N and
// gains one with every info completion (which moves its thread to a new
// process); the group then takes the next unused key.
//
// The runner chooses which free thread gets the next op (Jepsen's thread
// cursor), where concurrent-generator first picks a group at random; the
// ops each thread gets are the same, only their share between threads can
// differ.
type Generator struct {
	nodes       int
	concurrency int
	processes   []int      // each thread's current process
	groups      []keyGroup // one per 2N threads
	nextKey     int64
}

// keyGroup is one group's current key and the processes seen on it.
type keyGroup struct {
	key  int64
	seen map[int]bool
}

// NewGenerator builds the generator for the test parameters. Parameters
// that ThreadError rejects give a generator that never emits an op.
func NewGenerator(p *workload.Params) *Generator {
	g := &Generator{nodes: len(p.Nodes), concurrency: p.Concurrency}
	if g.nodes == 0 || ThreadError(p.Concurrency, g.nodes) != nil {
		return g
	}
	g.processes = make([]int, p.Concurrency)
	for t := range g.processes {
		g.processes[t] = t
	}
	g.groups = make([]keyGroup, p.Concurrency/groupSize(g.nodes))
	for i := range g.groups {
		g.groups[i] = keyGroup{key: int64(i)}
	}
	g.nextKey = int64(len(g.groups))
	return g
}

func groupSize(nodes int) int { return 2 * nodes }

// Next returns thread's next operation on its group's current key, moving
// the group to a fresh key first if the current one has reached the
// process limit.
func (g *Generator) Next(thread int, _ time.Duration, rng *rand.Rand) (workload.Op, bool) {
	if thread < 0 || thread >= len(g.processes) {
		return workload.Op{}, false
	}
	group := &g.groups[thread/groupSize(g.nodes)]
	if !g.admit(group, thread) {
		*group = keyGroup{key: g.nextKey}
		g.nextKey++
		if !g.admit(group, thread) {
			return workload.Op{}, false // unreachable once ThreadError passed
		}
	}
	key := num(group.key)
	if thread < g.nodes {
		return workload.Op{F: "read", Value: []any{key, nil}}, true
	}
	if rng.IntN(3) == 0 {
		return workload.Op{F: "write", Value: []any{key, num(rng.Int64N(5))}}, true
	}
	return workload.Op{F: "cas", Value: []any{key, []any{num(rng.Int64N(5)), num(rng.Int64N(5))}}}, true
}

// admit is gen/process-limit: it adds the processes now running on the
// group's threads to those seen on its key and reports whether they are
// still within the limit. thread only locates the group.
func (g *Generator) admit(group *keyGroup, thread int) bool {
	size := groupSize(g.nodes)
	first := thread / size * size
	seen := make(map[int]bool, len(group.seen)+size)
	for p := range group.seen {
		seen[p] = true
	}
	for t := first; t < first+size; t++ {
		seen[g.processes[t]] = true
	}
	if len(seen) > processLimit {
		return false
	}
	group.seen = seen
	return true
}

// Update follows each thread's process: an info completion moves its thread
// on to a new process, as the runner's worker does.
func (g *Generator) Update(op history.Op) {
	if op.Type != history.Info || op.Process < 0 || len(g.processes) == 0 {
		return
	}
	g.processes[op.Process%g.concurrency] = op.Process + g.concurrency
}

func num(i int64) json.Number { return json.Number(strconv.FormatInt(i, 10)) }
