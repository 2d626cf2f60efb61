package kafka

import (
	"encoding/json"
	"reflect"
	"testing"

	"gossip-glomers/internal/wire"
)

// roundTrip is what normalize gives by definition: json.Marshal, then
// wire.Decode (or the value itself if either fails).
func roundTrip(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if err := wire.Decode(b, &out); err != nil {
		return v
	}
	return out
}

// normalize converts live values without a JSON round trip, and gives the
// round trip's result on them and on everything that must still take it.
func TestNormalizeIsTheRoundTrip(t *testing.T) {
	for _, v := range []any{
		nil, "x", true, json.Number("12"), json.Number("1.00"), json.Number("-0"), json.Number("1e400"),
		json.Number(""), json.Number(" 1"), json.Number("01"), json.Number("abc"), int64(-5), 7, int32(3), uint64(1 << 63),
		[]any{[]any{"send", "3", []any{json.Number("4"), json.Number("17")}}},
		[]any{[]any{"poll", map[string]any{"1": []any{[]any{json.Number("0"), json.Number("5")}}, "2": []any{}}}},
		[]any{[]any{"poll", map[string]any{"1": nil}}},
		[]string{"1", "2"}, SeekToBeginning{"1", "10"}, []string(nil), []any(nil), map[string]any(nil),
		[]any{[]any{"send", "3", json.Number("1.5e3")}},
		"bad \xff utf-8", map[string]any{"\xfe": 1}, []string{"ok", "\xff"},
		[]any{1.5, float64(1)}, []int{1, 2}, map[string]int{"a": 1}, int8(4),
		[]any{json.Number("4"), []any{json.Number(" 4")}},
	} {
		got, want := normalize(v), roundTrip(v)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("normalize(%#v) = %#v, want %#v", v, got, want)
		}
	}
}
