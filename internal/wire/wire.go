// Package wire is Maelstrom's message format as the workbench sees it: JSON
// envelopes with a body object. Numbers are decoded as json.Number in a
// canonical text (see number.go), so values clients and nodes exchange
// compare as Maelstrom compares them: integers exactly (a 64-bit id never
// goes through float64), numbers with a fraction or exponent as doubles
// (1.0 equals 1.00), and 1 never equal to 1.0.
package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
)

// Message is one envelope on the simulated network. ID is assigned by the
// network when it accepts the message (Maelstrom's global message id).
type Message struct {
	ID   int64           `json:"id"`
	Src  string          `json:"src"`
	Dest string          `json:"dest"`
	Body json.RawMessage `json:"body"`
}

// Body is a decoded message body.
type Body map[string]any

// Decode parses one JSON value, with every number a json.Number in canonical
// form. v is normally a *any, *Body, *map[string]any or *[]any; any other
// target is decoded through a generic value first so that its numbers are
// canonical too.
func Decode(raw []byte, v any) error {
	switch p := v.(type) {
	case *any:
		return decodeCanonical(raw, p)
	case *Body:
		return decodeCanonical(raw, p)
	case *map[string]any:
		return decodeCanonical(raw, p)
	case *[]any:
		return decodeCanonical(raw, p)
	}
	var generic any
	if err := decodeCanonical(raw, &generic); err != nil {
		return err
	}
	b, err := json.Marshal(generic)
	if err != nil {
		return err
	}
	return decodeNumbers(b, v)
}

// decodeCanonical decodes into a generic value and makes its numbers canonical.
func decodeCanonical[T any](raw []byte, p *T) error {
	if err := decodeNumbers(raw, p); err != nil {
		return err
	}
	if c, changed := canonical(*p, canonicalNumber); changed {
		*p = c.(T)
	}
	return nil
}

// decodeNumbers parses exactly one JSON value with numbers as json.Number.
func decodeNumbers(raw []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("trailing data after JSON value")
	}
	return nil
}

// DecodeBody parses a message body, which must be a JSON object.
func DecodeBody(raw []byte) (Body, error) {
	var b Body
	if err := Decode(raw, &b); err != nil {
		return nil, err
	}
	if b == nil {
		return nil, fmt.Errorf("body is not a JSON object")
	}
	return b, nil
}

// Type is the body's "type" field, or "" if it has none.
func (b Body) Type() string {
	s, _ := b["type"].(string)
	return s
}

// Int reads an integer field; ok is false if the field is missing or not an
// integer that fits in int64.
func (b Body) Int(key string) (int64, bool) { return Int(b[key]) }

// Int converts a decoded JSON value to int64 if it is an integer (1.0 is not).
func Int(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	if err != nil {
		return 0, false
	}
	return i, true
}

// IsInteger reports whether v is a JSON integer of any size.
func IsInteger(v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	_, ok = new(big.Int).SetString(string(n), 10)
	return ok
}

// Equal is structural equality of decoded JSON values, as Clojure's = on
// Maelstrom's side: numbers compare by canonical text, so 1.0 == 1.00 and
// -0.0 == 0.0, but 1 != 1.0 (see number.go).
func Equal(a, b any) bool {
	return reflect.DeepEqual(a, b) || reflect.DeepEqual(forComparison(a), forComparison(b))
}

// Key renders a decoded JSON value canonically (numbers too), for use as a
// map key: two values decoded from the wire have the same key iff they are
// Equal.
func Key(v any) string {
	// The common keys (a message, an id, a key) without encoding/json; each
	// is exactly what json.Marshal writes for it.
	switch x := v.(type) {
	case string:
		return string(AppendString(nil, x))
	case json.Number:
		if c := forComparison(x).(json.Number); IsNumberText(string(c)) {
			return string(c)
		}
	}
	b, err := json.Marshal(forComparison(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// Marshal encodes a body; it panics only on values that cannot be JSON,
// which would be a programming error in the workbench.
func Marshal(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("wire: cannot encode %#v: %v", v, err))
	}
	return b
}

// Error codes Maelstrom defines (doc/protocol.md).
const (
	CodeTimeout                = 0
	CodeNodeNotFound           = 1
	CodeNotSupported           = 10
	CodeTemporarilyUnavailable = 11
	CodeMalformedRequest       = 12
	CodeCrash                  = 13
	CodeAbort                  = 14
	CodeKeyDoesNotExist        = 20
	CodeKeyAlreadyExists       = 21
	CodePreconditionFailed     = 22
	CodeTxnConflict            = 30
)

type errorInfo struct {
	name     string
	definite bool
}

var errorCodes = map[int64]errorInfo{
	CodeTimeout:                {"timeout", false},
	CodeNodeNotFound:           {"node-not-found", true},
	CodeNotSupported:           {"not-supported", true},
	CodeTemporarilyUnavailable: {"temporarily-unavailable", true},
	CodeMalformedRequest:       {"malformed-request", true},
	CodeCrash:                  {"crash", false},
	CodeAbort:                  {"abort", true},
	CodeKeyDoesNotExist:        {"key-does-not-exist", true},
	CodeKeyAlreadyExists:       {"key-already-exists", true},
	CodePreconditionFailed:     {"precondition-failed", true},
	CodeTxnConflict:            {"txn-conflict", true},
}

// ErrorName is Maelstrom's name for an error code ("unknown" if it has none).
func ErrorName(code int64) string {
	if e, ok := errorCodes[code]; ok {
		return e.name
	}
	return "unknown"
}

// Definite reports whether an error code means the operation certainly did
// not happen. Unknown codes are indefinite, as in Maelstrom.
func Definite(code int64) bool { return errorCodes[code].definite }

// ErrorBody builds an error reply body.
func ErrorBody(code int64, text string) Body {
	return Body{"type": "error", "code": code, "text": text}
}
