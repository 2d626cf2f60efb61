package kafka

import (
	"encoding/json"
	"math/big"
	"sort"
	"strconv"
	"unicode/utf8"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
)

// History values, in Jepsen's shapes with JSON types (keys are the decimal
// strings the client sends; numbers are json.Number):
//
//	send   invoke [["send", k, msg]]          ok [["send", k, [offset, msg]]]
//	poll   invoke [["poll"]]                  ok [["poll", {k: [[offset, msg], ...]}]]
//	assign ["0", "5", ...]                    (SeekToBeginning in the final phase)
//	crash  null

// SeekToBeginning is the value of the final phase's assign: Maelstrom's
// {:f :assign, :seek-to-beginning? true}. It marshals as the plain key list,
// so the recorded history has Jepsen's value; the type tells the client to
// rewind every key to 0 without an RPC.
type SeekToBeginning []string

// pair is one [offset, msg] element; msg is identified by its canonical JSON.
type pair struct {
	offset    int64
	hasOffset bool // false for a null or non-integer offset (Jepsen skips those)
	val       string
}

// keyPairs are the pairs one mop read or wrote for one key, in order.
type keyPairs struct {
	key   string
	pairs []pair
}

// parsedOp is a client history entry with its value decoded once.
type parsedOp struct {
	op history.Op
	// writes: the send mops' [key, value] in order; a send whose value is an
	// [offset, msg] pair carries its offset.
	writes []keyPairs
	// reads: per key the pairs of the poll mops, keys in sorted order. A key
	// with an empty or null list is present with no pairs (it matters to the
	// poll-skip bookkeeping and to the lost-write quirk).
	reads []keyPairs
	// assign: the key list of an assign op.
	assign []string
	// hasReads tells reads (possibly of nothing) from a poll with no mop result.
	hasReads bool
}

// display keeps one original decoded value per canonical form, for examples.
type display map[string]any

func (d display) of(canon string) any {
	if v, ok := d[canon]; ok {
		return v
	}
	return canon
}

// normalize turns any Go value into the shapes wire.Decode produces (maps,
// []any, json.Number, string, bool, nil), so hand-made histories, live ones
// and ones read back from disk parse the same way: it gives what a JSON
// round trip (json.Marshal, then wire.Decode) gives. The values live runs
// record (those shapes already, integers and string lists) are converted
// directly, which is most of the checker's parsing time otherwise; anything
// else takes the round trip.
func normalize(v any) any {
	if out, ok := normalizeDirect(v); ok {
		return out
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if err := wire.Decode(b, &out); err != nil {
		return v
	}
	return out
}

// normalizeDirect is normalize without the round trip, for values made of
// nil, strings, booleans, JSON numbers, integers, []any, map[string]any and
// string lists; ok is false for anything else. What it returns shares no
// map or slice with v that the round trip would have copied and changed.
func normalizeDirect(v any) (any, bool) {
	switch x := v.(type) {
	case nil, bool:
		return v, true
	case string:
		// json.Marshal writes invalid UTF-8 as U+FFFD: the round trip changes it.
		return v, utf8.ValidString(x)
	case json.Number:
		if !wire.IsNumberText(string(x)) {
			return nil, false // the round trip fails on it (or writes 0), and keeps v whole
		}
		return wire.Canonical(x), true
	case int:
		return json.Number(strconv.FormatInt(int64(x), 10)), true
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), true
	case int32:
		return json.Number(strconv.FormatInt(int64(x), 10)), true
	case uint64:
		return json.Number(strconv.FormatUint(x, 10)), true
	case []string:
		return stringsToAny(x)
	case SeekToBeginning:
		return stringsToAny(x)
	case []any:
		if x == nil {
			return nil, true // null
		}
		out := make([]any, len(x))
		for i, e := range x {
			n, ok := normalizeDirect(e)
			if !ok {
				return nil, false
			}
			out[i] = n
		}
		return out, true
	case map[string]any:
		if x == nil {
			return nil, true
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			n, ok := normalizeDirect(e)
			if !ok || !utf8.ValidString(k) {
				return nil, false
			}
			out[k] = n
		}
		return out, true
	}
	return nil, false
}

func stringsToAny(ss []string) (any, bool) {
	if ss == nil {
		return nil, true
	}
	out := make([]any, len(ss))
	for i, s := range ss {
		if !utf8.ValidString(s) {
			return nil, false
		}
		out[i] = s
	}
	return out, true
}

// keyString is a key's identity: keys are strings on the wire; anything else
// (only in odd hand-made histories) is identified by its JSON.
func keyString(k any) string {
	if s, ok := k.(string); ok {
		return s
	}
	return wire.Key(k)
}

