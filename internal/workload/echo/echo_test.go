package echo

import (
	"testing"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
)

func pair(process int, sent string, typ history.Type, got any) []history.Op {
	return []history.Op{
		{Type: history.Invoke, Process: process, F: "echo", Value: sent},
		{Type: typ, Process: process, F: "echo", Value: got},
	}
}

func TestCheck(t *testing.T) {
	body := func(s any) map[string]any { return map[string]any{"type": "echo_ok", "echo": s, "in_reply_to": 1} }
	for _, tc := range []struct {
		name string
		h    history.History
		want checker.Validity
	}{
		{"all echoed", append(pair(0, "Please echo 1", history.OK, body("Please echo 1")),
			pair(1, "Please echo 2", history.OK, body("Please echo 2"))...), checker.Valid},
		{"empty history", nil, checker.Valid},
		{"altered payload", pair(0, "Please echo 1", history.OK, body("Please echo 2")), checker.Invalid},
		// Maelstrom pairs ops with knossos, which leaves info completions
		// and dangling invocations unpaired: they are not checked.
		{"timed out", pair(0, "Please echo 1", history.Info, "Please echo 1"), checker.Valid},
		{"info then wrong", append(pair(0, "Please echo 1", history.Info, "Please echo 1"),
			pair(3, "Please echo 2", history.OK, body("Please echo 3"))...), checker.Invalid},
		{"failed", pair(0, "Please echo 1", history.Fail, "Please echo 1"), checker.Invalid},
		{"never completed", pair(0, "Please echo 1", history.Invoke, nil)[:1], checker.Valid},
		{"number versus string", pair(0, "7", history.OK, body(7)), checker.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Check(tc.h.Reindex())
			if res.Valid != tc.want {
				t.Fatalf("verdict %v, want %v (%v)", res.Valid, tc.want, res.Figures)
			}
			if tc.want == checker.Invalid && (len(res.Anomalies) != 1 || res.Anomalies[0] != "wrong-echo") {
				t.Fatalf("anomalies %v, want [wrong-echo]", res.Anomalies)
			}
		})
	}
}
