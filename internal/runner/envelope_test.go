package runner

import "testing"

func TestParseEnvelope(t *testing.T) {
	for _, tc := range []struct {
		line string
		ok   bool
		body string
	}{
		{`{"src":"n0","dest":"c1","body":{"type":"echo_ok"}}`, true, `{"type":"echo_ok"}`},
		{`{"src":"n0","dest":"c1","body":{"type":"x"},"id":4}`, true, `{"type":"x"}`},
		{`{"src":"n0","dest":"n1"}`, true, `{}`},
		{`{"src":"n0","dest":"n1","body":null}`, true, `{}`},
		{`{"src":"n0","dest":"n1","body":[]}`, true, `{}`},
		{`{"src":"n0","dest":"n1","body":"hi"}`, false, ""},
		{`{"src":"n0","dest":"n1","body":[1,2]}`, false, ""},
		{`{"src":"n0","dest":"n1","body":{},"extra":1}`, false, ""},
		{`{"src":1,"dest":"n1","body":{}}`, false, ""},
		{`{"dest":"n1","body":{}}`, false, ""},
		{`{"src":"n0","dest":"n1","body":{},"id":"x"}`, false, ""},
		{`not json`, false, ""},
		{`[1]`, false, ""},
	} {
		m, err := parseEnvelope([]byte(tc.line))
		if (err == nil) != tc.ok {
			t.Errorf("%s: err=%v, want ok=%v", tc.line, err, tc.ok)
			continue
		}
		if tc.ok && string(m.Body) != tc.body {
			t.Errorf("%s: body %s, want %s", tc.line, m.Body, tc.body)
		}
	}
}
