package report

import (
	"testing"

	"gossip-glomers/internal/history"
)

func TestFinalReadLines(t *testing.T) {
	h := history.History{
		{Type: history.Invoke, Process: 0, F: "read", Final: true, Node: "n1"},
		{Type: history.Invoke, Process: 1, F: "read", Final: true, Node: "n2"},
		{Type: history.Invoke, Process: 3, F: "read", Final: true, Node: "n2"},
		{Type: history.Invoke, Process: 4, F: "read", Final: true},
	}
	name := FinalReadNamer(h)
	for _, tc := range []struct {
		got, want string
	}{
		{name(h[0]), "n1's final read"},
		{name(h[2]), "n2's final read (process 3)"},
		{name(h[3]), "process 4's final read"},
		{FinalReadNotOK("x", history.Op{Type: history.Fail, Error: "net-timeout"}, true), "x failed: net-timeout"},
		{FinalReadNotOK("x", history.Op{Type: history.Info, Error: []any{"crash", "boom"}}, true), "x is indeterminate (info): crash: boom"},
		{FinalReadNotOK("x", history.Op{Type: history.Info, Error: "indeterminate: net-timeout"}, true), "x is indeterminate (info): net-timeout"},
		{FinalReadNotOK("x", h[0], false), "x never completed"},
		{ValueList([]string{"1", "2"}), "1, 2"},
		{ValueList([]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}), "0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ..."},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if c := CompareFinalReads(history.Op{Node: "n2"}, history.Op{Node: "n10"}); c >= 0 {
		t.Errorf("n2 must come before n10")
	}
}
