package edn

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// kw builds a Map from alternating keyword names and values.
func kw(kvs ...any) Map {
	m := Map{}
	for i := 0; i < len(kvs); i += 2 {
		m = append(m, Entry{Keyword(kvs[i].(string)), kvs[i+1]})
	}
	return m
}

func valid() Map { return kw("valid?", true) }

// The layouts below are real Maelstrom output, from its documentation
// (doc/02-echo/index.md, doc/03-broadcast/01-broadcast.md,
// doc/04-crdts/01-g-set.md), printed by fipp.edn/pprint at width 70.
func TestPrettyMatchesMaelstrom(t *testing.T) {
	stats := func(n int) Map {
		return kw("valid?", true, "count", n, "ok-count", n, "fail-count", 0, "info-count", 0)
	}
	echoStats := append(stats(12), Entry{Keyword("by-f"), kw("echo", stats(12))})
	group := func(n int, perOp any) Map {
		m := kw("send-count", n, "recv-count", n, "msg-count", n)
		if perOp != nil {
			m = append(m, Entry{Keyword("msgs-per-op"), perOp})
		}
		return m
	}
	latencies := func(vs ...int) Map {
		return Map{{json.Number("0"), vs[0]}, {json.Number("0.5"), vs[1]}, {json.Number("0.95"), vs[2]},
			{json.Number("0.99"), vs[3]}, {json.Number("1"), vs[4]}}
	}
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"echo", kw(
			"perf", kw("latency-graph", valid(), "rate-graph", valid(), "valid?", true),
			"timeline", valid(),
			"exceptions", valid(),
			"stats", echoStats,
			"net", kw("stats", kw("all", group(26, nil), "clients", group(26, nil), "servers", group(0, nil)), "valid?", true),
			"workload", kw("valid?", true, "errors", List{}),
			"valid?", true), `
{:perf {:latency-graph {:valid? true},
        :rate-graph {:valid? true},
        :valid? true},
 :timeline {:valid? true},
 :exceptions {:valid? true},
 :stats {:valid? true,
         :count 12,
         :ok-count 12,
         :fail-count 0,
         :info-count 0,
         :by-f {:echo {:valid? true,
                       :count 12,
                       :ok-count 12,
                       :fail-count 0,
                       :info-count 0}}},
 :net {:stats {:all {:send-count 26, :recv-count 26, :msg-count 26},
               :clients {:send-count 26,
                         :recv-count 26,
                         :msg-count 26},
               :servers {:send-count 0, :recv-count 0, :msg-count 0}},
       :valid? true},
 :workload {:valid? true, :errors ()},
 :valid? true}
`},
		{"broadcast", kw(
			"net", kw("stats", kw("all", group(450, float32(8.181818)), "clients", group(130, nil),
				"servers", group(320, float32(5.818182))), "valid?", true),
			"workload", kw("worst-stale", List{}, "duplicated-count", 0, "valid?", true, "lost-count", 0,
				"lost", List{}, "stable-count", 32, "stale-count", 0, "stale", List{}, "never-read-count", 0,
				"stable-latencies", latencies(0, 0, 0, 0, 0), "attempt-count", 32, "never-read", List{},
				"duplicated", Map{}),
			"valid?", true), `
{:net {:stats {:all {:send-count 450,
                     :recv-count 450,
                     :msg-count 450,
                     :msgs-per-op 8.181818},
               :clients {:send-count 130,
                         :recv-count 130,
                         :msg-count 130},
               :servers {:send-count 320,
                         :recv-count 320,
                         :msg-count 320,
                         :msgs-per-op 5.818182}},
       :valid? true},
 :workload {:worst-stale (),
            :duplicated-count 0,
            :valid? true,
            :lost-count 0,
            :lost (),
            :stable-count 32,
            :stale-count 0,
            :stale (),
            :never-read-count 0,
            :stable-latencies {0 0, 0.5 0, 0.95 0, 0.99 0, 1 0},
            :attempt-count 32,
            :never-read (),
            :duplicated {}},
 :valid? true}
`},
		{"g-set: a group that breaks though only its closing brackets would pass the width", kw(
			"workload", kw("valid?", true,
				"stale", List{0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14, 15, 16, 17, 18},
				"stable-latencies", latencies(0, 2533, 8083, 8083, 8083),
				"duplicated", Map{}),
			"valid?", true), `
{:workload {:valid? true,
            :stale (0 1 2 3 4 5 6 7 8 11 12 13 14 15 16 17 18),
            :stable-latencies {0 0,
                               0.5 2533,
                               0.95 8083,
                               0.99 8083,
                               1 8083},
            :duplicated {}},
 :valid? true}
`},
		{"a vector that breaks, a set, a tagged record", kw(
			"ops", []any{Tagged{"jepsen.history.Op", kw("index", 0, "type", Keyword("ok"), "value", "a long string of some sixty characters, to break the line")}},
			"not", Set{Keyword("read-committed")}), `
{:ops [#jepsen.history.Op{:index 0,
                          :type :ok,
                          :value "a long string of some sixty characters, to break the line"}],
 :not #{:read-committed}}
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := Pretty(&b, tc.v); err != nil {
				t.Fatal(err)
			}
			if want := strings.TrimPrefix(tc.want, "\n"); b.String() != want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), want)
			}
		})
	}
}

func TestString(t *testing.T) {
	for _, tc := range []struct {
		v         any
		pr, print string
	}{
		{kw("index", 0, "type", Keyword("invoke"), "process", Keyword("nemesis"), "value", nil),
			"{:index 0, :type :invoke, :process :nemesis, :value nil}", ""},
		{[]any{Keyword("not-supported"), "no \"handler\"\n"}, `[:not-supported "no \"handler\"\n"]`, "[:not-supported no \"handler\"\n]"},
		{Set{json.Number("1"), json.Number("2")}, "#{1 2}", ""},
		{List{}, "()", ""},
		{json.Number("123456789012345678901234"), "123456789012345678901234N", ""},
		{json.Number("-5"), "-5", ""},
		{json.Number("1e17"), "1.0E17", ""},
		{json.Number("0.5"), "0.5", ""},
		{1.0, "1.0", ""},
		{float32(0.9), "0.9", ""},
		{float32(2.0444446), "2.0444446", ""},
		{float32(1e-4), "1.0E-4", ""},
		{float32(12345678), "1.2345678E7", ""},
		{Char('a'), `\a`, "a"},
		{Char('\n'), `\newline`, "\n"},
		{Tagged{"inst", "2024"}, `#inst "2024"`, ""},
		{map[string]any{"type": "echo_ok", "in_reply_to": json.Number("1"), "a b": true},
			`{"a b" true, :in_reply_to 1, :type "echo_ok"}`, ""},
		{[]string{"n1", "n2"}, `["n1" "n2"]`, ""},
	} {
		if got := String(tc.v); got != tc.pr {
			t.Errorf("String(%#v) = %s, want %s", tc.v, got, tc.pr)
		}
		if tc.print != "" {
			if got := PrintString(tc.v); got != tc.print {
				t.Errorf("PrintString(%#v) = %q, want %q", tc.v, got, tc.print)
			}
		}
	}
}

