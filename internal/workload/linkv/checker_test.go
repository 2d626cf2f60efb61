package linkv

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
)

// Hand-made histories: n(3) is the JSON number 3, kv(k, v) an independent
// tuple, and each event is one history entry.
func n(i int) json.Number { return json.Number(strconv.Itoa(i)) }

func kv(k int, v any) []any { return []any{n(k), v} }

func cas(from, to int) []any { return []any{n(from), n(to)} }

type event struct {
	typ     history.Type
	process int
	f       string
	value   any
}

func inv(p int, f string, v any) event { return event{history.Invoke, p, f, v} }
func ok(p int, f string, v any) event  { return event{history.OK, p, f, v} }
func fail(p int, f string, v any) event {
	return event{history.Fail, p, f, v}
}
func info(p int, f string, v any) event { return event{history.Info, p, f, v} }

func hist(events ...event) history.History {
	h := make(history.History, len(events))
	for i, e := range events {
		h[i] = history.Op{Type: e.typ, Process: e.process, F: e.f, Value: e.value, Time: time.Duration(i) * time.Millisecond}
	}
	return h.Reindex()
}

// keyFigures is results.<key>.linearizable of a result.
func keyFigures(t *testing.T, res checker.Result, key string) map[string]any {
	t.Helper()
	byKey, _ := res.Figures["results"].(map[string]any)
	r, ok := byKey[key].(map[string]any)
	if !ok {
		t.Fatalf("no result for key %s in %v", key, res.Figures)
	}
	return r["linearizable"].(map[string]any)
}

