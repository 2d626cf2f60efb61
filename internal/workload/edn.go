package workload

import (
	"fmt"
	"slices"
	"strings"

	"gossip-glomers/internal/edn"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
)

// EDNCodec converts one workload's client op values between the shapes its
// client records (history.jsonl, what its checker reads) and Maelstrom's
// history.edn. A nil function means the generic conversion: values read
// from EDN are kept in edn.Plain's shapes (keywords as strings, integers as
// json.Number, vectors, lists and sets as []any, maps as map[string]any),
// values are written by edn.FromPlain (map keys that are keyword names as
// keywords, as Maelstrom reads JSON objects). That suits every workload
// whose values are numbers, strings, lists of them and reply bodies; a
// workload with keywords inside its values (micro-op functions) or other
// shapes to check needs its own.
type EDNCodec struct {
	// FromEDN receives a client op whose Value is in edn.Plain's shapes and
	// returns the value as this workload's client records it, or says why
	// it is not one.
	FromEDN func(op history.Op) (any, error)
	// ToEDN returns a client op's value as Maelstrom's client records it,
	// in package edn's values.
	ToEDN func(op history.Op) any
}

// ValueFromEDN is the workload's FromEDN, or the value unchanged.
func (w *Workload) ValueFromEDN(op history.Op) (any, error) {
	if w.EDN.FromEDN == nil {
		return op.Value, nil
	}
	return w.EDN.FromEDN(op)
}

// ValueToEDN is the workload's ToEDN, or edn.FromPlain of the value.
func (w *Workload) ValueToEDN(op history.Op) any {
	if w.EDN.ToEDN == nil {
		return edn.FromPlain(op.Value)
	}
	return w.EDN.ToEDN(op)
}

// ReadMicroOps checks a transaction read from EDN, a list of micro-ops
// [f k v] with f one of fs, and returns it as the txn clients record it:
// f a string, each micro-op a 3-element []any. A 2-element micro-op [f k]
// (Elle's parser writes a read of nothing yet so) gets a nil value.
func ReadMicroOps(v any, fs ...string) ([]any, error) {
	mops, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("a transaction is a list of micro-ops [f k v], not %s", wire.Key(v))
	}
	out := make([]any, len(mops))
	for i, m := range mops {
		mop, ok := m.([]any)
		if ok && len(mop) == 2 {
			mop = append(slices.Clone(mop), nil)
		}
		if !ok || len(mop) != 3 {
			return nil, fmt.Errorf("micro-op %s is not a vector [f k v]", wire.Key(m))
		}
		if f, _ := mop[0].(string); !slices.Contains(fs, f) {
			return nil, fmt.Errorf("micro-op %s has f %s, want one of :%s", wire.Key(m), wire.Key(mop[0]), strings.Join(fs, ", :"))
		}
		out[i] = mop
	}
	return out, nil
}

// WriteMicroOps writes a list of micro-ops as Maelstrom's txn clients
// record them, each function a keyword: [[:r 1 nil] [:w 2 3]]. Anything
// that is not such a list is written as it is.
func WriteMicroOps(v any) any {
	plain := edn.FromPlain(v)
	mops, ok := plain.([]any)
	if !ok {
		return plain
	}
	out := make([]any, len(mops))
	for i, m := range mops {
		out[i] = m
		if mop, ok := m.([]any); ok {
			if f, ok := first(mop); ok {
				out[i] = append([]any{edn.Keyword(f)}, mop[1:]...)
			}
		}
	}
	return out
}

// first is the micro-op's function, if it is a keyword name.
func first(mop []any) (string, bool) {
	if len(mop) == 0 {
		return "", false
	}
	f, ok := mop[0].(string)
	return f, ok && edn.IsKeywordName(f)
}
