package runner

import (
	"bytes"
	"strings"
	"testing"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/report"
)

// TestSummaryGoesToItsWriter: with SummaryTo, the whole summary goes to the
// summary writer and nothing to the log.
func TestSummaryGoesToItsWriter(t *testing.T) {
	var log, out bytes.Buffer
	printSummary(SummaryTo(&log, &out), &Config{}, &report.Results{Workload: "echo", Verdict: checker.Valid, Ops: report.OpCounts{Invoke: 1, OK: 1}})
	if log.Len() != 0 || !strings.Contains(out.String(), "Verdict: VALID") {
		t.Fatalf("log %q, summary %q", log.String(), out.String())
	}
	var plain bytes.Buffer
	printSummary(&plain, &Config{}, &report.Results{Workload: "echo", Verdict: checker.Valid})
	if !strings.Contains(plain.String(), "Verdict: VALID") {
		t.Fatalf("a plain log gets the summary: %q", plain.String())
	}
}

// TestSummarySaysWhatWentWrong: the failure table, the final reads' misses,
// the warnings a valid run still deserves, and why each anomaly happened.
func TestSummarySaysWhatWentWrong(t *testing.T) {
	notSupported := report.Failure{F: "echo", Type: "fail", Reason: "not-supported", Code: code(10), Count: 9, Detail: "no",
		Example: report.OpPointer{Index: 1, Node: "n0", Client: "c2", MsgID: 1}}
	badReply := report.Failure{F: "echo", Type: "info", Reason: "bad-reply", Count: 3, Detail: "echo_ok: disallowed key(s) x",
		Example: report.OpPointer{Index: 5, Node: "n0", Client: "c2", MsgID: 3}}
	for _, tc := range []struct {
		name string
		res  report.Results
		want []string
		not  []string
	}{
		{"every echo failed", report.Results{Verdict: checker.Invalid, Anomalies: []string{"no-ok-echo"},
			Ops: report.OpCounts{Invoke: 9, Fail: 9}, Failures: []report.Failure{notSupported}},
			[]string{
				"  not ok     echo  fail  9  not-supported (code 10): no (first: op 1, c2 -> n0 msg_id 1)\n",
				"Verdict: INVALID: no-ok-echo (no echo was ok: 9 fail not-supported (code 10))\n",
			}, []string{"warning"}},
		{"valid with bad replies", report.Results{Verdict: checker.Valid, Ops: report.OpCounts{Invoke: 9, OK: 6, Info: 3},
			Failures: []report.Failure{badReply}},
			[]string{
				"  warning    3 replies broke Maelstrom's reply schema and were recorded as info, which Maelstrom does not fail; " +
					"e.g. echo: echo_ok: disallowed key(s) x (op 5, c2 -> n0 msg_id 3)\n",
				"Verdict: VALID, with 1 warning(s) above.\n",
			}, nil},
		{"invalid with bad replies: the table says it", report.Results{Verdict: checker.Invalid, Anomalies: []string{"wrong-echo"},
			Failures: []report.Failure{badReply}, Ops: report.OpCounts{Invoke: 1}},
			[]string{"  not ok     echo  info  3  bad-reply: echo_ok: disallowed key(s) x"}, []string{"warning"}},
		{"nothing invoked", report.Results{Verdict: checker.Valid},
			[]string{"  warning    no client operation was invoked, so the checks had nothing to judge\n"}, nil},
		{"final reads", report.Results{Verdict: checker.Invalid, Anomalies: []string{"lost"}, Ops: report.OpCounts{Invoke: 1},
			Extra: map[string]any{report.FinalReadMissesKey: []any{"n3's final read lacks 2 of 5 values: 1, 4"}, "stable_latency_ms": map[string]int{"1": 5}}},
			[]string{"  final read n3's final read lacks 2 of 5 values: 1, 4\n", `  stable_latency_ms {"1":5}` + "\n"}, nil},
		{"unavailable", report.Results{Verdict: checker.Invalid, Anomalies: []string{"unavailable"}, Ops: report.OpCounts{Invoke: 1},
			Checks: map[string]report.Check{"availability": {Valid: checker.Invalid, Figures: map[string]any{"ok_fraction": 0.5, "expected": 1.0}}}},
			[]string{"Verdict: INVALID: unavailable (ok fraction 0.5, expected 1)\n"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			printSummary(&out, &Config{}, &tc.res)
			for _, want := range tc.want {
				if !strings.Contains(out.String(), want) {
					t.Errorf("summary lacks %q:\n%s", want, out.String())
				}
			}
			for _, not := range tc.not {
				if strings.Contains(out.String(), not) {
					t.Errorf("summary has %q:\n%s", not, out.String())
				}
			}
		})
	}
}

// TestFailureTableIsCapped: beyond maxFailureRows the table points to
// results.json.
func TestFailureTableIsCapped(t *testing.T) {
	var rows []report.Failure
	for i := range maxFailureRows + 3 {
		rows = append(rows, report.Failure{F: "txn", Type: "info", Reason: "bad-reply", Count: 1, Detail: string(rune('a' + i))})
	}
	lines := failureLines(rows)
	if len(lines) != maxFailureRows+1 || lines[maxFailureRows] != "... and 3 more kinds, every one in results.json (failures)" {
		t.Fatalf("lines %q", lines)
	}
}
