package kafka

import (
	"encoding/json"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/workload"
)

// Generator is Maelstrom's kafka generator stack, innermost first:
//
//   - Elle's list-append txns of length 1 over key-count active integer keys
//     (default 10) with the exponential key bias; a key's appends are
//     1, 2, ..., max-writes-per-key (default 16), after which the next
//     append drawn for it retires it in favour of a fresh key;
//   - appends become send ops, reads become poll ops (about 50/50);
//   - TrackKeyOffsets records the highest offset seen per key in ok ops;
//   - InterleaveSubscribes emits, with probability 1/64, an assign of the
//     pending op's key instead of the op (which stays pending);
//   - PollUnseen widens about 1/3 of assigns with every key that has sent
//     but not yet polled offsets;
//   - gen/any with a crash generator staggered at 30/concurrency s;
//   - integer keys become decimal strings.
//
// The runner paces main-phase ops at the test rate, as Maelstrom's outer
// gen/stagger does. The crash generator has its own schedule inside that
// stagger: a crash becomes due at uniformly random gaps in
// [0, 2*30/concurrency) s (the first one at once), and once due it wins the
// next op with probability 1/2 (gen/any breaks a tie between two ops due at
// the same time at random). Next emulates that with now.
//
// The final phase is per thread: crash, assign every key ever seen with
// seek-to-beginning, then polls at gaps uniform in [0, 0.4) s until that
// thread's ok polls reach the highest offset the main phase saw for each key.
// The runner caps it at 10 s (Workload.FinalTimeLimit).
type Generator struct {
	concurrency int
	crashDt     time.Duration // 2 * 30 s / concurrency: the crash gaps' range

	// list-append state
	keys    *workload.KeyPool
	pending *workload.Op // the drawn, not yet emitted send/poll
	pendKey int

	// PollUnseen: highest offsets sent and polled, per key, while unseen.
	sent, polled map[int]int64
	// TrackKeyOffsets: the highest offset of every key in any ok op.
	maxOffsets map[int]int64

	nextCrash *time.Duration

	// final phase
	targets  map[int]int64        // maxOffsets when the final phase began
	finals   map[int]*finalThread // per thread (process mod concurrency)
	finalSet bool
}

type finalThread struct {
	step     int // 0 crash, 1 assign, 2 polls
	waiting  map[int]int64
	nextPoll *time.Duration
}

// NewGenerator builds the generator for the test parameters.
func NewGenerator(p *workload.Params) *Generator {
	kc := p.KeyCount
	if kc <= 0 {
		kc = 10
	}
	mw := p.MaxWritesPerKey
	if mw <= 0 {
		mw = 16
	}
	conc := p.Concurrency
	if conc <= 0 {
		conc = 1
	}
	g := &Generator{
		keys:        workload.NewKeyPool(kc, mw),
		concurrency: conc,
		crashDt:     time.Duration(2 * 30 * float64(time.Second) / float64(conc)),
		sent:        map[int]int64{},
		polled:      map[int]int64{},
		maxOffsets:  map[int]int64{},
		finals:      map[int]*finalThread{},
	}
	return g
}

// draw makes the next list-append txn into a send or poll op.
func (g *Generator) draw(rng *rand.Rand) {
	for {
		write := rng.IntN(2) == 1
		k := g.keys.Key(rng)
		if !write {
			g.pending = &workload.Op{F: "poll", Value: []any{[]any{"poll"}}}
			g.pendKey = int(k)
			return
		}
		v, ok := g.keys.Write(k)
		if !ok {
			continue // k was spent and retired: draw again
		}
		g.pending = &workload.Op{F: "send",
			Value: []any{[]any{"send", strconv.FormatInt(k, 10), json.Number(strconv.FormatInt(v, 10))}}}
		g.pendKey = int(k)
		return
	}
}

