package cli

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Maelstrom reads --availability with clojure.edn/read-string and
// --nemesis-interval with read-string, so both take any Clojure number
// literal: integers (also hex 0x1F, octal 017, radix 2r101, a trailing N),
// ratios (9/10) and floats (0.9, 5., 1e-1, a trailing M). These are the
// reader's own patterns (clojure.lang.LispReader's intPat, ratioPat and
// floatPat); ".5" is not a number there, and "09" is an invalid one.
var (
	clojureInt   = regexp.MustCompile(`^([-+]?)(?:(0)|([1-9][0-9]*)|0[xX]([0-9A-Fa-f]+)|0([0-7]+)|([1-9][0-9]?)[rR]([0-9A-Za-z]+)|(0[0-9]+))N?$`)
	clojureRatio = regexp.MustCompile(`^([-+]?[0-9]+)/([0-9]+)$`)
	clojureFloat = regexp.MustCompile(`^[-+]?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?M?$`)
)

// parseClojureNumber reads s as the Clojure reader reads a number literal and
// returns its value as a double, which is how Maelstrom then compares it
// (a ratio against a double is compared as a double).
func parseClojureNumber(s string) (float64, error) {
	if m := clojureInt.FindStringSubmatch(s); m != nil {
		sign, digits, base := m[1], "", 10
		switch {
		case m[2] != "":
			digits = "0"
		case m[3] != "":
			digits = m[3]
		case m[4] != "":
			digits, base = m[4], 16
		case m[5] != "":
			digits, base = m[5], 8
		case m[6] != "":
			radix, _ := strconv.Atoi(m[6])
			if radix < 2 || radix > 36 {
				return 0, fmt.Errorf("%q: radix %d is out of range 2-36", s, radix)
			}
			digits, base = m[7], radix
		default:
			return 0, fmt.Errorf("%q is not a valid number (a leading 0 means octal)", s)
		}
		n, ok := new(big.Int).SetString(strings.ToLower(digits), base)
		if !ok {
			return 0, fmt.Errorf("%q is not a valid number in base %d", s, base)
		}
		if sign == "-" {
			n.Neg(n)
		}
		f, _ := new(big.Float).SetInt(n).Float64()
		return f, nil
	}
	if m := clojureRatio.FindStringSubmatch(s); m != nil {
		num, _ := new(big.Int).SetString(m[1], 10)
		den, _ := new(big.Int).SetString(m[2], 10)
		if den.Sign() == 0 {
			return 0, fmt.Errorf("%q divides by zero", s)
		}
		f, _ := new(big.Rat).SetFrac(num, den).Float64()
		return f, nil
	}
	if clojureFloat.MatchString(s) {
		f, err := strconv.ParseFloat(strings.TrimSuffix(s, "M"), 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number: %v", s, err)
		}
		return f, nil
	}
	return 0, fmt.Errorf("%q is not a number (Clojure syntax: 0.9, 9/10, 10)", s)
}

// parseAvailability reads --availability as Maelstrom does: "total" (or the
// keyword :total), or a number from 0 to 1, which is returned in the form the
// availability checker reads ("" means no check).
func parseAvailability(s string) (string, error) {
	switch s {
	case "", "total", ":total":
		return strings.TrimPrefix(s, ":"), nil
	}
	a, err := parseClojureNumber(s)
	if err != nil || a < 0 || a > 1 {
		return "", usagef("--availability must be total or a number between 0 and 1 (0.9, 9/10), got %q", s)
	}
	return strconv.FormatFloat(a, 'g', -1, 64), nil
}

// parseNemesisInterval reads --nemesis-interval: a positive Clojure number of
// seconds (10, 0.5, 1/2).
func parseNemesisInterval(s string) (time.Duration, error) {
	secs, err := parseClojureNumber(s)
	if err != nil || !(secs > 0) || math.IsInf(secs, 0) || secs > maxNemesisInterval.Seconds() {
		return 0, usagef("--nemesis-interval must be a positive number of seconds (10, 0.5, 1/2), got %q", s)
	}
	return time.Duration(secs * float64(time.Second)), nil
}

// maxNemesisInterval keeps the interval within a time.Duration.
const maxNemesisInterval = 100 * 365 * 24 * time.Hour

// modelSeparator is how Maelstrom splits --consistency-models: a comma with
// whitespace on both sides (core.clj: (str/split s #"\s+,\s+")).
var modelSeparator = regexp.MustCompile(`\s+,\s+`)

// parseConsistencyModels splits --consistency-models as Maelstrom does. There
// "a,b" is a single model that does not exist, so Elle's verdict would be
// unknown; rather than run a test whose verdict cannot be Maelstrom's, we
// reject it and show Maelstrom's spelling.
func parseConsistencyModels(s string) ([]string, error) {
	models := modelSeparator.Split(s, -1)
	for _, m := range models {
		if strings.Contains(m, ",") || m != strings.TrimSpace(m) || m == "" {
			return nil, usagef("--consistency-models %q: Maelstrom splits the list only at a comma with spaces around it, "+
				"so %q would be one unknown model there; write it as %q",
				s, m, strings.Join(fieldsAroundCommas(s), " , "))
		}
	}
	return models, nil
}

// fieldsAroundCommas is s's comma-separated, trimmed, non-empty parts.
func fieldsAroundCommas(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
