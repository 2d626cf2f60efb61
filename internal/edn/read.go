package edn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strconv"
	"time"

	olympos "olympos.io/encoding/edn"

	"gossip-glomers/internal/wire"
)

// MaxDepth is the deepest nesting of collections a file may have (Jackson's
// limit for JSON, which Maelstrom's messages already obey); deeper input is
// refused before the library recurses into it.
const MaxDepth = 1000

// Item is one value read from a file and the line (from 1) it starts on.
type Item struct {
	Line  int
	Value any
}

// SyntaxError is input that is not EDN, or nested deeper than MaxDepth.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// ReadAll reads every top-level value in data, in order.
func ReadAll(data []byte) ([]Item, error) {
	if err := checkDepth(data); err != nil {
		return nil, err
	}
	return readValues(data, 0, len(data))
}

// ReadSequence reads data as a sequence of values, the two ways Jepsen
// histories are stored: one value after another (history.edn, one op per
// line), or a single vector or list holding them all. In the second case the
// items are that collection's elements, each with the line it starts on.
func ReadSequence(data []byte) ([]Item, error) {
	if err := checkDepth(data); err != nil {
		return nil, err
	}
	start := skipBlank(data, 0, len(data))
	if start == len(data) || (data[start] != '[' && data[start] != '(') {
		return readValues(data, 0, len(data))
	}
	closer := byte(']')
	if data[start] == '(' {
		closer = ')'
	}
	end := len(bytes.TrimRight(data, " \t\r\n,"))
	if data[end-1] != closer || end-1 <= start {
		return nil, &SyntaxError{Line: lineAt(data, end-1),
			Msg: fmt.Sprintf("the file starts a collection with %q on line %d but does not end by closing it with %q",
				data[start], lineAt(data, start), closer)}
	}
	return readValues(data, start+1, end-1)
}

// readValues decodes the values in data[from:to] one at a time, noting where
// each starts.
func readValues(data []byte, from, to int) ([]Item, error) {
	r := bytes.NewReader(data[from:to])
	dec := olympos.NewDecoder(r)
	// consumed is how far the decoder has read: what left r minus what its
	// buffer still holds.
	consumed := func() int { return from + (to - from) - r.Len() - dec.Buffered().Buffered() }
	var items []Item
	lines := lineCounter{data: data, line: 1}
	pos := from
	for {
		start := skipBlank(data, pos, to)
		if start == to {
			return items, nil
		}
		raw, err := decodeOne(dec)
		if errors.Is(err, io.EOF) && bytes.HasPrefix(data[start:to], []byte("#_")) {
			return items, nil // only a discarded form was left
		}
		if isEnd(err) {
			// The value that starts here runs to the end of the file.
			return nil, &SyntaxError{Line: lineAt(data, start),
				Msg: "unexpected end of the file: the map, vector, list or set that starts on this line is not closed"}
		}
		if err != nil {
			return nil, &SyntaxError{Line: lineAt(data, max(start, consumed()-1)), Msg: describe(err)}
		}
		v, err := fromLibrary(raw)
		if err != nil {
			return nil, &SyntaxError{Line: lineAt(data, start), Msg: err.Error()}
		}
		items = append(items, Item{Line: lines.at(start), Value: v})
		pos = consumed()
	}
}

// decodeOne reads the next value. The library answers some malformed input
// with a panic of its own; that is an error here, never a crash.
func decodeOne(dec *olympos.Decoder) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the EDN reader failed: %v", p)
		}
	}()
	err = dec.Decode(&v)
	return v, err
}

// describe words the library's errors for people.
func describe(err error) string {
	var num *strconv.NumError
	if errors.As(err, &num) && errors.Is(num.Err, strconv.ErrRange) {
		// The library reads integers into 64 bits unless they end in N.
		return fmt.Sprintf("integer %s does not fit 64 bits (this reader takes larger ones written %sN)", num.Num, num.Num)
	}
	switch msg := err.Error(); msg {
	case "Unexpected token":
		return "unexpected token (a closing bracket without its opening one, or a map with a key but no value)"
	default:
		return msg
	}
}

