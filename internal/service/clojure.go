package service

import (
	"encoding/json"
	"math/big"
	"sort"
	"strconv"
	"strings"
)

// prStr renders a decoded JSON value as Clojure's pr-str renders what
// cheshire decoded, for the services' error texts: nil, true, 12, 1.5,
// "text" (quoted, escaped), [1 "a"], {"k" 1, "j" 2}. Integers stay exact
// (cheshire reads big ones as BigInteger, printed without a suffix);
// non-integers are doubles, printed as Java does (1.0, 1.0E20). Nested JSON
// objects keep string keys in Clojure; their order there follows the input
// (array maps) and is lost in a Go map, so keys are printed sorted.
func prStr(v any) string {
	var b strings.Builder
	writeClojure(&b, v)
	return b.String()
}

// str is Clojure's str: like pr-str except that a string is itself and nil
// is empty.
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return prStr(v)
}

func writeClojure(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("nil")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case json.Number:
		b.WriteString(clojureNumber(x))
	case string:
		writeClojureString(b, x)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(' ')
			}
			writeClojure(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeClojureString(b, k)
			b.WriteByte(' ')
			writeClojure(b, x[k])
		}
		b.WriteByte('}')
	default:
		// Values built in Go (not decoded from the wire): print their JSON.
		raw, err := json.Marshal(x)
		if err != nil {
			b.WriteString("?")
			return
		}
		b.Write(raw)
	}
}

// clojureNumber prints a JSON number as the JVM prints what Jackson read:
// an integer exactly, anything else as a Java double.
func clojureNumber(n json.Number) string {
	if i, ok := new(big.Int).SetString(string(n), 10); ok {
		return i.String()
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return string(n)
	}
	return javaDouble(f)
}

// javaDouble is Double.toString: plain notation with at least one fraction
// digit for 1e-3 <= |f| < 1e7 (and zero), else d.dddE[-]n.
func javaDouble(f float64) string {
	a := f
	if a < 0 {
		a = -a
	}
	if a == 0 || (a >= 1e-3 && a < 1e7) {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0" // also turns -0 into -0.0
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // e.g. 1.5E+20, 1E-05
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	neg := strings.HasPrefix(exp, "-")
	exp = strings.TrimLeft(exp, "+-0")
	if neg {
		exp = "-" + exp
	}
	return mant + "E" + exp
}

// writeClojureString prints a string readably, escaping as Clojure's
// char-escape-string does.
func writeClojureString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\f':
			b.WriteString(`\f`)
		case '\b':
			b.WriteString(`\b`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}
