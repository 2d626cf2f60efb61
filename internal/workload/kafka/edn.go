package kafka

import (
	"fmt"

	"gossip-glomers/internal/edn"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
)

// ednValues converts kafka's values (see values.go) to and from
// Maelstrom's history.edn, where micro-op functions are keywords and keys
// strings: [[:send "5" 12]], [[:send "5" [0 12]]], [[:poll {"5" [[0 12]]}]],
// assign ["5" "6"]. Jepsen's own kafka tests use keyword or integer keys
// (:x, 5); they read as the strings "x" and "5", the keys Maelstrom's
// client sends (it rewrites keys with str).
var ednValues = workload.EDNCodec{FromEDN: valueFromEDN, ToEDN: valueToEDN}

func valueFromEDN(op history.Op) (any, error) {
	switch op.F {
	case "assign", "subscribe":
		keys, ok := op.Value.([]any)
		if !ok {
			return nil, fmt.Errorf("an %s's value is a list of keys, not %s", op.F, wire.Key(op.Value))
		}
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = keyName(k)
		}
		return out, nil
	case "send", "poll", "txn":
		mops, ok := op.Value.([]any)
		if !ok {
			return nil, fmt.Errorf("a %s's value is a list of micro-ops, not %s", op.F, wire.Key(op.Value))
		}
		out := make([]any, len(mops))
		for i, m := range mops {
			mop, err := microOpFromEDN(m)
			if err != nil {
				return nil, err
			}
			out[i] = mop
		}
		return out, nil
	}
	return op.Value, nil
}

// microOpFromEDN checks one [send k v] or [poll] / [poll {k pairs}]
// micro-op and makes its keys strings.
func microOpFromEDN(m any) (any, error) {
	mop, _ := m.([]any)
	f, _ := first(mop)
	switch {
	case f == "send" && len(mop) == 3:
		return []any{"send", keyName(mop[1]), mop[2]}, nil
	case f == "poll" && len(mop) == 1:
		return mop, nil
	case f == "poll" && len(mop) == 2:
		if _, ok := mop[1].(map[string]any); !ok && mop[1] != nil {
			return nil, fmt.Errorf("poll micro-op %s: its result is a map of keys to [offset message] pairs", wire.Key(m))
		}
		return []any{"poll", mop[1]}, nil // edn.Plain already made the map's keys strings
	}
	return nil, fmt.Errorf("micro-op %s is neither [:send k v] nor [:poll] / [:poll {k [[offset msg] ...]}]", wire.Key(m))
}

func first(mop []any) (string, bool) {
	if len(mop) == 0 {
		return "", false
	}
	f, ok := mop[0].(string)
	return f, ok
}

// keyName is a key as Maelstrom's client sends it: a string.
func keyName(k any) any {
	if s, ok := k.(string); ok {
		return s
	}
	return keyString(k)
}

func valueToEDN(op history.Op) any {
	plain := normalize(op.Value)
	mops, ok := plain.([]any)
	if !ok || (op.F != "send" && op.F != "poll" && op.F != "txn") {
		return edn.FromPlain(plain) // assign's keys: a vector of strings
	}
	out := make([]any, len(mops))
	for i, m := range mops {
		mop, _ := m.([]any)
		f, ok := first(mop)
		if !ok || !edn.IsKeywordName(f) {
			out[i] = edn.FromPlain(m)
			continue
		}
		written := []any{edn.Keyword(f)}
		for j, x := range mop[1:] {
			if msgs, isMap := x.(map[string]any); isMap && f == "poll" && j == 0 {
				written = append(written, stringKeyed(msgs))
				continue
			}
			written = append(written, edn.FromPlain(x))
		}
		out[i] = written
	}
	return out
}

// stringKeyed is a poll's result with its keys as strings, as Maelstrom
// records them (FromPlain would make them keywords).
func stringKeyed(msgs map[string]any) edn.Map {
	keys := make([]string, 0, len(msgs))
	for k := range msgs {
		keys = append(keys, k)
	}
	sortKeys(keys)
	out := make(edn.Map, len(keys))
	for i, k := range keys {
		out[i] = edn.Entry{Key: k, Value: edn.FromPlain(msgs[k])}
	}
	return out
}