func TestCheckHistories(t *testing.T) {
	tests := []struct {
		name  string
		h     history.History
		want  checker.Validity
		stuck int // history index Knossos reports as :op, -1 for none
	}{
		{"empty history", hist(), checker.Valid, -1},
		{"write then read it", hist(
			inv(0, "write", kv(0, n(1))), ok(0, "write", kv(0, n(1))),
			inv(1, "read", kv(0, nil)), ok(1, "read", kv(0, n(1))),
		), checker.Valid, -1},
		{"a read before any write sees nil, the initial value", hist(
			inv(1, "read", kv(0, nil)), ok(1, "read", kv(0, nil)),
		), checker.Valid, -1},
		{"a read of a value never written", hist(
			inv(1, "read", kv(0, nil)), ok(1, "read", kv(0, n(3))),
		), checker.Invalid, 1},
		{"a stale read after a newer write completed", hist(
			inv(0, "write", kv(0, n(1))), ok(0, "write", kv(0, n(1))),
			inv(0, "write", kv(0, n(2))), ok(0, "write", kv(0, n(2))),
			inv(1, "read", kv(0, nil)), ok(1, "read", kv(0, n(1))),
		), checker.Invalid, 5},
		{"a null read of a written key: Knossos takes it for an unknown value", hist(
			inv(0, "write", kv(0, n(1))), ok(0, "write", kv(0, n(1))),
			inv(1, "read", kv(0, nil)), ok(1, "read", kv(0, nil)),
		), checker.Valid, -1},
		{"two cas from the same value both succeed", hist(
			inv(0, "write", kv(0, n(1))), ok(0, "write", kv(0, n(1))),
			inv(0, "cas", kv(0, cas(1, 2))), ok(0, "cas", kv(0, cas(1, 2))),
			inv(1, "cas", kv(0, cas(1, 3))), ok(1, "cas", kv(0, cas(1, 3))),
		), checker.Invalid, 5},
		{"concurrent cas that chain", hist(
			inv(0, "write", kv(0, n(1))), ok(0, "write", kv(0, n(1))),
			inv(1, "cas", kv(0, cas(2, 3))),
			inv(0, "cas", kv(0, cas(1, 2))),
			ok(1, "cas", kv(0, cas(2, 3))),
			ok(0, "cas", kv(0, cas(1, 2))),
			inv(2, "read", kv(0, nil)), ok(2, "read", kv(0, n(3))),
		), checker.Valid, -1},
		{"a cas on the initial nil", hist(
			inv(0, "cas", kv(0, []any{nil, n(2)})), ok(0, "cas", kv(0, []any{nil, n(2)})),
			inv(1, "read", kv(0, nil)), ok(1, "read", kv(0, n(2))),
		), checker.Valid, -1},
		{"an info write may take effect later", hist(
			inv(0, "write", kv(0, n(4))), info(0, "write", kv(0, n(4))),
			inv(1, "read", kv(0, nil)), ok(1, "read", kv(0, nil)),
			inv(1, "read", kv(0, nil)), ok(1, "read", kv(0, n(4))),
		), checker.Valid, -1},
		{"an info write may never take effect", hist(
			inv(0, "write", kv(0, n(1))), ok(0, "write", kv(0, n(1))),
			inv(1, "write", kv(0, n(4))), info(1, "write", kv(0, n(4))),
			inv(2, "read", kv(0, nil)), ok(2, "read", kv(0, n(1))),
		), checker.Valid, -1},
		{"a write that never completed is pending to the end", hist(
			inv(0, "write", kv(0, n(4))),
			inv(1, "read", kv(0, nil)), ok(1, "read", kv(0, n(4))),
		), checker.Valid, -1},
		{"a value read before the info write that wrote it began", hist(
			inv(1, "read", kv(0, nil)), ok(1, "read", kv(0, n(4))),
			inv(0, "write", kv(0, n(4))), info(0, "write", kv(0, n(4))),
		), checker.Invalid, 1},
		{"a failed write did not happen", hist(
			inv(0, "write", kv(0, n(4))), fail(0, "write", kv(0, n(4))),
			inv(1, "read", kv(0, nil)), ok(1, "read", kv(0, n(4))),
		), checker.Invalid, 3},
		{"an info cas whose from never held cannot apply", hist(
			inv(0, "write", kv(0, n(1))), ok(0, "write", kv(0, n(1))),
			inv(1, "cas", kv(0, cas(2, 4))), info(1, "cas", kv(0, cas(2, 4))),
			inv(2, "read", kv(0, nil)), ok(2, "read", kv(0, n(4))),
		), checker.Invalid, 5},
		{"an info cas whose from held may apply", hist(
			inv(0, "write", kv(0, n(1))), ok(0, "write", kv(0, n(1))),
			inv(1, "cas", kv(0, cas(1, 4))), info(1, "cas", kv(0, cas(1, 4))),
			inv(2, "read", kv(0, nil)), ok(2, "read", kv(0, n(4))),
		), checker.Valid, -1},
		{"1.0 is not 1, as in Clojure", hist(
			inv(0, "write", kv(0, n(1))), ok(0, "write", kv(0, n(1))),
			inv(1, "read", kv(0, nil)), ok(1, "read", kv(0, json.Number("1.0"))),
		), checker.Invalid, 3},
		{"keys are independent", hist(
			inv(0, "write", kv(0, n(1))), ok(0, "write", kv(0, n(1))),
			inv(1, "read", kv(1, nil)), ok(1, "read", kv(1, nil)),
			inv(1, "read", kv(0, nil)), ok(1, "read", kv(0, n(1))),
		), checker.Valid, -1},
		{"nemesis entries are no key", append(hist(
			inv(0, "write", kv(0, n(1))), ok(0, "write", kv(0, n(1))),
		), history.Op{Index: 2, Type: history.Info, Process: history.NemesisProcess, F: "start-partition",
			Value: []any{"isolated", map[string]any{"n1": []any{"n2"}}}}), checker.Valid, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Check(tt.h, Options{})
			if res.Valid != tt.want {
				t.Fatalf("valid %v, want %v: %v", res.Valid, tt.want, res.Figures)
			}
			if res.Figures["valid?"] != tt.want {
				t.Errorf("figures valid? %v, want %v", res.Figures["valid?"], tt.want)
			}
			if tt.want == checker.Valid {
				if len(res.Anomalies) > 0 || res.Top != nil {
					t.Errorf("valid history has anomalies %v, top %v", res.Anomalies, res.Top)
				}
				return
			}
			if !slices.Equal(res.Anomalies, []string{AnomalyNotLinearizable}) {
				t.Errorf("anomalies %v", res.Anomalies)
			}
			if got := res.Figures["failures"]; !wire.Equal(got, []any{n(0)}) {
				t.Errorf("failures %v, want [0]", got)
			}
			op, _ := keyFigures(t, res, "0")["op"].(history.Op)
			if op.Index != tt.stuck || op.Type != history.OK {
				t.Errorf(":op is %+v, want the ok op at index %d", op, tt.stuck)
			}
		})
	}
}

