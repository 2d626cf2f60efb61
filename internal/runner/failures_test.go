package runner

import (
	"reflect"
	"testing"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/report"
)

func code(c int64) *int64 { return &c }

// TestFailureReason reads every error shape the workload clients record.
func TestFailureReason(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  any
		want report.Failure
	}{
		{"timeout", "net-timeout", report.Failure{Reason: "net-timeout"}},
		{"error reply", []any{"not-supported", "no echo here"}, report.Failure{Reason: "not-supported", Code: code(10), Detail: "no echo here"}},
		{"crash", []any{"crash", "boom"}, report.Failure{Reason: "crash", Code: code(13), Detail: "boom"}},
		{"unknown code", []any{"unknown", "?"}, report.Failure{Reason: "unknown", Detail: "?"}},
		{"schema break", `indeterminate: echo_ok: missing required key "echo"`,
			report.Failure{Reason: "bad-reply", Detail: `echo_ok: missing required key "echo"`}},
		{"wrong reply type", `indeterminate: reply type "echo", want "echo_ok"`,
			report.Failure{Reason: "bad-reply", Detail: `reply type "echo", want "echo_ok"`}},
		{"counter timeout", "indeterminate: net-timeout", report.Failure{Reason: "net-timeout"}},
		{"counter error reply", "indeterminate: error 11 (temporarily-unavailable): try later",
			report.Failure{Reason: "temporarily-unavailable", Code: code(11), Detail: "try later"}},
		{"other", "indeterminate: client returned no completion type",
			report.Failure{Reason: "indeterminate", Detail: "client returned no completion type"}},
		{"no error", nil, report.Failure{Reason: "none"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := failureReason(tc.err); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("failureReason(%#v) = %+v, want %+v", tc.err, got, tc.want)
			}
		})
	}
}

// TestFailures counts not-ok completions by f, type and reason, the most
// frequent first, each with its first occurrence as the example; a bad
// reply's rows are split by the rule it broke.
func TestFailures(t *testing.T) {
	var h history.History
	complete := func(f string, typ history.Type, err any) {
		h = append(h, history.Op{Type: history.Invoke, Process: len(h), F: f},
			history.Op{Type: typ, Process: len(h), F: f, Error: err, Node: "n1", Client: "c7", MsgID: 3})
	}
	complete("read", history.OK, nil)
	complete("broadcast", history.Info, "net-timeout")
	complete("read", history.Fail, "net-timeout")
	complete("read", history.Fail, "net-timeout")
	complete("broadcast", history.Info, "indeterminate: broadcast_ok: disallowed key(s) x")
	complete("broadcast", history.Info, "indeterminate: broadcast_ok: disallowed key(s) y")
	h = append(h, history.Op{Type: history.Info, Process: history.NemesisProcess, F: "start-partition"})
	got := failures(h.Reindex())
	want := []report.Failure{
		{F: "read", Type: "fail", Reason: "net-timeout", Count: 2, Example: report.OpPointer{Index: 5, Node: "n1", Client: "c7", MsgID: 3}},
		{F: "broadcast", Type: "info", Reason: "net-timeout", Count: 1, Example: report.OpPointer{Index: 3, Node: "n1", Client: "c7", MsgID: 3}},
		{F: "broadcast", Type: "info", Reason: "bad-reply", Detail: "broadcast_ok: disallowed key(s) x", Count: 1,
			Example: report.OpPointer{Index: 9, Node: "n1", Client: "c7", MsgID: 3}},
		{F: "broadcast", Type: "info", Reason: "bad-reply", Detail: "broadcast_ok: disallowed key(s) y", Count: 1,
			Example: report.OpPointer{Index: 11, Node: "n1", Client: "c7", MsgID: 3}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("failures:\n got %+v\nwant %+v", got, want)
	}
}
