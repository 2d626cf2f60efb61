package wire

import (
	"encoding/json"
	"errors"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Numbers as Maelstrom holds them.
//
// Maelstrom reads JSON with cheshire on Jackson (cheshire.parse/parse*,
// Jackson's getNumberValue): an integer becomes a Long or a BigInteger,
// exactly; a number with a fraction or an exponent becomes a Double
// (Double.parseDouble). Clojure's = and hash then compare integers by value,
// doubles by value (0.0 and -0.0 are one value: Numbers.hasheq maps -0.0 to
// 0.0's hash), and never an integer with a double (Numbers.equal: different
// categories, so 1 != 1.0).
//
// Decode therefore writes every number in one canonical text per such value,
// and Equal and Key compare canonical texts:
//
//	integers  their decimal digits ("-0" is "0"), any size
//	doubles   Java's Double.toString of the parsed double: "1.00", "1e0"
//	          and "1.0" are all "1.0", "100000000000000001.0" is "1.0E17"
//	overflow  Jackson reads 1e400 as Infinity, so every out-of-range number
//	          is "1.0E999" (or "-1.0E999"): still a valid JSON number, and
//	          equal only to another overflow of the same sign
//
// -0.0 keeps its sign, as Java prints it and Maelstrom's services hand it
// back; only Equal and Key take it for 0.0. Values Maelstrom's services
// return to a node are re-encoded from those doubles too, so a service reply
// carries the same text here as there (except for overflows, which Jackson
// writes as the string "Infinity").

const (
	posOverflow = "1.0E999"
	negOverflow = "-1.0E999"
)

// Canonical returns v with every number in canonical form. v itself is never
// changed: a map or slice is copied only when a number inside it changes,
// so for values that came from Decode this costs one walk and no allocation.
// Numbers inside types other than map[string]any, Body and []any are left as
// they are.
func Canonical(v any) any {
	c, _ := canonical(v, canonicalNumber)
	return c
}

// forComparison is Canonical with -0.0 written 0.0: the form Equal and Key
// compare, since Clojure's = and hash take them for one value.
func forComparison(v any) any {
	c, _ := canonical(v, func(n json.Number) json.Number {
		if n = canonicalNumber(n); n == "-0.0" {
			return "0.0"
		}
		return n
	})
	return c
}

// canonical rewrites every number inside v with number, and reports whether
// anything changed.
func canonical(v any, number func(json.Number) json.Number) (any, bool) {
	switch x := v.(type) {
	case json.Number:
		if c := number(x); c != x {
			return c, true
		}
	case map[string]any:
		if c, changed := canonicalMap(x, number); changed {
			return c, true
		}
	case Body:
		if c, changed := canonicalMap(x, number); changed {
			return Body(c), true
		}
	case []any:
		var out []any
		for i, e := range x {
			if c, changed := canonical(e, number); changed {
				if out == nil {
					out = slices.Clone(x)
				}
				out[i] = c
			}
		}
		if out != nil {
			return out, true
		}
	}
	return v, false
}

func canonicalMap(m map[string]any, number func(json.Number) json.Number) (map[string]any, bool) {
	var out map[string]any
	for k, e := range m {
		if c, changed := canonical(e, number); changed {
			if out == nil {
				out = maps.Clone(m)
			}
			out[k] = c
		}
	}
	return out, out != nil
}

// canonicalNumber is the canonical text of one JSON number. Text that is not
// a JSON number (only possible in a json.Number built by hand) is returned
// unchanged, for the encoder to reject.
func canonicalNumber(n json.Number) json.Number {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		// An integer: JSON allows no leading zeros, so only -0 has a second spelling.
		if s == "-0" {
			return "0"
		}
		return n
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return n
	}
	return json.Number(formatDouble(f))
}

// formatDouble writes a double as Java's Double.toString does, except for
// an infinity, written as an out-of-range number (see above).
func formatDouble(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return posOverflow
	case math.IsInf(f, -1):
		return negOverflow
	case math.IsNaN(f): // JSON has no NaN; only a hand-made value can be one
		return "NaN"
	case f == 0 && math.Signbit(f):
		return "-0.0"
	case f == 0:
		return "0.0"
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	digits, exp := decimalDigits(f)
	if f >= 1e-3 && f < 1e7 {
		// Plain notation, at least one digit each side of the point.
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
	// Computerized scientific notation: d.dddE[-]n.
	frac := digits[1:]
	if frac == "" {
		frac = "0"
	}
	return sign + digits[:1] + "." + frac + "E" + strconv.Itoa(exp)
}

// decimalDigits returns the significant digits Java's Double.toString picks
// for f > 0, and the decimal exponent of the first: f ~ d.ddd x 10^exp. They
// are the fewest digits that read back as f, except that Java never uses one
// digit where a closer two-digit decimal also reads back as f (4.9E-324, not
// 5.0E-324).
func decimalDigits(f float64) (digits string, exp int) {
	split := func(s string) (string, int) { // "4.9e-324" -> "49", -324
		mant, e, _ := strings.Cut(s, "e")
		n, _ := strconv.Atoi(e)
		return strings.Replace(mant, ".", "", 1), n
	}
	digits, exp = split(strconv.FormatFloat(f, 'e', -1, 64))
	if len(digits) == 1 {
		two := strconv.FormatFloat(f, 'e', 1, 64) // the closest two-digit decimal
		if g, err := strconv.ParseFloat(two, 64); err == nil && g == f {
			digits, exp = split(two)
			digits = strings.TrimSuffix(digits, "0")
		}
	}
	return digits, exp
}

// IsNumberText reports whether s is a JSON number, as json.Marshal checks a
// json.Number before writing it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?.
// (json.Marshal writes an empty json.Number as 0; it is not a number here.)
func IsNumberText(s string) bool {
	i := 0
	digits := func() bool {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(s)
}
