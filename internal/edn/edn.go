// Package edn reads and writes EDN, the data notation Jepsen and Maelstrom
// store runs in: history.edn (one op map per line, or one vector of them),
// results.edn (pretty-printed as fipp.edn/pprint prints it, see pretty.go)
// and the values of history.txt (printed as Clojure's pr and print do, see
// write.go).
//
// Reading goes through the olympos.io/encoding/edn library; this package
// turns what it returns into the values below, tracks the line each
// top-level value starts on, and bounds nesting so that no input can
// exhaust the stack. Plain (plain.go) then maps EDN values onto the JSON
// shapes the workbench's histories use.
//
// Values, read and written:
//
//	nil, bool, string         themselves
//	integers                  json.Number with the decimal digits, any size
//	floating-point numbers    json.Number in Java's Double.toString form (wire's canonical form)
//	:keyword                  Keyword (the name, without the colon)
//	symbol                    Symbol
//	\c                        Char
//	[a b], (a b)              []any (Clojure's = does not tell them apart)
//	#{a b}                    Set
//	{k v}                     Map, entries in a fixed order (sorted by their printed keys)
//	#tag value                Tagged
//
// The writers also take Go's integer and float types (float32 prints as
// Java's Float.toString, as Clojure prints a Float) and List, written (a b).
package edn

// Keyword is an EDN keyword; the string is its name without the colon
// (":f" is Keyword("f"), ":elle/init" is Keyword("elle/init")).
type Keyword string

// Symbol is an EDN symbol.
type Symbol string

// Char is an EDN character literal (\a, \newline).
type Char rune

// Map is an EDN map with its entries in order: the order they are printed
// in, as Clojure's array maps keep insertion order.
type Map []Entry

// Entry is one key and value of a Map.
type Entry struct {
	Key   any
	Value any
}

// Get returns the value of the entry whose key is k.
func (m Map) Get(k any) (any, bool) {
	for _, e := range m {
		if e.Key == k {
			return e.Value, true
		}
	}
	return nil, false
}

// Set is an EDN set (#{...}); its elements in printing order.
type Set []any

// List is an EDN list, written (a b c). Reading gives []any for lists.
type List []any

// Tagged is a tagged value, #tag value: Jepsen's records print so
// (#jepsen.history.Op{...}).
type Tagged struct {
	Tag   string
	Value any
}