func offsetOf(v any) (int64, bool) {
	return wire.Int(v)
}

// parseOp decodes op's value by its f.
func parseOp(op history.Op, d display) parsedOp {
	p := parsedOp{op: op}
	v := normalize(op.Value)
	switch op.F {
	case "assign", "subscribe":
		if ks, ok := v.([]any); ok {
			for _, k := range ks {
				p.assign = append(p.assign, keyString(k))
			}
		}
	case "send", "poll", "txn":
		mops, _ := v.([]any)
		reads := map[string][]pair{}
		for _, m := range mops {
			mop, ok := m.([]any)
			if !ok || len(mop) == 0 {
				continue
			}
			switch mop[0] {
			case "send":
				if op.F == "poll" || len(mop) < 3 {
					continue
				}
				k := keyString(mop[1])
				var pr pair
				if pv, ok := mop[2].([]any); ok && len(pv) >= 2 {
					// An [offset, msg] pair (Jepsen: (vector? v)).
					pr.offset, pr.hasOffset = offsetOf(pv[0])
					pr.val = canon(pv[1], d)
				} else {
					pr.val = canon(mop[2], d)
				}
				p.writes = append(p.writes, keyPairs{key: k, pairs: []pair{pr}})
			case "poll":
				if op.F == "send" || len(mop) < 2 {
					continue
				}
				p.hasReads = true
				msgs, _ := mop[1].(map[string]any)
				for k, list := range msgs {
					prs := reads[k]
					if prs == nil {
						prs = []pair{}
					}
					l, _ := list.([]any)
					for _, e := range l {
						pe, ok := e.([]any)
						if !ok || len(pe) < 2 {
							continue
						}
						var pr pair
						pr.offset, pr.hasOffset = offsetOf(pe[0])
						pr.val = canon(pe[1], d)
						prs = append(prs, pr)
					}
					reads[k] = prs
				}
			}
		}
		keys := make([]string, 0, len(reads))
		for k := range reads {
			keys = append(keys, k)
		}
		sortKeys(keys)
		for _, k := range keys {
			p.reads = append(p.reads, keyPairs{key: k, pairs: reads[k]})
		}
	}
	return p
}

func canon(v any, d display) string {
	c := wire.Key(v)
	if _, ok := d[c]; !ok {
		d[c] = v
	}
	return c
}

// opWrites is Jepsen's op-writes: key -> values sent, for send/txn ops.
func (p *parsedOp) opWrites() map[string][]string {
	if p.op.F != "send" && p.op.F != "txn" {
		return nil
	}
	out := map[string][]string{}
	for _, w := range p.writes {
		for _, pr := range w.pairs {
			out[w.key] = append(out[w.key], pr.val)
		}
	}
	return out
}

// readVals is one key's values read by the op, in order.
func (kp keyPairs) vals() []string {
	out := make([]string, len(kp.pairs))
	for i, pr := range kp.pairs {
		out[i] = pr.val
	}
	return out
}

// isPollish reports whether Jepsen's op-reads applies (f poll or txn).
func (p *parsedOp) isPollish() bool { return p.op.F == "poll" || p.op.F == "txn" }

// readsOf returns the op's reads of key k, and whether it read k at all.
func (p *parsedOp) readsOf(k string) ([]string, bool) {
	if !p.isPollish() {
		return nil, false
	}
	for _, kp := range p.reads {
		if kp.key == k {
			return kp.vals(), true
		}
	}
	return nil, false
}

// sortKeys orders keys as numbers when both are integers, else as strings,
// so that "2" < "10" as Maelstrom's integer keys would sort.
func sortKeys(ks []string) {
	sort.SliceStable(ks, func(i, j int) bool { return keyLess(ks[i], ks[j]) })
}

func keyLess(a, b string) bool {
	ai, aerr := strconv.ParseInt(a, 10, 64)
	bi, berr := strconv.ParseInt(b, 10, 64)
	if aerr == nil && berr == nil {
		return ai < bi
	}
	if (aerr == nil) != (berr == nil) {
		return aerr == nil
	}
	return a < b
}

// valLess orders canonical message values as Clojure's compare orders the
// integers Maelstrom sends (numerically), falling back to the JSON text.
func valLess(a, b string) bool {
	x, xok := new(big.Float).SetString(a)
	y, yok := new(big.Float).SetString(b)
	if xok && yok {
		if c := x.Cmp(y); c != 0 {
			return c < 0
		}
		return a < b
	}
	if xok != yok {
		return xok
	}
	return a < b
}

func sortVals(vs []string) []string {
	sort.SliceStable(vs, func(i, j int) bool { return valLess(vs[i], vs[j]) })
	return vs
}
