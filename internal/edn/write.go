package edn

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"

	"gossip-glomers/internal/wire"
)

// String is v as Clojure's pr-str prints it: one line, strings quoted, map
// entries separated by ", " (the form of a history.edn line).
func String(v any) string {
	var b strings.Builder
	write(&b, v, true)
	return b.String()
}

// PrintString is v as Clojure's print prints it: strings and characters
// without quotes or escapes, at any depth (history.txt's error column).
func PrintString(v any) string {
	var b strings.Builder
	write(&b, v, false)
	return b.String()
}

func write(b *strings.Builder, v any, readably bool) {
	if s, ok := atom(v, readably); ok {
		b.WriteString(s)
		return
	}
	items := func(open string, xs []any, close string) {
		b.WriteString(open)
		for i, x := range xs {
			if i > 0 {
				b.WriteByte(' ')
			}
			write(b, x, readably)
		}
		b.WriteString(close)
	}
	switch x := v.(type) {
	case []any:
		items("[", x, "]")
	case List:
		items("(", x, ")")
	case Set:
		items("#{", x, "}")
	case Map:
		b.WriteByte('{')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			write(b, e.Key, readably)
			b.WriteByte(' ')
			write(b, e.Value, readably)
		}
		b.WriteByte('}')
	case Tagged:
		b.WriteString("#" + x.Tag)
		if !isCollection(x.Value) {
			b.WriteByte(' ')
		}
		write(b, x.Value, readably)
	default:
		write(b, FromPlain(v), readably)
	}
}

// isCollection reports whether v prints with brackets of its own.
func isCollection(v any) bool {
	switch v.(type) {
	case []any, List, Set, Map:
		return true
	}
	return false
}

// atom is the text of a value that is not a collection, and false for a
// collection or a Go value that FromPlain must convert first.
func atom(v any, readably bool) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "nil", true
	case bool:
		return strconv.FormatBool(x), true
	case string:
		if !readably {
			return x, true
		}
		return quote(x), true
	case Keyword:
		return ":" + string(x), true
	case Symbol:
		return string(x), true
	case Char:
		if !readably {
			return string(rune(x)), true
		}
		return charLiteral(rune(x)), true
	case json.Number:
		return number(x), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case uint64:
		return number(json.Number(strconv.FormatUint(x, 10))), true
	case float64:
		return number(double(x)), true
	case float32:
		return javaFloat(x), true
	case *big.Int:
		return number(json.Number(x.String())), true
	}
	return "", false
}

// number prints a JSON number as Clojure prints the value it reads as:
// integers in decimal, with N beyond 64 bits (a BigInt, so that EDN readers
// without arbitrary precision still read it), doubles in Java's form.
func number(n json.Number) string {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			return s + "N"
		}
		return s
	}
	c := string(wire.Canonical(n).(json.Number))
	switch c {
	case "NaN":
		return "##NaN"
	}
	// wire writes an overflow as 1.0E999, which Clojure too reads as
	// Infinity (it prints ##Inf, which this package's reader cannot read).
	return c
}

// javaFloat prints a float32 as Java's Float.toString: plain decimal from
// 10^-3 up to 10^7, else d.dddE[-]n, always with a digit after the point.
func javaFloat(f float32) string {
	switch {
	case math.IsNaN(float64(f)):
		return "##NaN"
	case math.IsInf(float64(f), 1):
		return "##Inf"
	case math.IsInf(float64(f), -1):
		return "##-Inf"
	case f == 0 && math.Signbit(float64(f)):
		return "-0.0"
	case f == 0:
		return "0.0"
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	mant, e, _ := strings.Cut(strconv.FormatFloat(float64(f), 'e', -1, 32), "e")
	exp, _ := strconv.Atoi(e)
	digits := strings.Replace(mant, ".", "", 1)
	if f >= 1e-3 && f < 1e7 {
		if exp < 0 {
			return sign + "0." + strings.Repeat("0", -exp-1) + digits
		}
		for len(digits) <= exp {
			digits += "0"
		}
		frac := digits[exp+1:]
		if frac == "" {
			frac = "0"
		}
		return sign + digits[:exp+1] + "." + frac
	}
	frac := digits[1:]
	if frac == "" {
		frac = "0"
	}
	return sign + digits[:1] + "." + frac + "E" + strconv.Itoa(exp)
}

// quote is Clojure's readable string: the escapes of char-escape-string,
// every other character as it is.
func quote(s string) string {
	var b strings.Builder
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
	return b.String()
}

func charLiteral(r rune) string {
	switch r {
	case '\n':
		return `\newline`
	case ' ':
		return `\space`
	case '\t':
		return `\tab`
	case '\r':
		return `\return`
	case '\f':
		return `\formfeed`
	case '\b':
		return `\backspace`
	}
	return `\` + string(r)
}

// width is how many characters Clojure counts in s (UTF-16 code units).
func width(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// IsKeywordName reports whether s can be written as the keyword :s and read
// back as the same name: ASCII letters, digits and * + ! - _ ? < > = . ' #,
// not starting with a digit, . ' or # (nor a sign followed by a digit,
// which reads as a number), and no namespace.
func IsKeywordName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		digit := c >= '0' && c <= '9'
		switch {
		case letter || strings.IndexByte("*+!-_?<>=", c) >= 0:
		case (digit || strings.IndexByte(".'#", c) >= 0) && i > 0:
		default:
			return false
		}
	}
	return !((s[0] == '-' || s[0] == '+') && len(s) > 1 && s[1] >= '0' && s[1] <= '9')
}

// FromPlain turns a value in the JSON shapes the workbench records (what
// wire.Decode gives, or any Go value that marshals to JSON) into EDN values,
// as Maelstrom holds what it parsed from JSON: map keys that are keyword
// names become keywords (Maelstrom reads JSON objects with keyword keys),
// other keys stay strings, entries sorted by key; arrays become vectors.
// EDN values pass through unchanged.
func FromPlain(v any) any {
	switch x := v.(type) {
	case nil, bool, string, json.Number, Keyword, Symbol, Char, Set, List, Tagged,
		int, int64, int32, uint64, float64, float32, *big.Int:
		return v
	case Map:
		out := make(Map, len(x))
		for i, e := range x {
			out[i] = Entry{FromPlain(e.Key), FromPlain(e.Value)}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = FromPlain(e)
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make(Map, 0, len(x))
		for _, k := range keys {
			var key any = k
			if IsKeywordName(k) {
				key = Keyword(k)
			}
			out = append(out, Entry{key, FromPlain(x[k])})
		}
		return out
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	var plain any
	if err := wire.Decode(b, &plain); err != nil {
		return fmt.Sprint(v)
	}
	return FromPlain(plain)
}
