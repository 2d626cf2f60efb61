package kafka

import (
	"encoding/json"
	"reflect"
	"testing"

	"gossip-glomers/internal/edn"
	"gossip-glomers/internal/history"
)

// Maelstrom's kafka history has keyword micro-op functions and string keys;
// Jepsen's tests have keyword or integer keys, which read as the strings
// Maelstrom's client sends.
func TestEDNValues(t *testing.T) {
	n := func(s string) json.Number { return json.Number(s) }
	for _, tc := range []struct {
		f        string
		recorded any    // what the client records
		written  string // history.edn
		jepsen   any    // the same value as Jepsen's tests write it, read by edn.Plain
	}{
		{"send", []any{[]any{"send", "5", n("12")}}, `[[:send "5" 12]]`, []any{[]any{"send", n("5"), n("12")}}},
		{"send", []any{[]any{"send", "x", []any{n("0"), n("12")}}}, `[[:send "x" [0 12]]]`, nil},
		{"poll", []any{[]any{"poll"}}, `[[:poll]]`, nil},
		{"poll", []any{[]any{"poll", map[string]any{"5": []any{[]any{n("0"), n("12")}}, "x": []any{}}}},
			`[[:poll {"5" [[0 12]], "x" []}]]`, nil},
		{"assign", []any{"5", "6"}, `["5" "6"]`, []any{n("5"), "6"}},
		{"crash", nil, `nil`, nil},
	} {
		op := history.Op{Type: history.OK, F: tc.f, Value: tc.recorded}
		if got := edn.String(valueToEDN(op)); got != tc.written {
			t.Errorf("%s %v written as %s, want %s", tc.f, tc.recorded, got, tc.written)
		}
		items, err := edn.ReadAll([]byte(tc.written))
		if err != nil {
			t.Fatal(err)
		}
		op.Value, _ = edn.Plain(items[0].Value)
		if got, err := valueFromEDN(op); err != nil || !reflect.DeepEqual(got, tc.recorded) {
			t.Errorf("%s read back as %#v, %v; want %#v", tc.written, got, err, tc.recorded)
		}
		if tc.jepsen != nil {
			op.Value = tc.jepsen
			if got, err := valueFromEDN(op); err != nil || !reflect.DeepEqual(got, tc.recorded) {
				t.Errorf("Jepsen's %v read as %#v, %v; want %#v", tc.jepsen, got, err, tc.recorded)
			}
		}
	}
}