func TestIsKeywordName(t *testing.T) {
	for s, want := range map[string]bool{
		"net-timeout": true, "valid?": true, "msg_id": true, "G1c": true, "a.b": true,
		"": false, "1a": false, "-1": false, ".a": false, "a b": false, "a/b": false, "a:b": false,
		"-": true, "in_reply_to": true, "é": false, "value'": true, "'a": false, "#a": false,
	} {
		if got := IsKeywordName(s); got != want {
			t.Errorf("IsKeywordName(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestReadSequence(t *testing.T) {
	perLine := "{:index 0, :type :invoke}\n\n; a comment\n{:index 1,\n :type :ok}\n"
	vector := "[{:index 0, :type :invoke}\n\n ; a comment\n {:index 1,\n  :type :ok}]\n"
	want := []Item{
		{Line: 1, Value: Map{{Keyword("index"), json.Number("0")}, {Keyword("type"), Keyword("invoke")}}},
		{Line: 4, Value: Map{{Keyword("index"), json.Number("1")}, {Keyword("type"), Keyword("ok")}}},
	}
	for name, src := range map[string]string{"one per line": perLine, "one vector": vector} {
		got, err := ReadSequence([]byte(src))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %#v, want %#v", name, got, want)
		}
	}
	if items, err := ReadSequence([]byte("  \n")); err != nil || len(items) != 0 {
		t.Errorf("empty file: %v, %v", items, err)
	}
}

func TestReadErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		line      int
		msg       string
	}{
		{"unclosed map", "{:a 1}\n{:b 2\n{:c 3}\n", 2, "starts on this line is not closed"},
		{"stray bracket", "{:a 1}\n]\n", 2, "unexpected token"},
		{"JSON is not EDN", `{"index": 0}`, 1, ""},
		{"unclosed vector file", "[{:a 1}\n{:b 2}\n", 2, "does not end by closing it"},
		{"unclosed string", "{:a 1}\n{:b \"x}\n", 2, "end of EDN input"},
		{"too deep", "{:a 1}\n" + strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), 2, "nested more than"},
		{"integer beyond 64 bits without N", "{:a 1}\n{:b 123456789012345678901234}\n", 2, "does not fit 64 bits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadSequence([]byte(tc.src))
			se, ok := err.(*SyntaxError)
			if !ok {
				t.Fatalf("error %v (%T), want a *SyntaxError", err, err)
			}
			if se.Line != tc.line || !strings.Contains(se.Msg, tc.msg) {
				t.Errorf("line %d %q, want line %d containing %q", se.Line, se.Msg, tc.line, tc.msg)
			}
		})
	}
}

func TestPlain(t *testing.T) {
	items, err := ReadAll([]byte(`{:f :send, "k" [1 2.5 \c], 7 #{3 1 :b "a" 2}, :m {:x nil}, :big 12345678901234567890N, :t #inst "2024-01-01T00:00:00Z"}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Plain(items[0].Value)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"f": "send", "k": []any{json.Number("1"), json.Number("2.5"), "c"},
		"7":   []any{json.Number("1"), json.Number("2"), json.Number("3"), "a", "b"},
		"m":   map[string]any{"x": nil},
		"big": json.Number("12345678901234567890"),
		"t":   "2024-01-01T00:00:00Z",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Plain: %#v\nwant %#v", got, want)
	}
	dup, _ := ReadAll([]byte(`{:x 1, "x" 2}`))
	if _, err := Plain(dup[0].Value); err == nil || !strings.Contains(err.Error(), `both read as "x"`) {
		t.Errorf("duplicate keys: %v", err)
	}
}

// What String writes, ReadAll reads back as the same values.
func TestWriteReadRoundTrip(t *testing.T) {
	v := kw("index", json.Number("3"), "value", []any{[]any{Keyword("r"), json.Number("1"), nil}},
		"error", []any{Keyword("crash"), "it \"broke\"\n"}, "big", json.Number("123456789012345678901234"),
		"set", Set{"a", "b"}, "x", json.Number("1.0E-7"))
	items, err := ReadAll([]byte(String(v)))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := Plain(items[0].Value)
	want, _ := Plain(v)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back %#v\nwant %#v", got, want)
	}
}
