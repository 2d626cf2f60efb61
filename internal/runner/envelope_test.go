package runner

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// parseEnvelope accepts what Maelstrom's parse-msg accepts (cheshire reads
// the first JSON value of the line, raw control characters included) and
// hands on a body that is strict JSON, as Maelstrom re-encodes it.
func TestParseEnvelope(t *testing.T) {
	for _, tc := range []struct {
		name     string
		line     string
		ok       bool
		body     string
		trailing string
	}{
		{"a reply", `{"src":"n0","dest":"c1","body":{"type":"echo_ok"}}`, true, `{"type":"echo_ok"}`, ""},
		{"with an id", `{"src":"n0","dest":"c1","body":{"type":"x"},"id":4}`, true, `{"type":"x"}`, ""},
		{"with an id past int64", `{"src":"n0","dest":"c1","body":{},"id":123456789012345678901234}`, true, `{}`, ""},
		{"no body", `{"src":"n0","dest":"n1"}`, true, `{}`, ""},
		{"null body", `{"src":"n0","dest":"n1","body":null}`, true, `{}`, ""},
		{"empty list body", `{"src":"n0","dest":"n1","body":[ ]}`, true, `{}`, ""},
		{"empty string body", `{"src":"n0","dest":"n1","body":""}`, true, `{}`, ""},
		{"white space around", " \t{\"src\":\"n0\",\"dest\":\"n1\",\"body\":{}}\t ", true, `{}`, ""},
		// Item 2: text after the value is ignored (and reported).
		{"text after", `{"src":"n0","dest":"n1","body":{"a":1}} oops`, true, `{"a":1}`, "oops"},
		{"two messages on a line", `{"src":"n0","dest":"n1","body":{"a":1}}{"src":"n0","dest":"n1","body":{}}`, true, `{"a":1}`,
			`{"src":"n0","dest":"n1","body":{}}`},
		{"broken text after", `{"src":"n0","dest":"n1","body":{}}}"`, true, `{}`, `}"`},
		// Item 3: raw control characters inside strings, escaped on the way on.
		{"raw tab in a string", "{\"src\":\"n0\",\"dest\":\"n1\",\"body\":{\"s\":\"a\tb\"}}", true, `{"s":"a\u0009b"}`, ""},
		{"raw NUL and BEL", "{\"src\":\"n0\",\"dest\":\"n1\",\"body\":{\"s\":\"\x00\x07\\\"\x1f\"}}", true, `{"s":"\u0000\u0007\"\u001f"}`, ""},
		{"raw control char in a key", "{\"src\":\"n0\",\"dest\":\"n1\",\"body\":{\"k\x01\":1}}", true, `{"k\u0001":1}`, ""},
		{"raw tab and text after", "{\"src\":\"n0\",\"dest\":\"n1\",\"body\":{\"s\":\"\t\"}} x", true, `{"s":"\u0009"}`, "x"},
		// Item 6: what Maelstrom would choke on (its pump then stops).
		{"string body", `{"src":"n0","dest":"n1","body":"hi"}`, false, "", ""},
		{"list body", `{"src":"n0","dest":"n1","body":[1,2]}`, false, "", ""},
		{"extra key", `{"src":"n0","dest":"n1","body":{},"extra":1}`, false, "", ""},
		{"numeric src", `{"src":1,"dest":"n1","body":{}}`, false, "", ""},
		{"no src", `{"dest":"n1","body":{}}`, false, "", ""},
		{"string id", `{"src":"n0","dest":"n1","body":{},"id":"x"}`, false, "", ""},
		{"double id", `{"src":"n0","dest":"n1","body":{},"id":1.0}`, false, "", ""},
		{"not JSON", `not json`, false, "", ""},
		{"a list", `[1]`, false, "", ""},
		{"cut short", `{"src":"n0","dest":"n1","body":{}`, false, "", ""},
		{"control char between tokens", "{\"src\":\"n0\",\x01\"dest\":\"n1\",\"body\":{}}", false, "", ""},
		{"backslash before a raw tab", "{\"src\":\"n0\",\"dest\":\"n1\",\"body\":{\"s\":\"\\\t\"}}", false, "", ""},
	} {
		m, trailing, err := parseEnvelope([]byte(tc.line))
		if (err == nil) != tc.ok {
			t.Errorf("%s: err=%v, want ok=%v", tc.name, err, tc.ok)
			continue
		}
		if !tc.ok {
			continue
		}
		if string(m.Body) != tc.body || string(trailing) != tc.trailing {
			t.Errorf("%s: body %s trailing %q, want %s and %q", tc.name, m.Body, trailing, tc.body, tc.trailing)
		}
		if !json.Valid(m.Body) {
			t.Errorf("%s: body %q is not strict JSON", tc.name, m.Body)
		}
	}
}

// Item 1: an empty or blank line is told apart from other bad lines, so the
// run can say what Maelstrom would do with it.
func TestParseEnvelopeEmptyLine(t *testing.T) {
	for _, line := range []string{"", " ", "\t \t"} {
		if _, _, err := parseEnvelope([]byte(line)); !errors.Is(err, errEmptyLine) {
			t.Errorf("%q: err=%v, want errEmptyLine", line, err)
		}
	}
	if _, _, err := parseEnvelope([]byte("null")); err == nil || errors.Is(err, errEmptyLine) {
		t.Errorf("null: err=%v, want a malformed-message error", err)
	}
}

func BenchmarkParseEnvelope(b *testing.B) {
	line := []byte(`{"src":"n3","dest":"n7","body":{"type":"gossip","msg_id":1234,"values":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],"acks":{"n1":17,"n2":18}}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := parseEnvelope(line); err != nil {
			b.Fatal(err)
		}
	}
}

// TestParseEnvelopeJacksonLimits: Jackson (2.17, as cheshire configures it)
// refuses values nested more than 1000 deep and numbers of more than 1000
// digits, so Maelstrom stops reading a node that writes one; we reject the
// line. Just under each limit is fine, and digits inside strings are not a
// number.
func TestParseEnvelopeJacksonLimits(t *testing.T) {
	msg := func(v string) []byte { return []byte(`{"src":"n0","dest":"c0","body":{"type":"x","v":` + v + `}}`) }
	nested := func(depth int) string { // body and envelope add 2 levels
		return strings.Repeat("[", depth-2) + strings.Repeat("]", depth-2)
	}
	digits := strings.Repeat("7", 1000)
	for _, tc := range []struct {
		name string
		line []byte
		bad  bool
	}{
		{"nested 1000 deep", msg(nested(1000)), false},
		{"nested 1001 deep", msg(nested(1001)), true},
		{"1000-digit integer", msg(digits), false},
		{"1001-digit integer", msg(digits + "7"), true},
		{"1001-digit float", msg(digits[:500] + "." + digits[:501]), true},
		{"1001 digits in a string", msg(`"` + digits + `7"`), false},
		{"1001 digits after trailing text", append(msg("1"), []byte(" "+digits+"7")...), false},
	} {
		_, _, err := parseEnvelope(tc.line)
		if tc.bad != errors.Is(err, errBeyondJackson) {
			t.Errorf("%s: err %v, want beyond Jackson's limits: %v", tc.name, err, tc.bad)
		}
		if !tc.bad && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
