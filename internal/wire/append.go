package wire

import (
	"encoding/json"
	"strconv"
)

// AppendMessage appends m as json.Marshal(m) encodes it, byte for byte:
// {"id":..,"src":..,"dest":..,"body":..}, the body compacted and with <, >,
// & (and U+2028, U+2029) escaped. It exists because json.Marshal is the
// workbench's main cost per routed message (reflection, and a validating
// compaction of every body); here a body that is already compact and has
// none of those characters (nearly all of them) is copied as it is.
//
// m.Body must be well-formed JSON, as every body on the network is (nodes'
// bodies are parsed on the way in, clients' and services' are encoded by
// Marshal); it is not validated again. A body of none at all is written as
// null, as json.Marshal writes a nil RawMessage.
func AppendMessage(dst []byte, m Message) []byte {
	dst = append(dst, `{"id":`...)
	dst = strconv.AppendInt(dst, m.ID, 10)
	dst = append(dst, `,"src":`...)
	dst = AppendString(dst, m.Src)
	dst = append(dst, `,"dest":`...)
	dst = AppendString(dst, m.Dest)
	dst = append(dst, `,"body":`...)
	dst = AppendRaw(dst, m.Body)
	return append(dst, '}')
}

// AppendString appends s as a JSON string, as json.Marshal writes it.
func AppendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // anything to escape: encoding/json's rules, exactly
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// AppendRaw appends a well-formed JSON value as json.Marshal writes a
// json.RawMessage holding it.
func AppendRaw(dst []byte, raw json.RawMessage) []byte {
	if len(raw) == 0 {
		return append(dst, "null"...)
	}
	if !needsCompacting(raw) {
		return append(dst, raw...)
	}
	b, err := json.Marshal(raw)
	if err != nil { // not well-formed after all: keep it rather than lose the message
		return append(dst, raw...)
	}
	return append(dst, b...)
}

// needsCompacting reports whether json.Marshal would change a well-formed
// value: white space between tokens (kept inside strings), or a character
// it escapes for HTML (<, >, &, and U+2028 and U+2029, which start with
// the byte 0xe2).
func needsCompacting(raw []byte) bool {
	inString := false
	for i := 0; i < len(raw); i++ {
		switch compactClass[raw[i]] {
		case plainByte:
		case htmlByte:
			return true
		case quoteByte:
			inString = !inString
		case backslashByte:
			i++ // only inside strings: the escaped byte is never special
		case spaceByte:
			if !inString {
				return true
			}
		}
	}
	return false
}

// compactClass sorts bytes for needsCompacting, so that the common ones
// cost one table look-up.
var compactClass = func() (t [256]byte) {
	for _, c := range []byte("<>&\xe2") {
		t[c] = htmlByte
	}
	t['"'], t['\\'] = quoteByte, backslashByte
	for _, c := range []byte(" \t\n\r") {
		t[c] = spaceByte
	}
	return t
}()

const (
	plainByte = iota
	htmlByte
	quoteByte
	backslashByte
	spaceByte
)
