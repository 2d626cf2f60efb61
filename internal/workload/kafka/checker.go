package kafka

import (
	"fmt"
	"sort"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
)

// The checker is Jepsen's queue analysis (jepsen.tests.kafka/checker, Jepsen
// 0.3.7) as Maelstrom configures it: subscriptions via assign only, no
// transactions, no write-write inference. Every error type it can report is
// computed by the same rules and reported under the same name:
//
//	inconsistent-offsets  an offset of a key holds two or more messages
//	duplicate             a message sits at more than one offset of a key
//	lost-write            a message below the highest one any ok poll saw was never polled
//	G1a                   an ok poll saw a message whose send failed
//	int-poll-skip         one poll skipped over known messages of a key
//	int-nonmonotonic-poll one poll's messages of a key did not strictly advance
//	poll-skip             a process's next poll of a key skipped known messages
//	nonmonotonic-poll     a process's next poll of a key went back or repeated
//	nonmonotonic-send     a process's sends to a key went back or repeated
//	int-send-skip, int-nonmonotonic-send, precommitted-read
//	                      transactional checks (never fire with single-mop ops)
//	unseen                acknowledged sends no ok poll returned by the end
//	G1c-realtime, strong-PL-2-cycle-exists, ... (cycles.go)
//	empty-transaction-graph  no send/poll dependencies at all
//
// Allowed (they never invalidate): int-send-skip, G0, G0-process,
// G0-realtime, PL-1-cycle-exists, strong-PL-1-cycle-exists.
//
// Where Jepsen throws (a polled message that no send wrote; a key whose ok
// polls all returned empty lists, see lostWrites), the checker reports the
// error and an unknown verdict, as Jepsen's check-safe does.

// allowedErrorTypes is allowed-error-types for :sub-via #{:assign} without
// :ww-deps.
var allowedErrorTypes = map[string]bool{
	"int-send-skip": true, "G0": true, "G0-process": true, "G0-realtime": true,
	"PL-1-cycle-exists": true, "strong-PL-1-cycle-exists": true,
}

// checkerError is what makes Jepsen's analysis throw.
type checkerError struct{ msg string }

func (e *checkerError) Error() string { return e.msg }

// Check judges a kafka history.
func Check(h history.History) checker.Result {
	a, err := analyse(h)
	if err != nil {
		return checker.Result{
			Valid:   checker.Unknown,
			Figures: map[string]any{"error": err.Error()},
		}
	}
	return a.result()
}

// analysis holds the intermediate structures of Jepsen's analysis.
type analysis struct {
	ops     []*parsedOp       // client ops, history order
	byIndex map[int]*parsedOp // by history index
	invoke  map[int]*parsedOp // completion index -> its invocation
	d       display

	okReads      map[string]map[string]bool // reads-by-type :ok
	failedWrites map[string]map[string]bool // writes-by-type :fail
	writerOf     map[string]map[string]*parsedOp
	readersOf    map[string]map[string][]*parsedOp
	vo           map[string]*versionOrder

	errors map[string]any // error type -> seq of error maps (or a map for unseen)
	lag    map[string]any // worst-realtime-lag
	causes []any          // info-txn-causes
}

func analyse(h history.History) (*analysis, error) {
	a := &analysis{
		byIndex: map[int]*parsedOp{},
		invoke:  map[int]*parsedOp{},
		d:       display{},
		errors:  map[string]any{},
	}
	open := map[int]*parsedOp{}
	for _, op := range h {
		if !op.IsClient() {
			continue
		}
		p := parseOp(op, a.d)
		pp := &p
		a.ops = append(a.ops, pp)
		a.byIndex[op.Index] = pp
		if op.Type == history.Invoke {
			open[op.Process] = pp
		} else if inv, ok := open[op.Process]; ok {
			a.invoke[op.Index] = inv
			delete(open, op.Process)
		}
	}
	a.readsAndWrites()
	a.versionOrders()
	if err := a.lostWrites(); err != nil {
		return nil, err
	}
	if err := a.cycles(); err != nil {
		return nil, err
	}
	a.g1a()
	a.intPollSkipNonmonotonic()
	a.intSendSkipNonmonotonic()
	a.pollSkipNonmonotonic()
	a.nonmonotonicSends()
	a.duplicates()
	a.precommittedReads()
	a.unseen()
	a.realtimeLag()
	a.infoTxnCauses()
	return a, nil
}