// isEnd reports whether the library ran out of input inside a value.
func isEnd(err error) bool {
	return err != nil && (errors.Is(err, io.EOF) || err.Error() == "No more tokens to read")
}

// fromLibrary turns the library's values into this package's.
func fromLibrary(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, string:
		return x, nil
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), nil
	case big.Int:
		return json.Number(x.String()), nil
	case *big.Int:
		return json.Number(x.String()), nil
	case float64:
		return double(x), nil
	case *big.Float: // 1.5M: a BigDecimal; kept as the double nearest to it
		f, _ := x.Float64()
		return double(f), nil
	case rune:
		return Char(x), nil
	case olympos.Keyword:
		return Keyword(x), nil
	case olympos.Symbol:
		return Symbol(x), nil
	case *any: // how the library holds a collection used as a map key or set element
		return fromLibrary(*x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := fromLibrary(e)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case map[any]any:
		m := make(Map, 0, len(x))
		for k, e := range x {
			ck, err := fromLibrary(k)
			if err != nil {
				return nil, err
			}
			ce, err := fromLibrary(e)
			if err != nil {
				return nil, err
			}
			m = append(m, Entry{ck, ce})
		}
		sort.SliceStable(m, func(i, j int) bool { return String(m[i].Key) < String(m[j].Key) })
		return m, nil
	case map[any]bool:
		s := make(Set, 0, len(x))
		for e := range x {
			c, err := fromLibrary(e)
			if err != nil {
				return nil, err
			}
			s = append(s, c)
		}
		sort.SliceStable(s, func(i, j int) bool { return String(s[i]) < String(s[j]) })
		return s, nil
	case olympos.Tag:
		c, err := fromLibrary(x.Value)
		if err != nil {
			return nil, err
		}
		return Tagged{Tag: x.Tagname, Value: c}, nil
	case time.Time: // #inst, which the library parses
		return x.Format(time.RFC3339Nano), nil
	}
	return nil, fmt.Errorf("unsupported EDN value of Go type %T", v)
}

// double is a float's canonical text, Java's Double.toString, as wire writes
// the doubles of JSON messages.
func double(f float64) json.Number {
	return wire.Canonical(json.Number(strconv.FormatFloat(f, 'e', -1, 64))).(json.Number)
}

// skipBlank returns the position of the first byte in data[pos:to] that is
// not whitespace, a comma or inside a ; comment.
func skipBlank(data []byte, pos, to int) int {
	for pos < to {
		switch c := data[pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '\f':
			pos++
		case c == ';':
			for pos < to && data[pos] != '\n' {
				pos++
			}
		default:
			return pos
		}
	}
	return to
}

// lineCounter finds the lines of increasing offsets counting each newline
// once (lineAt from the start for every value of a large file would be
// quadratic).
type lineCounter struct {
	data []byte
	pos  int // data[:pos] has been counted
	line int // the line at pos
}

func (c *lineCounter) at(pos int) int {
	c.line += bytes.Count(c.data[c.pos:pos], []byte{'\n'})
	c.pos = pos
	return c.line
}

// lineAt is the line (from 1) of byte offset pos.
func lineAt(data []byte, pos int) int {
	pos = min(max(pos, 0), len(data))
	return 1 + bytes.Count(data[:pos], []byte{'\n'})
}

// checkDepth refuses input nested deeper than MaxDepth. It follows strings,
// character literals and comments well enough not to count brackets inside
// them; anything it gets wrong only miscounts malformed input.
func checkDepth(data []byte) error {
	depth := 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '"':
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
		case '\\':
			i++ // a character literal: the next character is not syntax
		case ';':
			for i < len(data) && data[i] != '\n' {
				i++
			}
		case '(', '[', '{':
			if depth++; depth > MaxDepth {
				return &SyntaxError{Line: lineAt(data, i), Msg: fmt.Sprintf("collections nested more than %d deep", MaxDepth)}
			}
		case ')', ']', '}':
			depth--
		}
	}
	return nil
}
