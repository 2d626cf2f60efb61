// Package checker holds what every check shares: the three-valued verdict,
// the result shape, and the checks Maelstrom runs on every test (stats,
// availability).
package checker

import "encoding/json"

// Validity is a Jepsen verdict: valid, invalid, or unknown (the checker could
// not decide, e.g. nothing was ever read).
type Validity int

const (
	Valid Validity = iota
	Unknown
	Invalid
)

// Merge combines verdicts with Jepsen's priority: invalid > unknown > valid.
func Merge(vs ...Validity) Validity {
	out := Valid
	for _, v := range vs {
		if v > out {
			out = v
		}
	}
	return out
}

// Of turns a boolean into a verdict.
func Of(ok bool) Validity {
	if ok {
		return Valid
	}
	return Invalid
}

func (v Validity) String() string {
	switch v {
	case Valid:
		return "valid"
	case Invalid:
		return "invalid"
	default:
		return "unknown"
	}
}

// MarshalJSON writes true, false or "unknown", as Jepsen's :valid? does.
func (v Validity) MarshalJSON() ([]byte, error) {
	switch v {
	case Valid:
		return []byte("true"), nil
	case Invalid:
		return []byte("false"), nil
	default:
		return []byte(`"unknown"`), nil
	}
}

// UnmarshalJSON reads what MarshalJSON writes.
func (v *Validity) UnmarshalJSON(b []byte) error {
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		return err
	}
	switch x {
	case true:
		*v = Valid
	case false:
		*v = Invalid
	default:
		*v = Unknown
	}
	return nil
}

// Result is what a checker concludes about a history.
type Result struct {
	Valid Validity
	// Anomalies names what was found wrong (Maelstrom's names where it has
	// them, e.g. "lost", "duplicated", "G1c"); empty when valid.
	Anomalies []string
	// Figures are the checker's own numbers and examples, written under
	// "checker" in results.json.
	Figures map[string]any
	// Top holds fields the workload adds at the top level of results.json
	// (broadcast adds "stable_latency_ms").
	Top map[string]any
	// WholeResultUnknown says the checker failed the way a Jepsen checker
	// throwing a java.lang.Error does (Elle's key-type assertion): the
	// composed checker throws, and Maelstrom's whole result is unknown,
	// whatever the other checks say.
	WholeResultUnknown bool
}
