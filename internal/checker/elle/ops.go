package elle

import (
	"encoding/json"
	"fmt"

	"gossip-glomers/internal/history"
)

// opLog is a history as both of Elle's analyses take it in (h/client-ops):
// every client op in history order with its micro-ops parsed, and each
// completion (ok, info or fail) as a txn. Txn ids are positions in txns;
// Elle knows an op by its history index, which is what reports show.
type opLog struct {
	entries []entry // client ops in history order, micro-ops parsed
	txns    []*txn  // completions (ok, info, fail), in history order

	byInvoke map[int]*txn // invocation's history index -> its completion
}

// entry is a client op of the history with its micro-ops.
type entry struct {
	op   history.Op
	mops []mop
	txn  *txn // set for completions
}

// load parses the history's client ops with parse. An op whose value parse
// rejects makes the history unanalysable. A completion pairs with the
// latest open invocation of its process, as jepsen.history pairs them.
func load(h history.History, parse func(value any) ([]mop, error)) (*opLog, error) {
	l := &opLog{byInvoke: map[int]*txn{}}
	open := map[int]int{} // process -> history index of its open invocation
	for _, op := range h {
		if !op.IsClient() {
			continue
		}
		ms, err := parse(op.Value)
		if err != nil {
			return nil, fmt.Errorf("op %d: %v", op.Index, err)
		}
		e := entry{op: op, mops: ms}
		if op.Type == history.Invoke {
			open[op.Process] = op.Index
		} else {
			inv, ok := open[op.Process]
			if !ok {
				inv = -1
			}
			delete(open, op.Process)
			t := &txn{id: len(l.txns), index: op.Index, invIndex: inv, process: op.Process, typ: op.Type,
				node: op.Node, mops: ms, value: op.Value}
			l.txns = append(l.txns, t)
			if inv >= 0 {
				l.byInvoke[inv] = t
			}
			e.txn = t
		}
		l.entries = append(l.entries, e)
	}
	return l, nil
}

// oks are the ok completions (h/oks).
func (l *opLog) oks() []*txn { return l.ofType(history.OK) }

// ofType lists the completions of the given types, in history order.
func (l *opLog) ofType(types ...history.Type) []*txn {
	var out []*txn
	for _, t := range l.txns {
		for _, typ := range types {
			if t.typ == typ {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

func (l *opLog) txnCounts() map[string]int {
	c := map[string]int{"ok": 0, "info": 0, "fail": 0}
	for _, t := range l.txns {
		c[string(t.typ)]++
	}
	return c
}

// lostUpdate is elle.txn/lost-update-cases, which both analyses use: two ok
// txns read the same value of a key and both wrote it. As in Elle, a txn
// counts when it writes a key it has read at any point before its first
// counted write of that key.
func (l *opLog) lostUpdate() []any {
	type kv struct{ k, v string }
	by := map[kv][]*txn{}
	var order []kv
	for _, t := range l.oks() {
		reads := map[string]string{}
		writes := map[string]bool{}
		for _, m := range t.mops {
			rv, read := reads[m.key]
			if !m.read {
				if !writes[m.key] && read {
					writes[m.key] = true
					p := kv{m.key, rv}
					if _, seen := by[p]; !seen {
						order = append(order, p)
					}
					by[p] = append(by[p], t)
				}
				continue
			}
			if !read {
				reads[m.key] = m.val
			}
		}
	}
	var cases []any
	for _, p := range order {
		if ts := by[p]; len(ts) >= 2 {
			var js []any
			for _, t := range ts {
				js = append(js, t.json())
			}
			cases = append(cases, map[string]any{"key": rawJSON(p.k), "value": rawJSON(p.v), "txns": js})
		}
	}
	return cases
}

// realtimeEdges adds Elle's realtime-graph (elle.core/realtime-graph): a
// transitive reduction of "a completed ok before b was invoked", with b any
// completed op, failed ones included.
func (l *opLog) realtimeEdges(g *digraph) {
	buffer := map[int]bool{}
	linked := map[int][]int{}
	for _, e := range l.entries {
		switch {
		case e.op.Type == history.Invoke:
			c := l.byInvoke[e.op.Index]
			if c == nil {
				continue
			}
			srcs := make([]int, 0, len(buffer))
			for b := range buffer {
				g.link(b, c.id, relRealtime)
				srcs = append(srcs, b)
			}
			linked[c.id] = srcs
		case e.op.Type == history.OK:
			for _, b := range linked[e.txn.id] {
				delete(buffer, b)
			}
			buffer[e.txn.id] = true
		}
	}
}

// processEdges adds Elle's process-graph (elle.core/process-graph): each
// process's ok ops in order.
func (l *opLog) processEdges(g *digraph) {
	last := map[int]int{}
	for _, t := range l.txns {
		if t.typ != history.OK {
			continue
		}
		if p, ok := last[t.process]; ok {
			g.link(p, t.id, relProcess)
		}
		last[t.process] = t.id
	}
}

// opJSON is how an op appears in anomaly examples.
func opJSON(op history.Op) map[string]any {
	m := map[string]any{"index": op.Index, "type": op.Type, "process": op.Process, "f": op.F, "value": op.Value}
	if op.Node != "" {
		m["node"] = op.Node
	}
	return m
}

func (t *txn) json() map[string]any {
	m := map[string]any{"index": t.index, "type": t.typ, "process": t.process, "f": "txn", "value": t.value}
	if t.node != "" {
		m["node"] = t.node
	}
	return m
}

// rawJSON turns canonical JSON text back into a value for the report.
func rawJSON(s string) json.RawMessage { return json.RawMessage(s) }

// intermediateWrites indexes, for G1b, the writes (or appends) that an op
// followed with another to the same key: key -> value -> position in
// entries. Like Elle it looks at every op, invocations included, and a later
// op wins.
func (l *opLog) intermediateWrites() map[string]map[string]int {
	im := map[string]map[string]int{}
	for i, e := range l.entries {
		final := map[string]string{}
		for _, m := range e.mops {
			if m.read {
				continue
			}
			if prev, ok := final[m.key]; ok {
				if im[m.key] == nil {
					im[m.key] = map[string]int{}
				}
				im[m.key][prev] = i
			}
			final[m.key] = m.val
		}
	}
	return im
}