func (a *analysis) add(typ string, err map[string]any) {
	list, _ := a.errors[typ].([]map[string]any)
	a.errors[typ] = append(list, err)
}

func addTo(m map[string]map[string]bool, k, v string) {
	s := m[k]
	if s == nil {
		s = map[string]bool{}
		m[k] = s
	}
	s[v] = true
}

// readsAndWrites builds reads-by-type :ok, writes-by-type :fail, writer-of
// and readers-of (all over completions).
func (a *analysis) readsAndWrites() {
	a.okReads = map[string]map[string]bool{}
	a.failedWrites = map[string]map[string]bool{}
	a.writerOf = map[string]map[string]*parsedOp{}
	a.readersOf = map[string]map[string][]*parsedOp{}
	for _, p := range a.ops {
		if p.op.Type == history.Invoke {
			continue
		}
		for k, vs := range p.opWrites() {
			if p.op.Type == history.Fail {
				for _, v := range vs {
					addTo(a.failedWrites, k, v)
				}
			}
			w := a.writerOf[k]
			if w == nil {
				w = map[string]*parsedOp{}
				a.writerOf[k] = w
			}
			for _, v := range vs {
				w[v] = p // the last writer wins, as Jepsen's assoc!
			}
		}
		if !p.isPollish() {
			continue
		}
		for _, kp := range p.reads {
			if p.op.Type == history.OK {
				if a.okReads[kp.key] == nil {
					a.okReads[kp.key] = map[string]bool{}
				}
				for _, pr := range kp.pairs {
					a.okReads[kp.key][pr.val] = true
				}
			}
			r := a.readersOf[kp.key]
			if r == nil {
				r = map[string][]*parsedOp{}
				a.readersOf[kp.key] = r
			}
			for _, pr := range kp.pairs {
				r[pr.val] = append(r[pr.val], p)
			}
		}
	}
}

// mustHaveCommitted: the send was ok, or info and one of its messages was
// seen by an ok poll.
func (a *analysis) mustHaveCommitted(p *parsedOp) bool {
	switch p.op.Type {
	case history.OK:
		return true
	case history.Info:
		for k, vs := range p.opWrites() {
			for _, v := range vs {
				if a.okReads[k][v] {
					return true
				}
			}
		}
	}
	return false
}

// versionOrder is one key's log as the history shows it.
type versionOrder struct {
	offsets []int64          // offsets holding at least one message, ascending
	values  [][]string       // per dense index, the messages seen there (sorted)
	byIndex []string         // per dense index, one representative message
	byValue map[string]int   // representative message -> its (last) dense index
	first   map[string]int   // any message -> dense index of its first appearance
	last    map[string]int   // any message -> dense index of its last appearance
	lastAt  map[int][]string // dense index -> messages whose last appearance it is
	raw     map[int64][]string
}

