package report

import (
	"encoding/json"
	"strings"
	"testing"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
)

// results.edn has Maelstrom's result map: its checks in maelstrom.core's
// order, Jepsen's key names, Floats for fractions, ops as
// jepsen.history.Op records, and fipp's layout.
func TestWriteEDN(t *testing.T) {
	perOp, none := 2.25, 0.0
	op := history.Op{Index: 3, Time: 3000000, Type: history.OK, Process: 0, F: "read", Value: json.Number("4"), Final: true}
	res := &Results{
		Verdict: checker.Invalid,
		Ops:     OpCounts{Invoke: 4, OK: 3, Info: 1},
		Net: &NetStats{All: NetGroup{SendCount: 9, RecvCount: 9, MsgCount: 9, MsgsPerOp: &perOp},
			Clients: NetGroup{SendCount: 9, RecvCount: 9, MsgCount: 9},
			Servers: NetGroup{MsgsPerOp: &none}},
		Checks: map[string]Check{
			"workload": {Valid: checker.Invalid, Anomalies: []string{"unacceptable-final-read"}, Figures: map[string]any{
				"errors": []history.Op{op}, "final-reads": []any{int64(4)}, "acceptable": [][2]int64{{5, 5}}}},
			"stats": {Valid: checker.Valid, Figures: map[string]any{"count": 4, "ok_count": 3, "fail_count": 0, "info_count": 1,
				"by_f": map[string]any{
					"read": map[string]any{"valid": true, "count": 1, "ok_count": 1, "fail_count": 0, "info_count": 0},
					"add":  map[string]any{"valid": true, "count": 3, "ok_count": 2, "fail_count": 0, "info_count": 1},
				}}},
			"availability": {Valid: checker.Valid, Figures: map[string]any{"ok_fraction": float64(float32(0.75))}},
		},
	}
	var b strings.Builder
	if err := WriteEDN(&b, res, nil); err != nil {
		t.Fatal(err)
	}
	want := `{:perf {:latency-graph {:valid? true},
        :rate-graph {:valid? true},
        :valid? true},
 :timeline {:valid? true},
 :exceptions {:valid? true},
 :stats {:valid? true,
         :count 4,
         :ok-count 3,
         :fail-count 0,
         :info-count 1,
         :by-f {:add {:valid? true,
                      :count 3,
                      :ok-count 2,
                      :fail-count 0,
                      :info-count 1},
                :read {:valid? true,
                       :count 1,
                       :ok-count 1,
                       :fail-count 0,
                       :info-count 0}}},
 :availability {:valid? true, :ok-fraction 0.75},
 :net {:all {:send-count 9,
             :recv-count 9,
             :msg-count 9,
             :msgs-per-op 2.25},
       :clients {:send-count 9, :recv-count 9, :msg-count 9},
       :servers {:send-count 0,
                 :recv-count 0,
                 :msg-count 0,
                 :msgs-per-op 0.0},
       :valid? true},
 :workload {:valid? false,
            :acceptable [[5 5]],
            :errors [#jepsen.history.Op{:index 3,
                                        :time 3000000,
                                        :type :ok,
                                        :process 0,
                                        :f :read,
                                        :value 4,
                                        :final? true}],
            :final-reads [4]},
 :valid? false}
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// A workload check that throws as a java.lang.Error makes the whole map
// {:valid? :unknown, :error ...}; nothing invoked gives an ok-fraction of
// the integer 1; no journal, no :net.
func TestWriteEDNSpecialCases(t *testing.T) {
	whole := &Results{WholeResultUnknown: true, Verdict: checker.Unknown,
		Checks: map[string]Check{"workload": {Valid: checker.Unknown, Figures: map[string]any{"error": "keys of mixed types"}}}}
	var b strings.Builder
	WriteEDN(&b, whole, nil)
	if got := b.String(); got != "{:valid? :unknown, :error \"keys of mixed types\"}\n" {
		t.Errorf("whole result unknown: %s", got)
	}
	b.Reset()
	WriteEDN(&b, &Results{Checks: map[string]Check{"availability": {Figures: map[string]any{"ok_fraction": 1.0}}}}, nil)
	if got := b.String(); !strings.Contains(got, ":availability {:valid? true, :ok-fraction 1},") || strings.Contains(got, ":net") {
		t.Errorf("nothing invoked, no journal:\n%s", got)
	}
}
