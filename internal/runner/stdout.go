package runner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"gossip-glomers/internal/wire"
)

// How Maelstrom reads a node's stdout (maelstrom.process/stdout-thread and
// parse-msg), and what the runner keeps between two lines of one node.
//
// Each line goes through cheshire's parse-string, which reads the first JSON
// value of the line with Jackson and ignores whatever follows it, and which
// accepts raw control characters inside strings (cheshire.factory's
// allow-unquoted-control-chars). An empty line reads as nil, which fails the
// message schema. Any error in that pump (bad JSON, bad envelope, a message
// the network rejects) ends the pump's loop body with nil lines, and the
// io-thread then spins without reading that node's stdout again: everything
// the node writes from then on is lost.

// errEmptyLine is a stdout line with nothing but white space on it.
var errEmptyLine = errors.New("empty line")

// errBeyondJackson is a well-formed line that Jackson nonetheless refuses
// (see jacksonLimits).
var errBeyondJackson = errors.New("beyond Jackson's read limits")

// decodeLine decodes the first JSON value of a stdout line into an object's
// fields, as cheshire's parse-string reads it, and returns the text after
// that value (white space trimmed). The fields are always well-formed JSON:
// raw control characters inside strings come back escaped, as Maelstrom's
// re-encoding of every message writes them to the receiver.
func decodeLine(line []byte) (fields map[string]json.RawMessage, trailing []byte, err error) {
	// Nearly every line is strict JSON with nothing after it: one pass,
	// nothing copied. Only a line that fails this pays for the rest.
	if json.Unmarshal(line, &fields) == nil {
		return fields, nil, jacksonLimits(line)
	}
	fields = nil
	line = escapeControlChars(line)
	d := json.NewDecoder(bytes.NewReader(line))
	if err := d.Decode(&fields); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, errEmptyLine
		}
		return nil, nil, err
	}
	end := d.InputOffset()
	return fields, bytes.TrimSpace(line[end:]), jacksonLimits(line[:end])
}

// Jackson's default read constraints (StreamReadConstraints in 2.17, which
// cheshire 5.13 leaves as they are): a value past one of them is a parse
// error there, so Maelstrom stops reading the node.
const (
	jacksonMaxDepth        = 1000
	jacksonMaxNumberLength = 1000
	jacksonMaxStringLength = 20_000_000
)