// TestCheckReportsTheStuckOpAndPreviousOK: the figures name the read that
// cannot be linearized, with its unwrapped value, and the ok op before it,
// as Knossos's :op and :previous-ok; the summary line and the drawing name
// the key's file.
func TestCheckReportsTheStuckOpAndPreviousOK(t *testing.T) {
	h := hist(
		inv(0, "write", kv(7, n(0))), ok(0, "write", kv(7, n(0))),
		inv(1, "read", kv(7, nil)),
		inv(2, "write", kv(7, n(4))),
		ok(1, "read", kv(7, n(3))),
		ok(2, "write", kv(7, n(4))),
		inv(3, "read", kv(7, nil)), ok(3, "read", kv(7, n(4))),
	)
	res := Check(h, Options{})
	figs := keyFigures(t, res, "7")
	op := figs["op"].(history.Op)
	if op.Index != 4 || op.Process != 1 || op.F != "read" || !wire.Equal(op.Value, n(3)) {
		t.Errorf(":op %+v, want the read of 3 at index 4", op)
	}
	if prev := figs["previous-ok"].(history.Op); prev.Index != 1 {
		t.Errorf(":previous-ok %+v, want the write at index 1", prev)
	}
	lines, _ := res.Top[NotLinearizableKey].([]string)
	if len(lines) != 1 || !strings.Contains(lines[0], "read 3 (process 1, history index 4)") ||
		!strings.Contains(lines[0], "independent/7/linear.html") {
		t.Errorf("summary lines %q", lines)
	}
	pictures, _ := res.Top[VisualisationsKey].(Visualisations)
	page := string(pictures["independent/7/linear.html"])
	if !strings.Contains(page, "<html") || !strings.Contains(page, "read 3") {
		t.Errorf("no porcupine page for key 7 (%d bytes)", len(page))
	}
	if figs["visualisation"] != "independent/7/linear.html" {
		t.Errorf("figures name %v", figs["visualisation"])
	}
	b, err := json.Marshal(res.Top[VisualisationsKey])
	if err != nil || string(b) != `["independent/7/linear.html"]` {
		t.Errorf("results.json shows the drawings as %s (%v), want their paths", b, err)
	}
}

// TestCheckMergesKeys: one bad key makes the history invalid and is the only
// failure; an unknown key (out of budget) is no failure, as in
// jepsen.independent, where :unknown is truthy.
func TestCheckMergesKeys(t *testing.T) {
	h := hist(
		inv(0, "write", kv(10, n(1))), ok(0, "write", kv(10, n(1))),
		inv(1, "read", kv(2, nil)), ok(1, "read", kv(2, n(3))),
		inv(1, "read", kv(10, nil)), ok(1, "read", kv(10, n(1))),
	)
	res := Check(h, Options{})
	if res.Valid != checker.Invalid || !wire.Equal(res.Figures["failures"], []any{n(2)}) {
		t.Fatalf("valid %v failures %v, want invalid with failures [2]", res.Valid, res.Figures["failures"])
	}
	if keyFigures(t, res, "10")["valid?"] != checker.Valid {
		t.Errorf("key 10: %v", keyFigures(t, res, "10"))
	}
}

