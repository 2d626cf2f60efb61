package edn

import (
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"gossip-glomers/internal/wire"
)

// Plain maps an EDN value onto the JSON shapes the workbench's histories
// hold (what a client records from the JSON it parsed):
//
//	:keyword, symbol      its name, a string (Maelstrom's :r is our "r")
//	\c                    a one-character string
//	vectors and lists     []any
//	sets                  []any, sorted (numbers by value, then strings, then
//	                      the rest by their JSON): Jepsen's tests write read
//	                      sets where Maelstrom's clients record vectors
//	numbers               json.Number, unchanged
//	maps                  map[string]any, keys by KeyString
//	#tag value            the value (#inst "..." its string)
//
// Two keys of one map that give the same string (:x and "x") are an error:
// the map would lose one.
func Plain(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, string, json.Number:
		return x, nil
	case Keyword:
		return string(x), nil
	case Symbol:
		return string(x), nil
	case Char:
		return string(rune(x)), nil
	case Tagged:
		return Plain(x.Value)
	case []any:
		return plainList(x)
	case List:
		return plainList(x)
	case Set:
		out, err := plainList(x)
		if err != nil {
			return nil, err
		}
		sort.SliceStable(out, func(i, j int) bool { return plainLess(out[i], out[j]) })
		return out, nil
	case Map:
		out := make(map[string]any, len(x))
		for _, e := range x {
			k, err := KeyString(e.Key)
			if err != nil {
				return nil, err
			}
			if _, dup := out[k]; dup {
				return nil, fmt.Errorf("map %s has two keys that both read as %q", clip(String(x)), k)
			}
			if out[k], err = Plain(e.Value); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return FromPlain(v), nil // Go numbers and the like: already plain
}

func plainList(xs []any) ([]any, error) {
	out := make([]any, len(xs))
	for i, x := range xs {
		p, err := Plain(x)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// KeyString is a map key as the workbench's JSON holds it: a keyword's or
// symbol's name, a string itself, an integer its digits, anything else its
// JSON text (wire.Key).
func KeyString(k any) (string, error) {
	switch x := k.(type) {
	case Keyword:
		return string(x), nil
	case Symbol:
		return string(x), nil
	case string:
		return x, nil
	case json.Number:
		return string(x), nil
	}
	p, err := Plain(k)
	if err != nil {
		return "", err
	}
	return wire.Key(p), nil
}

// plainLess orders plain values: numbers by value, then strings, then
// anything else by its JSON text.
func plainLess(a, b any) bool {
	rank := func(v any) int {
		switch v.(type) {
		case json.Number:
			return 0
		case string:
			return 1
		}
		return 2
	}
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return ra < rb
	}
	switch ra {
	case 0:
		x, okx := new(big.Rat).SetString(string(a.(json.Number)))
		y, oky := new(big.Rat).SetString(string(b.(json.Number)))
		if okx && oky {
			return x.Cmp(y) < 0
		}
	case 1:
		return a.(string) < b.(string)
	}
	return wire.Key(a) < wire.Key(b)
}

// clip shortens s for an error message.
func clip(s string) string {
	const n = 120
	if len(s) <= n {
		return s
	}
	return strings.TrimSpace(s[:n]) + "..."
}
