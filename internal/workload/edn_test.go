package workload

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"gossip-glomers/internal/edn"
	"gossip-glomers/internal/history"
)

func TestReadMicroOps(t *testing.T) {
	one := json.Number("1")
	for _, tc := range []struct {
		name string
		in   any
		want []any
		err  string
	}{
		{"reads and writes", []any{[]any{"r", one, nil}, []any{"w", one, one}}, []any{[]any{"r", one, nil}, []any{"w", one, one}}, ""},
		{"Elle's read of nothing yet", []any{[]any{"r", "x"}}, []any{[]any{"r", "x", nil}}, ""},
		{"empty", []any{}, []any{}, ""},
		{"not a list", one, nil, "a transaction is a list of micro-ops"},
		{"a micro-op too long", []any{[]any{"w", one, one, one}}, nil, "is not a vector [f k v]"},
		{"an unknown function", []any{[]any{"append", one, one}}, nil, `has f "append", want one of :r, :w`},
	} {
		got, err := ReadMicroOps(tc.in, "r", "w")
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %#v, %v; want %#v", tc.name, got, err, tc.want)
		}
	}
}

// Micro-op functions are keywords in Maelstrom's history; keys and values
// are written as they are, and what is not a micro-op list is left alone.
func TestWriteMicroOps(t *testing.T) {
	txn := []any{[]any{"r", json.Number("1"), nil}, []any{"w", "k", json.Number("2")}}
	if got := edn.String(WriteMicroOps(txn)); got != `[[:r 1 nil] [:w "k" 2]]` {
		t.Errorf("got %s", got)
	}
	if got := edn.String(WriteMicroOps("oops")); got != `"oops"` {
		t.Errorf("not a list: %s", got)
	}
}

// Without a codec, values are read as edn.Plain gives them and written by
// edn.FromPlain: a reply body's keys as keywords, as Maelstrom holds them.
func TestGenericConversion(t *testing.T) {
	w := &Workload{Name: "echo"}
	body := map[string]any{"type": "echo_ok", "echo": "hi", "in_reply_to": json.Number("1")}
	if got := edn.String(w.ValueToEDN(opWith(body))); got != `{:echo "hi", :in_reply_to 1, :type "echo_ok"}` {
		t.Errorf("written as %s", got)
	}
	if got, err := w.ValueFromEDN(opWith(body)); err != nil || !reflect.DeepEqual(got, body) {
		t.Errorf("read as %#v, %v", got, err)
	}
}

func opWith(v any) history.Op { return history.Op{Type: history.OK, F: "echo", Value: v} }
