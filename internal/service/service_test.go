package service

import (
	"math/rand/v2"
	"testing"

	"gossip-glomers/internal/wire"
)

func body(t *testing.T, s string) wire.Body {
	t.Helper()
	b, err := wire.DecodeBody([]byte(s))
	if err != nil {
		t.Fatalf("bad test body %s: %v", s, err)
	}
	return b
}

// call sends one request and returns the reply as the requester decodes it
// (numbers as json.Number), or nil.
func call(s Service, src string, req wire.Body) wire.Body {
	reply := s.Handle(src, req)
	if reply == nil {
		return nil
	}
	b, err := wire.DecodeBody(wire.Marshal(reply))
	if err != nil {
		panic(err)
	}
	return b
}

// step is one request and the reply it must get ("" = no reply).
type step struct{ req, want string }

func runSteps(t *testing.T, s Service, src string, steps []step) {
	t.Helper()
	for i, st := range steps {
		got := call(s, src, body(t, st.req))
		if st.want == "" {
			if got != nil {
				t.Fatalf("step %d %s: got %s, want no reply", i, st.req, wire.Key(got))
			}
			continue
		}
		if got == nil || wire.Key(got) != wire.Key(body(t, st.want)) {
			t.Fatalf("step %d %s: got %s, want %s", i, st.req, wire.Key(got), st.want)
		}
	}
}

// kvSemantics is PersistentKV's behaviour as one sender sees it. A single
// sender on seq-kv sees exactly this too: every state it can be served is at
// least as new as its own last change.
var kvSemantics = map[string][]step{
	"read missing key": {
		{`{"type":"read","key":"x"}`, `{"type":"error","code":20,"text":"key does not exist"}`},
	},
	"write then read": {
		{`{"type":"write","key":"x","value":3}`, `{"type":"write_ok"}`},
		{`{"type":"read","key":"x"}`, `{"type":"read_ok","value":3}`},
		{`{"type":"write","key":"x","value":[1,{"a":null}]}`, `{"type":"write_ok"}`},
		{`{"type":"read","key":"x"}`, `{"type":"read_ok","value":[1,{"a":null}]}`},
	},
	"null is a value, a missing key is null": {
		{`{"type":"write","key":"x","value":null}`, `{"type":"write_ok"}`},
		{`{"type":"read","key":"x"}`, `{"type":"read_ok","value":null}`},
		{`{"type":"write"}`, `{"type":"write_ok"}`},
		{`{"type":"read","key":null}`, `{"type":"read_ok","value":null}`},
	},
	"keys are structural JSON": {
		{`{"type":"write","key":1,"value":"int"}`, `{"type":"write_ok"}`},
		{`{"type":"write","key":"1","value":"string"}`, `{"type":"write_ok"}`},
		{`{"type":"write","key":{"b":1,"a":[2]},"value":"map"}`, `{"type":"write_ok"}`},
		{`{"type":"read","key":1}`, `{"type":"read_ok","value":"int"}`},
		{`{"type":"read","key":"1"}`, `{"type":"read_ok","value":"string"}`},
		{`{"type":"read","key":{"a":[2],"b":1}}`, `{"type":"read_ok","value":"map"}`},
		{`{"type":"read","key":1.0}`, `{"type":"error","code":20,"text":"key does not exist"}`},
	},
	"cas": {
		{`{"type":"cas","key":"x","from":1,"to":2}`, `{"type":"error","code":20,"text":"key does not exist"}`},
		{`{"type":"write","key":"x","value":1}`, `{"type":"write_ok"}`},
		{`{"type":"cas","key":"x","from":1,"to":2}`, `{"type":"cas_ok"}`},
		{`{"type":"cas","key":"x","from":1,"to":3}`, `{"type":"error","code":22,"text":"current value 2 is not 1"}`},
		{`{"type":"cas","key":"x","from":2.0,"to":3}`, `{"type":"error","code":22,"text":"current value 2 is not 2.0"}`},
		{`{"type":"cas","key":"x","from":"2","to":3}`, `{"type":"error","code":22,"text":"current value 2 is not \"2\""}`},
		{`{"type":"read","key":"x"}`, `{"type":"read_ok","value":2}`},
		{`{"type":"cas","key":"x","from":2,"to":2}`, `{"type":"cas_ok"}`},
		{`{"type":"cas","key":"x","from":2,"to":{"s":["t",null]}}`, `{"type":"cas_ok"}`},
		{`{"type":"cas","key":"x","from":{"s":["t",null]},"to":5}`, `{"type":"cas_ok"}`},
		{`{"type":"read","key":"x"}`, `{"type":"read_ok","value":5}`},
	},
	"cas create_if_not_exists": {
		{`{"type":"cas","key":"x","from":9,"to":1,"create_if_not_exists":true}`, `{"type":"cas_ok"}`},
		{`{"type":"read","key":"x"}`, `{"type":"read_ok","value":1}`},
		{`{"type":"cas","key":"x","from":9,"to":2,"create_if_not_exists":true}`, `{"type":"error","code":22,"text":"current value 1 is not 9"}`},
		{`{"type":"cas","key":"y","from":9,"to":1,"create_if_not_exists":false}`, `{"type":"error","code":20,"text":"key does not exist"}`},
		{`{"type":"cas","key":"y","from":9,"to":1,"create_if_not_exists":null}`, `{"type":"error","code":20,"text":"key does not exist"}`},
		// Clojure truthiness: 0 and "" are true
		{`{"type":"cas","key":"y","from":9,"to":7,"create_if_not_exists":0}`, `{"type":"cas_ok"}`},
		{`{"type":"read","key":"y"}`, `{"type":"read_ok","value":7}`},
	},
	"unknown types get no reply": {
		{`{"type":"delete","key":"x"}`, ``},
		{`{"key":"x"}`, ``},
		{`{"type":"ts"}`, ``},
		{`{"type":"read","key":"x"}`, `{"type":"error","code":20,"text":"key does not exist"}`},
	},
}