// versionOrders is Jepsen's version-orders: offsets -> messages per key, from
// ok sends (and info sends proven visible) and from polls. Offsets are made
// dense by skipping empty ones. Jepsen materialises the log as a vector from
// offset 0, so negative offsets never enter it; we do the same. Where an
// offset holds several messages Jepsen picks `first` of a hash set as its
// representative; we pick the least (a deterministic choice).
func (a *analysis) versionOrders() {
	logs := map[string]map[int64]map[string]bool{}
	put := func(k string, pr pair) {
		if !pr.hasOffset || pr.offset < 0 {
			return
		}
		l := logs[k]
		if l == nil {
			l = map[int64]map[string]bool{}
			logs[k] = l
		}
		if l[pr.offset] == nil {
			l[pr.offset] = map[string]bool{}
		}
		l[pr.offset][pr.val] = true
	}
	for _, p := range a.ops {
		switch p.op.F {
		case "poll", "send", "txn":
		default:
			continue
		}
		if a.mustHaveCommitted(p) {
			for _, w := range p.writes {
				for _, pr := range w.pairs {
					put(w.key, pr)
				}
			}
		}
		if p.isPollish() {
			for _, kp := range p.reads {
				for _, pr := range kp.pairs {
					put(kp.key, pr)
				}
			}
		}
	}
	a.vo = map[string]*versionOrder{}
	keys := make([]string, 0, len(logs))
	for k := range logs {
		keys = append(keys, k)
	}
	sortKeys(keys)
	for _, k := range keys {
		l := logs[k]
		vo := &versionOrder{byValue: map[string]int{}, first: map[string]int{}, last: map[string]int{},
			lastAt: map[int][]string{}, raw: map[int64][]string{}}
		for off := range l {
			vo.offsets = append(vo.offsets, off)
		}
		sort.Slice(vo.offsets, func(i, j int) bool { return vo.offsets[i] < vo.offsets[j] })
		for i, off := range vo.offsets {
			var vs []string
			for v := range l[off] {
				vs = append(vs, v)
			}
			sortVals(vs)
			vo.values = append(vo.values, vs)
			vo.raw[off] = vs
			vo.byIndex = append(vo.byIndex, vs[0])
			vo.byValue[vs[0]] = i
			for _, v := range vs {
				if _, ok := vo.first[v]; !ok {
					vo.first[v] = i
				}
				vo.last[v] = i
			}
			if len(vs) >= 2 {
				a.add("inconsistent-offsets", map[string]any{
					"key": k, "offset": off, "index": i, "values": a.vals(vs),
				})
			}
		}
		for v, i := range vo.last {
			vo.lastAt[i] = append(vo.lastAt[i], v)
		}
		for i := range vo.lastAt {
			sortVals(vo.lastAt[i])
		}
		a.vo[k] = vo
	}
}

// vals turns canonical values back into their decoded forms.
func (a *analysis) vals(vs []string) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = a.d.of(v)
	}
	return out
}

func (a *analysis) val(v string) any { return a.d.of(v) }

// lostWrites is lost-write-cases: per key, the highest dense index any ok
// poll observed bounds what must have been observed; any message whose last
// appearance is at or below it, never polled ok, and whose send must have
// committed, is lost.
//
// QUIRK (reproduced): Jepsen then looks up the message at that bound with
// nth; for a key whose ok polls only ever returned empty lists (or only
// messages at unknown offsets) the bound is -1 and nth throws, so the whole
// check ends unknown. Nodes that omit keys with no messages never hit this.
func (a *analysis) lostWrites() error {
	keys := make([]string, 0, len(a.okReads))
	for k := range a.okReads {
		keys = append(keys, k)
	}
	sortKeys(keys)
	for _, k := range keys {
		vs := a.okReads[k]
		vo := a.vo[k]
		if vo == nil {
			vo = &versionOrder{first: map[string]int{}, lastAt: map[int][]string{}}
		}
		bound := -1
		for v := range vs {
			if i, ok := vo.first[v]; ok && i > bound {
				bound = i
			}
		}
		if bound < 0 {
			return &checkerError{fmt.Sprintf(
				"IndexOutOfBoundsException in lost-write-cases: key %q has ok polls but none observed a message at a known offset", k)}
		}
		var maxRead any
		if at := vo.lastAt[bound]; len(at) > 0 {
			if rs := a.readersOf[k][at[0]]; len(rs) > 0 {
				maxRead = rs[0].op
			}
		}
		for i := 0; i <= bound; i++ {
			for _, v := range vo.lastAt[i] {
				if vs[v] {
					continue
				}
				w := a.writerOf[k][v]
				if w == nil {
					return &checkerError{fmt.Sprintf("no-writer-of: key %q value %s", k, v)}
				}
				if !a.mustHaveCommitted(w) {
					continue
				}
				a.add("lost-write", map[string]any{
					"key": k, "value": a.val(v), "index": vo.first[v], "max-read-index": bound,
					"writer": w.op, "max-read": maxRead,
				})
			}
		}
	}
	return nil
}

// g1a: an ok poll observed a message whose send failed.
func (a *analysis) g1a() {
	for _, p := range a.ops {
		if p.op.Type != history.OK || !p.isPollish() {
			continue
		}
		for _, kp := range p.reads {
			for _, pr := range kp.pairs {
				if a.failedWrites[kp.key][pr.val] {
					var writer any
					if w := a.writerOf[kp.key][pr.val]; w != nil {
						writer = w.op
					}
					a.add("G1a", map[string]any{"key": kp.key, "value": a.val(pr.val), "writer": writer, "reader": p.op})
				}
			}
		}
	}
}

