package runner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
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
