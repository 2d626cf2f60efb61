package wire

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
)

// AppendMessage writes exactly what json.Marshal writes, so that neither
// the journal nor what a node reads changed when the workbench stopped
// encoding through reflection.
func TestAppendMessageIsJSONMarshal(t *testing.T) {
	for _, tc := range []struct {
		name       string
		src, dest  string
		body       string
		nilBody    bool
		negativeID bool
	}{
		{name: "plain", src: "n0", dest: "n1", body: `{"type":"gossip","values":[1,2,3]}`},
		{name: "spaces inside strings kept", src: "n0", dest: "c1", body: `{"echo":"Please echo 42"}`},
		{name: "white space between tokens", src: "n0", dest: "n1", body: "{ \"a\" : [1, 2],\n\t\"b\":{} }"},
		{name: "html characters", src: "n0", dest: "n1", body: `{"s":"<a href=\"x\">&amp;</a>"}`},
		{name: "escaped quote then space", src: "n0", dest: "n1", body: `{"s":"a\" b","t" : 1}`},
		{name: "line and paragraph separators", src: "n0", dest: "n1", body: "{\"s\":\"a\u2028b\u2029c\"}"},
		{name: "other non-ASCII", src: "n0", dest: "n1", body: `{"s":"héllo ☃ 日本"}`},
		{name: "escapes kept", src: "n0", dest: "n1", body: `{"s":"\u0000\t\n\\"}`},
		{name: "big numbers", src: "n0", dest: "n1", body: `{"n":123456789012345678901234567890,"f":1.0E999}`},
		{name: "nil body", src: "n0", dest: "n1", nilBody: true},
		{name: "names to escape", src: "n\"0", dest: "n<1>&\\", body: `{}`},
		{name: "control characters in a name", src: "n\x01\b\f\n\r\t", dest: "n1", body: `{}`},
		{name: "non-ASCII and invalid UTF-8 names", src: "nö", dest: "n\xff\u2028", body: `{}`},
		{name: "negative id", src: "n0", dest: "n1", body: `{}`, negativeID: true},
	} {
		m := Message{ID: 12345, Src: tc.src, Dest: tc.dest, Body: json.RawMessage(tc.body)}
		if tc.nilBody {
			m.Body = nil
		}
		if tc.negativeID {
			m.ID = -7
		}
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := AppendMessage([]byte("prefix"), m); string(got) != "prefix"+string(want) {
			t.Errorf("%s:\n got %s\nwant prefix%s", tc.name, got, want)
		}
	}
}

// The same on random bodies built from the characters that matter.
func TestAppendMessageRandomBodies(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{" ", "\t", "\n", "<", ">", "&", "\u2028", "é", "\\\"", "\\\\", "x", "1", " ", "\u2029"}
	for range 2000 {
		var s []byte
		for range rng.IntN(8) {
			s = append(s, pieces[rng.IntN(len(pieces))]...)
		}
		ws := pieces[rng.IntN(3)]
		body, _ := json.Marshal(map[string]string{"k": string(s)})
		// Put white space between tokens too, sometimes.
		if rng.IntN(2) == 0 {
			body = []byte("{" + ws + `"k"` + ws + ":" + ws + string(body[5:len(body)-1]) + ws + "}")
		}
		if !json.Valid(body) {
			t.Fatalf("bad test body %q", body)
		}
		m := Message{ID: 1, Src: "n0", Dest: "n1", Body: body}
		want, _ := json.Marshal(m)
		if got := AppendMessage(nil, m); string(got) != string(want) {
			t.Fatalf("body %q:\n got %s\nwant %s", body, got, want)
		}
	}
}

func BenchmarkAppendMessage(b *testing.B) {
	m := Message{ID: 1234567, Src: "n3", Dest: "n7",
		Body: json.RawMessage(`{"type":"gossip","msg_id":1234,"values":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],"acks":{"n1":17,"n2":18}}`)}
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf = AppendMessage(buf[:0], m)
	}
}

// Key takes a short cut for strings and numbers; it still gives what
// json.Marshal gives for the canonical value.
func TestKeyShortCutsAreJSONMarshal(t *testing.T) {
	for _, v := range []any{
		"plain", "quote \" and \\ backslash", "<html>&", "tab\tnew\nline", "é☃", "\u2028", "bad \xff",
		json.Number("12"), json.Number("-0"), json.Number("1.00"), json.Number("-0.0"), json.Number("1e400"),
		json.Number(""), json.Number(" 1"), json.Number("abc"), json.Number("01"),
	} {
		want, err := json.Marshal(forComparison(v))
		w := string(want)
		if err != nil {
			w = fmt.Sprint(v)
		}
		if got := Key(v); got != w {
			t.Errorf("Key(%#v) = %q, want %q", v, got, w)
		}
	}
}