// index is a message's position in its key's version order (by-value).
func (a *analysis) index(k, v string) (int, bool) {
	vo := a.vo[k]
	if vo == nil {
		return 0, false
	}
	i, ok := vo.byValue[v]
	return i, ok
}

func (a *analysis) skipped(k string, from, to int) []any {
	out := []any{}
	for i := from + 1; i < to; i++ {
		out = append(out, a.val(a.vo[k].byIndex[i]))
	}
	return out
}

// delta is the distance between two messages' positions; 1 (no error) when
// either position is unknown, as in Jepsen.
func (a *analysis) delta(k, v1, v2 string) (d, i1, i2 int) {
	i1, ok1 := a.index(k, v1)
	i2, ok2 := a.index(k, v2)
	if !ok1 || !ok2 {
		return 1, i1, i2
	}
	return i2 - i1, i1, i2
}

// intPollSkipNonmonotonic: within one poll, consecutive messages of a key
// must be adjacent in the version order.
func (a *analysis) intPollSkipNonmonotonic() {
	for _, p := range a.ops {
		if !p.isPollish() {
			continue
		}
		for _, kp := range p.reads {
			vs := kp.vals()
			for j := 1; j < len(vs); j++ {
				// A message at an unknown position is never compared.
				d, i1, i2 := a.delta(kp.key, vs[j-1], vs[j])
				switch {
				case d > 1:
					a.add("int-poll-skip", map[string]any{"key": kp.key, "values": a.vals(vs[j-1 : j+1]),
						"delta": d, "skipped": a.skipped(kp.key, i1, i2), "op": p.op})
				case d < 1:
					a.add("int-nonmonotonic-poll", map[string]any{"key": kp.key, "values": a.vals(vs[j-1 : j+1]),
						"delta": d, "op": p.op})
				}
			}
		}
	}
}

