package checker

import (
	"slices"
	"testing"

	"gossip-glomers/internal/history"
)

func op(process int, f string, typ history.Type) history.Op {
	return history.Op{Process: process, F: f, Type: typ}
}

// ops builds invoke/completion pairs: one per outcome given.
func ops(f string, outcomes ...history.Type) history.History {
	var h history.History
	for i, o := range outcomes {
		h = append(h, op(i, f, history.Invoke), op(i, f, o))
	}
	return h
}

func TestStats(t *testing.T) {
	for _, tc := range []struct {
		name      string
		h         history.History
		want      Validity
		anomalies []string
		ok, fail  int
	}{
		{"all ok", ops("read", history.OK, history.OK), Valid, nil, 2, 0},
		{"one ok among failures", ops("read", history.Fail, history.Info, history.OK), Valid, nil, 1, 1},
		{"an f that never succeeded", append(ops("read", history.OK), ops("cas", history.Fail, history.Info)...), Invalid, []string{"no-ok-cas"}, 1, 1},
		{"crash is exempt", append(ops("send", history.OK), ops("crash", history.Info)...), Valid, nil, 1, 0},
		{"nemesis ignored", history.History{{Process: history.NemesisProcess, F: "start-partition", Type: history.Info}}, Valid, nil, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Stats(tc.h)
			if res.Valid != tc.want || !slices.Equal(res.Anomalies, tc.anomalies) {
				t.Fatalf("got %v %v, want %v %v", res.Valid, res.Anomalies, tc.want, tc.anomalies)
			}
			if res.Figures["ok_count"] != tc.ok || res.Figures["fail_count"] != tc.fail {
				t.Fatalf("figures %v: want ok %d fail %d", res.Figures, tc.ok, tc.fail)
			}
		})
	}
}

func TestAvailability(t *testing.T) {
	h := ops("generate", history.OK, history.OK, history.OK, history.Info) // 3/4 ok
	for _, tc := range []struct {
		expected string
		want     Validity
	}{
		{"", Valid}, {"total", Invalid}, {"0.75", Valid}, {"0.76", Invalid}, {"0", Valid},
	} {
		res := Availability(h, tc.expected)
		if res.Valid != tc.want {
			t.Errorf("--availability %q: %v, want %v", tc.expected, res.Valid, tc.want)
		}
		if res.Figures["ok_fraction"] != 0.75 {
			t.Errorf("ok_fraction %v, want 0.75", res.Figures["ok_fraction"])
		}
	}
	// 9 of 10 ok is 0.9 in float32, which is below the float64 0.9, as in Maelstrom.
	ninety := ops("generate", history.OK, history.OK, history.OK, history.OK, history.OK,
		history.OK, history.OK, history.OK, history.OK, history.Info)
	if res := Availability(ninety, "0.9"); res.Valid != Invalid {
		t.Errorf("9/10 ok with --availability 0.9: %v, want invalid as in Maelstrom", res.Valid)
	}
	if res := Availability(nil, "total"); res.Valid != Valid || res.Figures["ok_fraction"] != 1.0 {
		t.Errorf("empty history: %v %v, want valid with fraction 1", res.Valid, res.Figures)
	}
}

func TestMerge(t *testing.T) {
	if Merge() != Valid || Merge(Valid, Unknown) != Unknown || Merge(Unknown, Invalid, Valid) != Invalid {
		t.Fatal("merge priority is invalid > unknown > valid")
	}
}