func TestKVSemantics(t *testing.T) {
	stores := map[string]func() Service{
		"lin-kv": func() Service { s, _ := New("lin-kv", rand.New(rand.NewPCG(1, 2))); return s },
		"seq-kv": func() Service { s, _ := New("seq-kv", rand.New(rand.NewPCG(1, 2))); return s },
	}
	for sname, mk := range stores {
		for name, steps := range kvSemantics {
			t.Run(sname+"/"+name, func(t *testing.T) { runSteps(t, mk(), "n0", steps) })
		}
	}
}

func TestNew(t *testing.T) {
	for _, n := range Names {
		if s, ok := New(n, rand.New(rand.NewPCG(1, 1))); !ok || s == nil {
			t.Errorf("New(%q) failed", n)
		}
	}
	if _, ok := New("fifo-queue", rand.New(rand.NewPCG(1, 1))); ok {
		t.Error("New accepted an unknown service")
	}
}

func TestLinTSO(t *testing.T) {
	s, _ := New("lin-tso", rand.New(rand.NewPCG(1, 1)))
	runSteps(t, s, "n0", []step{
		{`{"type":"ts"}`, `{"type":"ts_ok","ts":0}`},
		{`{"type":"ts"}`, `{"type":"ts_ok","ts":1}`},
		{`{"type":"read","key":1}`, ``},
	})
	runSteps(t, s, "n1", []step{{`{"type":"ts"}`, `{"type":"ts_ok","ts":2}`}})
}

func TestPrStr(t *testing.T) {
	cases := []struct{ json, pr, str string }{
		{`null`, `nil`, ``},
		{`true`, `true`, `true`},
		{`12`, `12`, `12`},
		{`-0`, `0`, `0`},
		{`123456789012345678901234567890`, `123456789012345678901234567890`, `123456789012345678901234567890`},
		{`1.5`, `1.5`, `1.5`},
		{`2.0`, `2.0`, `2.0`},
		{`1e2`, `100.0`, `100.0`},
		{`1e20`, `1.0E20`, `1.0E20`},
		{`-1.25e-5`, `-1.25E-5`, `-1.25E-5`},
		{`0.001`, `0.001`, `0.001`},
		{`-0.0`, `-0.0`, `-0.0`},
		{`"a\"b\\c\nd"`, `"a\"b\\c\nd"`, "a\"b\\c\nd"},
		{`[1,"a",[],null]`, `[1 "a" [] nil]`, `[1 "a" [] nil]`},
		{`{"b":[1],"a":{"c":"d"}}`, `{"a" {"c" "d"}, "b" [1]}`, `{"a" {"c" "d"}, "b" [1]}`},
		{`{}`, `{}`, `{}`},
	}
	for _, c := range cases {
		var v any
		if err := wire.Decode([]byte(c.json), &v); err != nil {
			t.Fatal(err)
		}
		if got := prStr(v); got != c.pr {
			t.Errorf("prStr(%s) = %s, want %s", c.json, got, c.pr)
		}
		if got := str(v); got != c.str {
			t.Errorf("str(%s) = %s, want %s", c.json, got, c.str)
		}
	}
}
