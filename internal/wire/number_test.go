package wire

import (
	"encoding/json"
	"testing"
)

// Every number is decoded to one text per value as Jackson reads it:
// integers exact, anything with a fraction or exponent a Java double.
func TestDecodeCanonicalNumbers(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`0`, `0`},
		{`-0`, `0`},
		{`-17`, `-17`},
		{`123456789012345678901234567890`, `123456789012345678901234567890`},
		{`1.0`, `1.0`},
		{`1.00`, `1.0`},
		{`1e0`, `1.0`},
		{`10E-1`, `1.0`},
		{`-0.0`, `-0.0`}, // as Java prints it; Equal and Key take it for 0.0
		{`0e5`, `0.0`},
		{`1.5`, `1.5`},
		{`0.001`, `0.001`},
		{`0.0001`, `1.0E-4`},
		{`1234567.5`, `1234567.5`},
		{`1e7`, `1.0E7`},
		{`-1.25e-5`, `-1.25E-5`},
		{`1e20`, `1.0E20`},
		{`100000000000000001.0`, `1.0E17`},
		{`100000000000000002.0`, `1.0E17`},
		{`0.1`, `0.1`},
		{`4.9e-324`, `4.9E-324`},
		{`1e-400`, `0.0`}, // underflows to 0.0, as Double.parseDouble does
		{`-1e-400`, `-0.0`},
		{`1e400`, `1.0E999`}, // Infinity to Jackson
		{`2e999999`, `1.0E999`},
		{`-1e400`, `-1.0E999`},
	} {
		var v any
		if err := Decode([]byte(tc.in), &v); err != nil {
			t.Fatalf("Decode(%s): %v", tc.in, err)
		}
		if got, ok := v.(json.Number); !ok || string(got) != tc.want {
			t.Errorf("Decode(%s) = %#v, want json.Number(%q)", tc.in, v, tc.want)
		}
	}
}

// Decode canonicalises numbers at any depth and into every kind of target.
func TestDecodeCanonicalNested(t *testing.T) {
	raw := []byte(`{"a":[1.00,{"b":-0}],"c":2E1}`)
	want := `{"a":[1.0,{"b":0}],"c":20.0}`

	var b Body
	if err := Decode(raw, &b); err != nil {
		t.Fatal(err)
	}
	if got := string(Marshal(b)); got != want {
		t.Errorf("into Body: %s, want %s", got, want)
	}
	var m map[string]any
	if err := Decode(raw, &m); err != nil {
		t.Fatal(err)
	}
	if got := string(Marshal(m)); got != want {
		t.Errorf("into map: %s, want %s", got, want)
	}
	var s struct {
		A []any       `json:"a"`
		C json.Number `json:"c"`
	}
	if err := Decode(raw, &s); err != nil {
		t.Fatal(err)
	}
	if s.C != "20.0" || string(Marshal(s.A)) != `[1.0,{"b":0}]` {
		t.Errorf("into a struct: %+v", s)
	}
	if err := Decode([]byte(`{"a":1} x`), &b); err == nil {
		t.Error("trailing text accepted")
	}
}

// Equal and Key compare as Clojure's = compares what cheshire read, also for
// values that did not come through Decode (hand-made histories).
func TestEqualAndKeyCompareLikeMaelstrom(t *testing.T) {
	n := func(s string) json.Number { return json.Number(s) }
	for _, tc := range []struct {
		name  string
		a, b  any
		equal bool
	}{
		{"1.0 and 1.00 are one double", n("1.0"), n("1.00"), true},
		{"1 and 1.0 are a long and a double", n("1"), n("1.0"), false},
		{"doubles that round alike", n("100000000000000001.0"), n("100000000000000002.0"), true},
		{"integers stay exact", n("100000000000000001"), n("100000000000000002"), false},
		{"-0 is 0", n("-0"), n("0"), true},
		{"-0.0 is 0.0", n("-0.0"), n("0.0"), true},
		{"overflows of one sign", n("1e400"), n("1e500"), true},
		{"overflows of both signs", n("1e400"), n("-1e400"), false},
		{"nested in a list", []any{n("1.50"), "x"}, []any{n("15e-1"), "x"}, true},
		{"nested in a map", map[string]any{"k": n("2.0")}, Body{"k": n("2")}, false},
		{"nested in a body", Body{"k": []any{n("2.0")}}, Body{"k": []any{n("2.00")}}, true},
		{"a number is not its text", n("1"), "1", false},
	} {
		if got := Equal(tc.a, tc.b); got != tc.equal {
			t.Errorf("%s: Equal(%v, %v) = %v, want %v", tc.name, tc.a, tc.b, got, tc.equal)
		}
		if _, isBody := tc.b.(Body); !isBody { // Key does not tell a Body from a map
			if got := Key(tc.a) == Key(tc.b); got != tc.equal {
				t.Errorf("%s: Key(%v) = %s, Key(%v) = %s; same = %v, want %v", tc.name, tc.a, Key(tc.a), tc.b, Key(tc.b), got, tc.equal)
			}
		}
	}
}

// Canonical copies a container only when a number in it changes, and never
// changes the value it is given.
func TestCanonicalLeavesItsArgumentAlone(t *testing.T) {
	in := map[string]any{"a": []any{json.Number("1.00")}, "b": json.Number("7")}
	out := Canonical(in).(map[string]any)
	if got := in["a"].([]any)[0]; got != json.Number("1.00") {
		t.Errorf("argument changed to %v", got)
	}
	if got := out["a"].([]any)[0]; got != json.Number("1.0") {
		t.Errorf("canonical value %v, want 1.0", got)
	}
	already := []any{json.Number("1.0"), "x"}
	if got := Canonical(already).([]any); &got[0] != &already[0] {
		t.Error("a canonical value was copied")
	}
}

// Int and IsInteger see only integers: 1.0 is a double.
func TestIntegersAfterCanonicalDecode(t *testing.T) {
	for _, tc := range []struct {
		in      string
		integer bool
	}{{`5`, true}, {`-0`, true}, {`5.0`, false}, {`5e0`, false}, {`99999999999999999999`, true}} {
		var v any
		if err := Decode([]byte(tc.in), &v); err != nil {
			t.Fatal(err)
		}
		if got := IsInteger(v); got != tc.integer {
			t.Errorf("IsInteger(%s) = %v, want %v", tc.in, got, tc.integer)
		}
		if _, ok := Int(v); ok && !tc.integer {
			t.Errorf("Int(%s) accepted a double", tc.in)
		}
	}
}