// jacksonLimits reports a JSON value (well-formed, already decoded) that
// nests deeper, or holds a longer number or string, than Jackson reads.
// None can fit in fewer bytes than the smallest limit, so short lines (all
// but a few) are not scanned.
func jacksonLimits(value []byte) error {
	if len(value) <= jacksonMaxDepth {
		return nil
	}
	depth, number, str := 0, 0, 0
	inString, escaped := false, false
	for _, b := range value {
		if inString {
			switch {
			case escaped:
				escaped = false
			case b == '\\':
				escaped = true
			case b == '"':
				inString = false
				continue
			}
			if str++; str > jacksonMaxStringLength {
				return fmt.Errorf("%w: a string longer than %d characters", errBeyondJackson, jacksonMaxStringLength)
			}
			continue
		}
		if b >= '0' && b <= '9' {
			if number++; number > jacksonMaxNumberLength {
				return fmt.Errorf("%w: a number with more than %d digits", errBeyondJackson, jacksonMaxNumberLength)
			}
			continue
		}
		if b != '.' && b != 'e' && b != 'E' && b != '+' && b != '-' {
			number = 0
		}
		switch b {
		case '"':
			inString, str = true, 0
		case '{', '[':
			if depth++; depth > jacksonMaxDepth {
				return fmt.Errorf("%w: values nested more than %d deep", errBeyondJackson, jacksonMaxDepth)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

// escapeControlChars rewrites every raw control character (a byte below
// 0x20) inside a JSON string of line as a \u00XX escape, so that what Jackson
// accepts there is strict JSON. Outside strings nothing changes: a control
// character between tokens other than white space stays an error, as it is
// for Jackson. A line without control characters is returned as it is.
func escapeControlChars(line []byte) []byte {
	if !hasControlChar(line) {
		return line
	}
	const hex = "0123456789abcdef"
	out := make([]byte, 0, len(line)+16)
	inString, escaped := false, false
	for _, b := range line {
		switch {
		case escaped:
			escaped = false
		case inString && b == '\\':
			escaped = true
		case b == '"':
			inString = !inString
		case inString && b < 0x20:
			out = append(out, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xf])
			continue
		}
		out = append(out, b)
	}
	return out
}

func hasControlChar(line []byte) bool {
	for _, b := range line {
		if b < 0x20 {
			return true
		}
	}
	return false
}

// nodeOutput is what the runner remembers about one node's stdout. Only that
// node's stdout pump touches it (process.Start calls onLine from one
// goroutine), so it needs no lock of its own.
type nodeOutput struct {
	// dead: Maelstrom would no longer be reading this stdout (after a late
	// reply to a closed client), so every later line is discarded.
	dead bool
	// warnedTrailing: the node was already warned about text after a message.
	warnedTrailing bool
}

// nodeOutputs is every node's nodeOutput; the zero value is ready to use.
type nodeOutputs struct {
	mu    sync.Mutex
	nodes map[string]*nodeOutput
}

func (o *nodeOutputs) of(node string) *nodeOutput {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.nodes == nil {
		o.nodes = map[string]*nodeOutput{}
	}
	out := o.nodes[node]
	if out == nil {
		out = &nodeOutput{}
		o.nodes[node] = out
	}
	return out
}

// parseEnvelope reads one line a node wrote to stdout (see
// parseGeneralEnvelope in nodes.go for what it accepts): the common line
// the quick way, any other the general way.
func parseEnvelope(line []byte) (wire.Message, []byte, error) {
	if m, ok := parseSimpleEnvelope(line); ok {
		return m, nil, nil
	}
	return parseGeneralEnvelope(line)
}

// parseSimpleEnvelope is parseEnvelope for the line nearly every node writes:
// strict JSON with nothing after it, an object holding "src" and "dest" as
// plain strings (printable ASCII, no escapes) and an object "body", each
// once, and nothing else. It gives the same message parseEnvelope would, the
// body being the line's own bytes, in one pass that validates as it goes
// instead of decoding the line into a map first. ok is false for any other
// line (and for valid JSON it does not follow, such as values nested deeper
// than Jackson reads), which parseEnvelope then reads the general way and
// reports, if it must.
func parseSimpleEnvelope(line []byte) (m wire.Message, ok bool) {
	if jacksonLimits(line) != nil {
		return m, false
	}
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return m, false
	}
	i++
	for {
		i = skipSpace(line, i)
		keyEnd, ok := scanString(line, i)
		if !ok {
			return m, false // "}" at once is an empty object: no envelope
		}
		key := line[i+1 : keyEnd-1]
		i = skipSpace(line, keyEnd)
		if i >= len(line) || line[i] != ':' {
			return m, false
		}
		i = skipSpace(line, i+1)
		end, ok := scanValue(line, i, 1)
		if !ok {
			return m, false
		}
		value := line[i:end]
		switch string(key) {
		case "src":
			if m.Src != "" || !plainString(value) {
				return m, false
			}
			m.Src = string(value[1 : len(value)-1])
		case "dest":
			if m.Dest != "" || !plainString(value) {
				return m, false
			}
			m.Dest = string(value[1 : len(value)-1])
		case "body":
			if m.Body != nil || value[0] != '{' {
				return m, false
			}
			m.Body = value
		default: // "id", escaped keys, unknown keys: the general way
			return m, false
		}
		i = skipSpace(line, end)
		if i >= len(line) {
			return m, false
		}
		switch line[i] {
		case ',':
			i++
		case '}':
			done := skipSpace(line, i+1) == len(line) // nothing after the value
			return m, done && m.Src != "" && m.Dest != "" && m.Body != nil
		default:
			return m, false
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanValue checks that a strict JSON value (RFC 8259) starts at b[i] and
// returns the index just past it. It accepts nothing encoding/json rejects;
// it gives up on values nested more than Jackson's limit deep (depth counts
// the enclosing levels), leaving them to the general reader.
func scanValue(b []byte, i, depth int) (end int, ok bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '"':
		return scanString(b, i)
	case c == '{' || c == '[':
		if depth++; depth > jacksonMaxDepth {
			return i, false
		}
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == closing {
			return i + 1, true
		}
		for {
			if c == '{' {
				if i, ok = scanString(b, i); !ok {
					return i, false
				}
				if i = skipSpace(b, i); i >= len(b) || b[i] != ':' {
					return i, false
				}
				i = skipSpace(b, i+1)
			}
			if i, ok = scanValue(b, i, depth); !ok {
				return i, false
			}
			if i = skipSpace(b, i); i >= len(b) {
				return i, false
			}
			switch b[i] {
			case ',':
				i = skipSpace(b, i+1)
			case closing:
				return i + 1, true
			default:
				return i, false
			}
		}
	case c == '-' || (c >= '0' && c <= '9'):
		return scanNumber(b, i)
	}
	for _, lit := range []string{"true", "false", "null"} {
		if bytes.HasPrefix(b[i:], []byte(lit)) {
			return i + len(lit), true
		}
	}
	return i, false
}

// scanString checks a JSON string starting at b[i] (no raw control
// characters; only JSON's escapes) and returns the index past its quote.
func scanString(b []byte, i int) (end int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return i, false
	}
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return i, false
		case c == '\\':
			if i++; i >= len(b) {
				return i, false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(b) {
					return i, false
				}
				for _, h := range b[i+1 : i+5] {
					if !isHex(h) {
						return i, false
					}
				}
				i += 4
			default:
				return i, false
			}
		}
	}
	return i, false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// scanNumber checks a JSON number starting at b[i]: -?(0|[1-9][0-9]*)
// (.[0-9]+)?([eE][+-]?[0-9]+)?, and returns the index past it.
func scanNumber(b []byte, i int) (end int, ok bool) {
	digits := func() bool {
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return i, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return i, false
		}
	}
	return i, true
}

// plainString reports whether a JSON string value is non-empty and holds
// only printable ASCII without escapes: its bytes between the quotes are
// the string itself.
func plainString(v []byte) bool {
	if len(v) < 3 || v[0] != '"' || v[len(v)-1] != '"' {
		return false
	}
	for _, c := range v[1 : len(v)-1] {
		if c < 0x20 || c > 0x7e || c == '\\' || c == '"' {
			return false
		}
	}
	return true
}
