package elle

import (
	"encoding/json"
	"fmt"
	"math/big"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
)

// A transaction in the history is a list of micro-ops [f k v]: f is "r" for
// a read and "w" (rw-register) or "append" (list-append) for a write, k a
// key, v the value read or written (null for a read not yet performed). Keys
// and values are compared as Clojure compares decoded JSON: by their
// canonical JSON text, so 1 and 1.0 differ.

// nilValue is the canonical text of JSON null: the initial value of every key.
const nilValue = "null"

type mop struct {
	read bool   // "r"; otherwise the workload's write ("w" or "append")
	key  string // canonical JSON of the key
	val  string // canonical JSON of the value ("null" for nil)
	raw  []any  // the micro-op as recorded, for examples

	// list is a list-append read's elements, as canonical JSON (nil for a
	// read of null or of the empty list).
	list []string
}

// isNil is Clojure's nil?: only JSON null.
func (m mop) isNil() bool { return m.val == nilValue }

// txn is one completed transaction (a completion op of the history).
type txn struct {
	id       int // position in analysis.txns
	index    int // history index of the completion: Elle's op identity
	invIndex int // history index of the invocation, -1 if unknown
	process  int
	typ      history.Type
	node     string
	mops     []mop
	value    any // the completion's value as recorded

	// The rw-register analysis fills these (jepsen.txn's ext-reads and
	// ext-writes).
	extReads  map[string]string // key -> first read value, for keys read before any write
	extWrites map[string]string // key -> last written value
}

// parseTxn reads a history op's value as a transaction whose writes are
// called write ("w" or "append"). Values come either decoded from JSON
// ([]any of []any) or as built by the generator.
func parseTxn(v any, write string) ([]mop, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("transaction %v is not a list", v)
	}
	out := make([]mop, 0, len(list))
	for _, e := range list {
		m, ok := e.([]any)
		if !ok || len(m) != 3 {
			return nil, fmt.Errorf("micro-op %v is not a 3-element list", e)
		}
		f, _ := m[0].(string)
		if f != "r" && f != write {
			return nil, fmt.Errorf("micro-op %v has f %v, want r or %s", e, m[0], write)
		}
		out = append(out, mop{read: f == "r", key: wire.Key(m[1]), val: wire.Key(m[2]), raw: m})
	}
	return out, nil
}

// extReads is jepsen.txn/ext-reads: the value of each key's first micro-op,
// when that micro-op is a read.
func extReads(ms []mop) map[string]string {
	out := map[string]string{}
	seen := map[string]bool{}
	for _, m := range ms {
		if m.read && !seen[m.key] {
			out[m.key] = m.val
		}
		seen[m.key] = true
	}
	return out
}

// extWrites is jepsen.txn/ext-writes: each key's final written value.
func extWrites(ms []mop) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		if !m.read {
			out[m.key] = m.val
		}
	}
	return out
}

// truthy is Clojure's truth: everything but nil and false.
func truthy(v string) bool { return v != nilValue && v != "false" }

// keyClass is the JVM class a key has when Elle sees it: Cheshire decodes
// the node's JSON, then Jepsen writes the history to Fressian and reads it
// back (jepsen.generator.interpreter/run!), which turns every integer into
// a Long and one too big for a long into a clojure.lang.BigInt, and rebuilds
// a map of fewer than 8 entries as a PersistentArrayMap, a larger one as a
// PersistentHashMap (clojure.data.fressian's "map" handler). nil's class is
// nil.
func keyClass(k any) string {
	switch x := k.(type) {
	case nil:
		return "nil"
	case string:
		return "java.lang.String"
	case bool:
		return "java.lang.Boolean"
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return "java.lang.Long"
		}
		if _, ok := new(big.Int).SetString(string(x), 10); ok {
			return "clojure.lang.BigInt"
		}
		return "java.lang.Double"
	case int, int8, int16, int32, int64, uint8, uint16, uint32:
		return "java.lang.Long"
	case float64, float32:
		return "java.lang.Double"
	case []any:
		return "clojure.lang.PersistentVector"
	case map[string]any:
		if len(x) < 8 {
			return "clojure.lang.PersistentArrayMap"
		}
		return "clojure.lang.PersistentHashMap"
	default:
		return fmt.Sprintf("%T", k)
	}
}
