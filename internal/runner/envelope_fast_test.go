package runner

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// parseSimpleEnvelope (the quick reader of the common line) never gives a
// message the general reader would not: on every line it takes, the
// general reader gives the same message with no trailing text and no error.
// The lines are the envelope tests' own, the common shapes, and random
// mutations of them (a byte changed, dropped or doubled), which cover
// malformed JSON, escapes, control characters and text after the value.
func TestSimpleEnvelopeAgreesWithGeneral(t *testing.T) {
	lines := []string{
		`{"src":"n0","dest":"c1","body":{"type":"echo_ok","echo":"Please echo 5","in_reply_to":1}}`,
		`{"dest":"n1","body":{"type":"gossip","values":[1,2.5e-3,-0,true,false,null,{}],"acks":{"n1":17}},"src":"n0"}`,
		` { "src" : "n0" , "dest" : "n1" , "body" : { "a" : [ 1 , { "b" : "\u00e9\n\"" } ] } } `,
		`{"src":"n0","dest":"n1","body":{"s":"<&>","t":"\\","u":"\/"}}`,
		`{"src":"n0","dest":"c1","body":{"type":"x"},"id":4}`,
		`{"src":"n0","dest":"n1","body":{}}{"src":"n0","dest":"n1","body":{}}`,
		`{"src":"n0","dest":"n1","body":{"a":1}} oops`,
		`{"src":"n\u0030","dest":"n1","body":{}}`,
		`{"src":"n0","src":"n2","dest":"n1","body":{}}`,
		`{"src":"n0","dest":"n1","body":{},"body":{"a":1}}`,
		`{"src":"","dest":"n1","body":{}}`,
		`{"src":"n0","dest":"n1","body":null}`,
		`{"src":"n0","dest":"n1","body":[]}`,
		"{\"src\":\"n0\",\"dest\":\"n1\",\"body\":{\"s\":\"a\tb\"}}",
		`{"src":"nö","dest":"n1","body":{}}`,
		`{"src":"n0","dest":"n1","body":{"n":01}}`,
		`{"src":"n0","dest":"n1","body":{"n":1.}}`,
		`{"src":"n0","dest":"n1","body":{"n":-}}`,
		`{"src":"n0","dest":"n1","body":{"n":1e}}`,
		`{"src":"n0","dest":"n1","body":{"n":tru}}`,
		`{"src":"n0","dest":"n1","body":{"s":"\x"}}`,
		`{"src":"n0","dest":"n1","body":{"s":"\u12"}}`,
		`{"src":"n0","dest":"n1","body":{"a":[1,]}}`,
		`{"src":"n0","dest":"n1","body":{"a":1,}}`,
		`{"src":"n0","dest":"n1","body":{}`,
		`{"src":"n0","dest":"n1","body":{"v":` + strings.Repeat("[", 998) + strings.Repeat("]", 998) + `}}`,
		`{"src":"n0","dest":"n1","body":{"v":` + strings.Repeat("[", 999) + strings.Repeat("]", 999) + `}}`,
		`{"src":"n0","dest":"n1","body":{"v":` + strings.Repeat("7", 1001) + `}}`,
	}
	check := func(line string) {
		t.Helper()
		m, ok := parseSimpleEnvelope([]byte(line))
		if !ok {
			return
		}
		want, trailing, err := parseGeneralEnvelope([]byte(line))
		if err != nil || len(trailing) > 0 || want.Src != m.Src || want.Dest != m.Dest || string(want.Body) != string(m.Body) {
			t.Fatalf("%q: quick reader gives %+v, general reader %+v, trailing %q, error %v", line, m, want, trailing, err)
		}
	}
	for _, line := range lines {
		check(line)
	}
	if _, ok := parseSimpleEnvelope([]byte(lines[0])); !ok {
		t.Errorf("the common line is not read the quick way")
	}
	rng := rand.New(rand.NewPCG(7, 7))
	alphabet := []byte("{}[]\",: \t\\/u0123456789.eE+-truefalsn\x01\x7f\xc3\xa9")
	for range 50_000 {
		b := []byte(lines[rng.IntN(len(lines))])
		for range 1 + rng.IntN(3) {
			i := rng.IntN(len(b))
			switch rng.IntN(3) {
			case 0:
				b[i] = alphabet[rng.IntN(len(alphabet))]
			case 1:
				b = append(b[:i], b[i+1:]...)
			case 2:
				b = append(b[:i+1], b[i:]...)
			}
			if len(b) == 0 {
				b = []byte("{")
			}
		}
		check(string(b))
	}
}