// Next is the next main-phase op for a free thread.
func (g *Generator) Next(_ int, now time.Duration, rng *rand.Rand) (workload.Op, bool) {
	if g.nextCrash == nil || now >= *g.nextCrash {
		if rng.IntN(2) == 0 {
			next := now + time.Duration(rng.Int64N(int64(g.crashDt)))
			g.nextCrash = &next
			return workload.Op{F: "crash"}, true
		}
	}
	if g.pending == nil {
		g.draw(rng)
	}
	widen := rng.Float64() < 1.0/3
	if rng.Float64() < 1.0/64 {
		keys := []int{g.pendKey}
		if widen && len(g.sent) > 0 {
			keys = append(sortedInts(g.sent), g.pendKey)
		}
		return workload.Op{F: "assign", Value: keyStrings(distinct(keys))}, true
	}
	op := *g.pending
	g.pending = nil
	return op, true
}

// Update follows ok completions: PollUnseen's sent/polled offsets and
// TrackKeyOffsets' maxima (main phase), and each final thread's progress.
func (g *Generator) Update(op history.Op) {
	if op.Type != history.OK {
		return
	}
	if op.Final || g.finalSet {
		if ft := g.finals[op.Process%g.concurrency]; ft != nil && op.F == "poll" {
			for k, o := range intKeyed(maxOffsets(ptrParse(op))) {
				if t, ok := ft.waiting[k]; ok && t <= o {
					delete(ft.waiting, k)
				}
			}
		}
		return
	}
	p := ptrParse(op)
	offs := intKeyed(maxOffsets(p))
	for k, o := range offs {
		if cur, ok := g.maxOffsets[k]; !ok || o > cur {
			g.maxOffsets[k] = o
		}
	}
	if op.F == "send" {
		for k, o := range offs {
			if cur, ok := g.sent[k]; !ok || o > cur {
				g.sent[k] = o
			}
		}
	}
	if op.F == "poll" {
		for k, o := range offs {
			if cur, ok := g.polled[k]; !ok || o > cur {
				g.polled[k] = o
			}
		}
	}
	// Trim keys we have caught up on.
	for _, m := range []map[int]int64{g.sent, g.polled} {
		for k := range m {
			if get(g.polled, k) >= get(g.sent, k) {
				delete(g.sent, k)
				delete(g.polled, k)
			}
		}
	}
}

// NextFinal is the final phase for one thread.
func (g *Generator) NextFinal(thread int, now time.Duration, rng *rand.Rand) (workload.Op, bool) {
	if !g.finalSet {
		g.finalSet = true
		g.targets = map[int]int64{}
		for k, o := range g.maxOffsets {
			g.targets[k] = o
		}
	}
	ft := g.finals[thread]
	if ft == nil {
		ft = &finalThread{waiting: map[int]int64{}}
		for k, o := range g.targets {
			ft.waiting[k] = o
		}
		g.finals[thread] = ft
	}
	if len(ft.waiting) == 0 {
		return workload.Op{}, false
	}
	switch ft.step {
	case 0:
		ft.step = 1
		return workload.Op{F: "crash"}, true
	case 1:
		ft.step = 2
		return workload.Op{F: "assign", Value: SeekToBeginning(keyStrings(sortedInts(g.targets)))}, true
	}
	// gen/stagger 1/5: the first poll at once, then each one a uniform
	// [0, 0.4 s) after the previous one's scheduled time (or now if later).
	at := now
	if ft.nextPoll != nil && *ft.nextPoll > now {
		at = *ft.nextPoll
	}
	next := at + time.Duration(rng.Int64N(int64(400*time.Millisecond)))
	ft.nextPoll = &next
	return workload.Op{F: "poll", Value: []any{[]any{"poll"}}, Delay: at - now}, true
}

func ptrParse(op history.Op) *parsedOp {
	p := parseOp(op, display{})
	return &p
}

// intKeyed converts string keys back to integers (StringKeys' parse-long);
// keys that are not integers are dropped.
func intKeyed(m map[string]int64) map[int]int64 {
	out := map[int]int64{}
	for k, v := range m {
		if i, err := strconv.Atoi(k); err == nil {
			out[i] = v
		}
	}
	return out
}

func get(m map[int]int64, k int) int64 {
	if v, ok := m[k]; ok {
		return v
	}
	return -1
}

func sortedInts[V any](m map[int]V) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

func distinct(ks []int) []int {
	seen := map[int]bool{}
	var out []int
	for _, k := range ks {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

func keyStrings(ks []int) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = strconv.Itoa(k)
	}
	return out
}