// hardHistory is out of reach of any search: 24 concurrent writes of
// distinct values, then a read of a value none wrote, so every order of
// the writes has to be tried.
func hardHistory() history.History {
	var events []event
	for p := range 24 {
		events = append(events, inv(p, "write", kv(0, n(p))))
	}
	for p := range 24 {
		events = append(events, ok(p, "write", kv(0, n(p))))
	}
	events = append(events, inv(99, "read", kv(0, nil)), ok(99, "read", kv(0, n(1000))))
	return hist(events...)
}

// TestCheckBudget: a key whose search runs out of its budget is unknown
// with Knossos's :cause :timeout, and the history is unknown, not invalid.
func TestCheckBudget(t *testing.T) {
	res := Check(hardHistory(), Options{Budget: 50 * time.Millisecond})
	if res.Valid != checker.Unknown {
		t.Fatalf("valid %v, want unknown", res.Valid)
	}
	figs := keyFigures(t, res, "0")
	if figs["cause"] != "timeout" || figs["valid?"] != checker.Unknown {
		t.Errorf("key 0: %v, want :cause timeout", figs)
	}
	if !slices.Equal(res.Anomalies, []string{AnomalySearchTimeout}) {
		t.Errorf("anomalies %v", res.Anomalies)
	}
	if got := res.Figures["failures"]; !wire.Equal(got, []any{}) {
		t.Errorf("failures %v, want none", got)
	}
}

// TestCheckMalformedHistories: what Knossos throws on makes the key unknown;
// what it asserts (a java.lang.Error) makes Maelstrom's whole result
// unknown.
func TestCheckMalformedHistories(t *testing.T) {
	tests := []struct {
		name      string
		h         history.History
		wholeLost bool
		errorHas  string
	}{
		{"a process invokes twice", hist(
			inv(0, "write", kv(0, n(1))), inv(0, "write", kv(0, n(2))),
		), false, "still running"},
		{"a cas without from and to", hist(
			inv(0, "cas", kv(0, n(1))), ok(0, "cas", kv(0, n(1))),
		), false, "not [from, to]"},
		{"an operation a register lacks", hist(
			inv(0, "add", kv(0, n(1))), ok(0, "add", kv(0, n(1))),
		), false, "no operation"},
		{"a completion without invocation", hist(
			ok(0, "write", kv(0, n(1))),
		), true, "without invoking"},
		{"a failure whose value differs from its invocation's", hist(
			inv(0, "write", kv(0, n(1))), fail(0, "write", kv(0, n(2))),
		), true, "don't match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Check(tt.h, Options{})
			if res.Valid != checker.Unknown || res.WholeResultUnknown != tt.wholeLost {
				t.Fatalf("valid %v, whole result unknown %v; want unknown, %v", res.Valid, res.WholeResultUnknown, tt.wholeLost)
			}
			if err, _ := keyFigures(t, res, "0")["error"].(string); !strings.Contains(err, tt.errorHas) {
				t.Errorf("error %q, want it to say %q", err, tt.errorHas)
			}
			if !slices.Equal(res.Anomalies, []string{AnomalyCheckerError}) {
				t.Errorf("anomalies %v", res.Anomalies)
			}
		})
	}
}

// TestCheckOpsWithoutTupleGoToEveryKey: jepsen.independent puts a client op
// whose value is no [key, value] tuple into every key's subhistory, where
// Knossos checks it as a register op of that key.
func TestCheckOpsWithoutTupleGoToEveryKey(t *testing.T) {
	h := hist(
		inv(0, "write", n(5)), ok(0, "write", n(5)),
		inv(1, "read", kv(0, nil)), ok(1, "read", kv(0, n(5))),
		inv(1, "read", kv(1, nil)), ok(1, "read", kv(1, n(5))),
	)
	if res := Check(h, Options{}); res.Valid != checker.Valid {
		t.Fatalf("valid %v: %v", res.Valid, res.Figures)
	}
}
