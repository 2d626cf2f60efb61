package uniqueids

import (
	"encoding/json"
	"testing"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
)

func gen(process int, typ history.Type, id any) []history.Op {
	return []history.Op{
		{Type: history.Invoke, Process: process, F: "generate"},
		{Type: typ, Process: process, F: "generate", Value: id},
	}
}

func join(parts ...[]history.Op) history.History {
	var h history.History
	for _, p := range parts {
		h = append(h, p...)
	}
	return h.Reindex()
}

func TestCheck(t *testing.T) {
	n := func(s string) json.Number { return json.Number(s) }
	for _, tc := range []struct {
		name    string
		h       history.History
		want    checker.Validity
		dups    int
		wantRng any
	}{
		{"distinct strings", join(gen(0, history.OK, "a"), gen(1, history.OK, "b")), checker.Valid, 0, [2]any{"a", "b"}},
		{"distinct numbers", join(gen(0, history.OK, n("2")), gen(1, history.OK, n("10"))), checker.Valid, 0, [2]any{n("2"), n("10")}},
		{"duplicate string", join(gen(0, history.OK, "a"), gen(1, history.OK, "a")), checker.Invalid, 1, nil},
		{"duplicate number", join(gen(0, history.OK, n("7")), gen(1, history.OK, n("7"))), checker.Invalid, 1, nil},
		// 64-bit ids that differ only beyond float64 precision are distinct.
		{"big ids", join(gen(0, history.OK, n("9007199254740993")), gen(1, history.OK, n("9007199254740992"))), checker.Valid, 0, nil},
		{"1 and 1.0 differ", join(gen(0, history.OK, n("1")), gen(1, history.OK, n("1.0"))), checker.Valid, 0, nil},
		{"failed ops ignored", join(gen(0, history.OK, "a"), gen(1, history.Info, "a")), checker.Valid, 0, nil},
		{"compound ids", join(gen(0, history.OK, []any{"n1", n("1")}), gen(1, history.OK, []any{"n1", n("1")})), checker.Invalid, 1, nil},
		// Clojure cannot compare these: Jepsen's checker throws, so unknown.
		{"mixed numbers and strings", join(gen(0, history.OK, n("1")), gen(1, history.OK, "a")), checker.Unknown, 0, nil},
		{"map ids", join(gen(0, history.OK, map[string]any{"n": "n1"}), gen(1, history.OK, map[string]any{"n": "n2"})), checker.Unknown, 0, nil},
		{"one map id", join(gen(0, history.OK, map[string]any{"n": "n1"}), gen(1, history.Fail, nil)), checker.Valid, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Check(tc.h)
			if res.Valid != tc.want {
				t.Fatalf("verdict %v, want %v", res.Valid, tc.want)
			}
			if got := res.Figures["duplicated_count"]; got != tc.dups {
				t.Fatalf("duplicated_count %v, want %d", got, tc.dups)
			}
			if tc.want == checker.Invalid && res.Anomalies[0] != "duplicated" {
				t.Fatalf("anomalies %v", res.Anomalies)
			}
			if tc.wantRng != nil && res.Figures["range"] != tc.wantRng {
				t.Fatalf("range %v, want %v", res.Figures["range"], tc.wantRng)
			}
			if res.Figures["attempted_count"] != 2 {
				t.Fatalf("attempted_count %v, want 2", res.Figures["attempted_count"])
			}
		})
	}
}