// intSendSkipNonmonotonic: consecutive sends to a key within one op (only
// transactions have more than one).
func (a *analysis) intSendSkipNonmonotonic() {
	for _, p := range a.ops {
		if p.op.Type == history.Invoke {
			continue
		}
		ws := p.opWrites()
		keys := sortedKeys(ws)
		for _, k := range keys {
			vs := ws[k]
			for j := 1; j < len(vs); j++ {
				d, i1, i2 := a.delta(k, vs[j-1], vs[j])
				switch {
				case d > 1:
					a.add("int-send-skip", map[string]any{"key": k, "values": a.vals(vs[j-1 : j+1]),
						"delta": d, "skipped": a.skipped(k, i1, i2), "op": p.op})
				case d < 1:
					a.add("int-nonmonotonic-send", map[string]any{"key": k, "values": a.vals(vs[j-1 : j+1]),
						"delta": d, "op": p.op})
				}
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortKeys(keys)
	return keys
}

// byProcess groups client ops by process, processes in ascending order.
func (a *analysis) byProcess() [][]*parsedOp {
	groups := map[int][]*parsedOp{}
	var procs []int
	for _, p := range a.ops {
		if _, ok := groups[p.op.Process]; !ok {
			procs = append(procs, p.op.Process)
		}
		groups[p.op.Process] = append(groups[p.op.Process], p)
	}
	sort.Ints(procs)
	out := make([][]*parsedOp, len(procs))
	for i, pr := range procs {
		out[i] = groups[pr]
	}
	return out
}

// keepOnly drops tracking of keys an assign did not keep.
func keepOnly(m map[string]*parsedOp, keys []string) map[string]*parsedOp {
	keep := map[string]bool{}
	for _, k := range keys {
		keep[k] = true
	}
	out := map[string]*parsedOp{}
	for k, v := range m {
		if keep[k] {
			out[k] = v
		}
	}
	return out
}

// pollSkipNonmonotonic: per process, a poll's first message of a key must
// follow the last message of that key in the process's previous ok poll of
// it. An ok or info assign keeps tracking only of the keys it names.
func (a *analysis) pollSkipNonmonotonic() {
	for _, ops := range a.byProcess() {
		last := map[string]*parsedOp{}
		for _, p := range ops {
			switch p.op.F {
			case "assign", "subscribe":
				if p.op.Type != history.Invoke && p.op.Type != history.Fail {
					last = keepOnly(last, p.assign)
				}
			case "poll", "txn":
				for _, kp := range p.reads {
					prev, ok := last[kp.key]
					if !ok {
						continue
					}
					prevVals, _ := prev.readsOf(kp.key)
					vs := kp.vals()
					if len(prevVals) == 0 || len(vs) == 0 {
						continue // nil on either side: delta 1
					}
					v, v2 := prevVals[len(prevVals)-1], vs[0]
					d, i1, i2 := a.delta(kp.key, v, v2)
					switch {
					case d > 1:
						a.add("poll-skip", map[string]any{"key": kp.key, "delta": d,
							"skipped": a.skipped(kp.key, i1, i2), "ops": []any{prev.op, p.op}})
					case d < 1:
						a.add("nonmonotonic-poll", map[string]any{"key": kp.key, "values": []any{a.val(v), a.val(v2)},
							"delta": d, "ops": []any{prev.op, p.op}})
					}
				}
				if p.op.Type == history.OK {
					for _, kp := range p.reads {
						last[kp.key] = p
					}
				}
			}
		}
	}
}

// nonmonotonicSends: per process, ok or info sends to a key must land at
// increasing positions. Assigns keep tracking only of the keys they name.
func (a *analysis) nonmonotonicSends() {
	for _, ops := range a.byProcess() {
		last := map[string]*parsedOp{}
		for _, p := range ops {
			if p.op.Type != history.OK && p.op.Type != history.Info {
				continue
			}
			switch p.op.F {
			case "assign", "subscribe":
				last = keepOnly(last, p.assign)
			case "send", "txn":
				ws := p.opWrites()
				for _, k := range sortedKeys(ws) {
					if prev, ok := last[k]; ok {
						pw := prev.opWrites()[k]
						v, v2 := pw[len(pw)-1], ws[k][0]
						if d, _, _ := a.delta(k, v, v2); d < 1 {
							a.add("nonmonotonic-send", map[string]any{"key": k, "values": []any{a.val(v), a.val(v2)},
								"delta": d, "ops": []any{prev.op, p.op}})
						}
					}
				}
				for k := range ws {
					last[k] = p
				}
			}
		}
	}
}

// duplicates: a message at more than one offset of a key.
func (a *analysis) duplicates() {
	for _, k := range sortedKeys(a.vo) {
		vo := a.vo[k]
		counts := map[string]int{}
		var order []string
		for _, vs := range vo.values {
			for _, v := range vs {
				if counts[v] == 0 {
					order = append(order, v)
				}
				counts[v]++
			}
		}
		for _, v := range order {
			if counts[v] < 2 {
				continue
			}
			var offsets []int64
			for _, off := range vo.offsets {
				for _, x := range vo.raw[off] {
					if x == v {
						offsets = append(offsets, off)
					}
				}
			}
			a.add("duplicate", map[string]any{"key": k, "value": a.val(v), "count": counts[v], "offsets": offsets})
		}
	}
}

// precommittedReads: a transaction that polled its own send (needs txn ops,
// which Maelstrom never issues).
func (a *analysis) precommittedReads() {
	for _, p := range a.ops {
		ws := p.opWrites()
		if len(ws) == 0 || !p.isPollish() {
			continue
		}
		for _, k := range sortedKeys(ws) {
			rs, _ := p.readsOf(k)
			read := map[string]bool{}
			for _, v := range rs {
				read[v] = true
			}
			for _, v := range ws[k] {
				if read[v] {
					a.add("precommitted-read", map[string]any{"op": p.op, "key": k, "value": a.val(v)})
					break
				}
			}
		}
	}
}

// unseen is Jepsen's unseen: the messages acknowledged by ok sends that no
// ok poll returned, after the last ok send or poll. Jepsen computes it as a
// reduction over those ops, merging the sent and polled maps with set
// difference at every step; only the state after the last step is reported.
// That state is computed here directly, in one pass (the step by step form
// costs the size of everything unseen at every op):
//
//   - a key written by any ok send: its messages less every message an ok
//     poll returned (polled sets only grow, so the last step's difference
//     removes all of them, and nothing else is ever removed);
//   - a key never written that the last op polled for the first time: the
//     messages it polled (QUIRK, reproduced: at the step where a key is
//     first polled and not yet sent, the difference leaves it the polled
//     set itself; at any later step that set is gone again);
//   - any other key: nothing.
func (a *analysis) unseen() {
	written := map[string]map[string]bool{}
	polled := map[string]map[string]bool{}
	firstPolledBy := map[string]*parsedOp{}
	var last *parsedOp
	for _, p := range a.ops {
		if p.op.Type != history.OK {
			continue
		}
		switch p.op.F {
		case "poll", "send", "txn":
		default:
			continue
		}
		last = p
		for k, vs := range p.opWrites() {
			if written[k] == nil {
				written[k] = map[string]bool{}
			}
			for _, v := range vs {
				written[k][v] = true
			}
		}
		if p.isPollish() {
			for _, kp := range p.reads {
				if polled[kp.key] == nil {
					polled[kp.key] = map[string]bool{}
					firstPolledBy[kp.key] = p
				}
				for _, pr := range kp.pairs {
					polled[kp.key][pr.val] = true
				}
			}
		}
	}
	if last == nil {
		return
	}
	unseen := map[string][]string{}
	for k, vs := range written {
		for v := range vs {
			if !polled[k][v] {
				unseen[k] = append(unseen[k], v)
			}
		}
	}
	for k, vs := range polled {
		if written[k] != nil || firstPolledBy[k] != last {
			continue
		}
		for v := range vs {
			unseen[k] = append(unseen[k], v)
		}
	}
	counts := map[string]any{}
	msgs := map[string]any{}
	for k, vs := range unseen {
		counts[k] = len(vs)
		sortVals(vs)
		if len(vs) > 32 {
			vs = vs[:32]
		}
		msgs[k] = a.vals(vs)
	}
	if len(counts) > 0 {
		a.errors["unseen"] = map[string]any{"time": int64(last.op.Time), "unseen": counts, "messages": msgs}
	}
}

// realtimeLag is Jepsen's realtime-lag: for each ok poll and each key the
// process is assigned or has polled, how long the next offset after the
// highest one it has seen had been known to exist when the poll was invoked.
func (a *analysis) realtimeLag() {
	expired := map[string][]*time.Duration{}
	for _, p := range a.ops {
		for k, off := range maxOffsets(p) {
			e := expired[k]
			for i := off; i >= 0; i-- {
				if int(i) < len(e) && e[i] != nil {
					break
				}
				for int(i) >= len(e) {
					e = append(e, nil)
				}
				t := p.op.Time
				e[i] = &t
			}
			expired[k] = e
		}
	}
	type lag struct {
		time    time.Duration
		process int
		key     string
		lag     time.Duration
	}
	var worst *lag
	procOffsets := map[int]map[string]int64{}
	for _, p := range a.ops {
		if p.op.Type != history.OK {
			continue
		}
		switch p.op.F {
		case "assign":
			old := procOffsets[p.op.Process]
			n := map[string]int64{}
			for _, k := range p.assign {
				n[k] = -1
				if o, ok := old[k]; ok {
					n[k] = o
				}
			}
			procOffsets[p.op.Process] = n
		case "subscribe":
			procOffsets[p.op.Process] = map[string]int64{}
		case "poll", "txn":
			inv := a.invoke[p.op.Index]
			if inv == nil {
				continue
			}
			offs := procOffsets[p.op.Process]
			if offs == nil {
				offs = map[string]int64{}
			}
			for k, o := range maxOffsets(p) {
				if old, ok := offs[k]; !ok || o > old {
					offs[k] = o
				}
			}
			procOffsets[p.op.Process] = offs
			for _, k := range sortedKeys(offs) {
				l := time.Duration(0)
				e := expired[k]
				if i := offs[k] + 1; i >= 0 && int(i) < len(e) && e[i] != nil {
					if d := inv.op.Time - *e[i]; d > 0 {
						l = d
					}
				}
				if worst == nil || l > worst.lag {
					worst = &lag{inv.op.Time, p.op.Process, k, l}
				}
			}
		}
	}
	if worst == nil {
		a.lag = map[string]any{"time": 0.0, "lag": 0.0}
		return
	}
	a.lag = map[string]any{"time": worst.time.Seconds(), "process": worst.process, "key": worst.key, "lag": worst.lag.Seconds()}
}

// maxOffsets is op->max-offsets: per key the highest offset an ok or info op
// polled (-1 for an empty list) or sent.
func maxOffsets(p *parsedOp) map[string]int64 {
	if p.op.Type != history.OK && p.op.Type != history.Info {
		return nil
	}
	out := map[string]int64{}
	if p.isPollish() {
		for _, kp := range p.reads {
			m := int64(-1)
			for _, pr := range kp.pairs {
				if pr.hasOffset && pr.offset > m {
					m = pr.offset
				}
			}
			if o, ok := out[kp.key]; !ok || m > o {
				out[kp.key] = m
			}
		}
	}
	if p.op.F == "send" || p.op.F == "txn" {
		for _, w := range p.writes {
			for _, pr := range w.pairs {
				if !pr.hasOffset {
					continue
				}
				m := pr.offset
				if m < 0 {
					m = 0 // Jepsen: (max (get offsets k 0) offset)
				}
				if o, ok := out[w.key]; !ok || m > o {
					out[w.key] = m
				}
			}
		}
	}
	return out
}

// infoTxnCauses: the distinct errors of info sends and polls.
func (a *analysis) infoTxnCauses() {
	seen := map[string]bool{}
	a.causes = []any{}
	for _, p := range a.ops {
		if p.op.Type != history.Info {
			continue
		}
		switch p.op.F {
		case "send", "poll", "txn":
		default:
			continue
		}
		k := wire.Key(p.op.Error)
		if !seen[k] {
			seen[k] = true
			a.causes = append(a.causes, p.op.Error)
		}
	}
}

// result is the checker's verdict and figures, condensed as Jepsen's
// condense-error does.
func (a *analysis) result() checker.Result {
	types := make([]string, 0, len(a.errors))
	for t := range a.errors {
		types = append(types, t)
	}
	sort.Strings(types)
	bad := []string{}
	for _, t := range types {
		if !allowedErrorTypes[t] {
			bad = append(bad, t)
		}
	}
	figs := map[string]any{
		"error-types":        types,
		"bad-error-types":    bad,
		"info-txn-causes":    a.causes,
		"worst-realtime-lag": a.lag,
	}
	for _, t := range types {
		figs[t] = condense(t, a.errors[t])
	}
	res := checker.Result{Valid: checker.Of(len(bad) == 0), Figures: figs}
	if len(bad) > 0 {
		res.Anomalies = bad
	}
	return res
}

// condense keeps the most telling examples of each error type.
func condense(typ string, errs any) any {
	list, ok := errs.([]map[string]any)
	if !ok {
		if typ == "unseen" {
			return errs
		}
		return map[string]any{"count": 1, "errs": errs}
	}
	n := len(list)
	num := func(m map[string]any, f string) int {
		switch x := m[f].(type) {
		case int:
			return x
		case []any:
			return len(x)
		}
		return 0
	}
	sorted := func(f string) []map[string]any {
		out := append([]map[string]any(nil), list...)
		sort.SliceStable(out, func(i, j int) bool { return num(out[i], f) < num(out[j], f) })
		return out
	}
	first := func(l []map[string]any, k int) []map[string]any {
		if len(l) > k {
			return l[:k]
		}
		return l
	}
	last := func(l []map[string]any, k int) []map[string]any {
		if len(l) > k {
			return l[len(l)-k:]
		}
		return l
	}
	var kept []map[string]any
	switch typ {
	case "duplicate":
		kept = first(sorted("count"), 32)
	case "G0", "G0-process", "G0-realtime", "G1c", "G1c-process", "G1c-realtime":
		kept = first(sorted("steps"), 8)
	case "inconsistent-offsets":
		kept = first(sorted("values"), 32)
	case "int-nonmonotonic-poll", "int-nonmonotonic-send", "nonmonotonic-poll", "nonmonotonic-send":
		kept = first(sorted("delta"), 8)
	case "int-poll-skip", "int-send-skip", "poll-skip":
		kept = last(sorted("delta"), 8)
	default:
		kept = list
	}
	return map[string]any{"count": n, "errs": kept}
}
