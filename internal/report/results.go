// Package report holds a run's results (results.json) and renders them for
// people: the terminal summary and the challenges table.
package report

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"

	"gossip-glomers/internal/checker"
)

// Results is results.json.
type Results struct {
	Workload  string           `json:"workload"`
	Valid     bool             `json:"valid"`
	Verdict   checker.Validity `json:"verdict"` // true, false or "unknown"; "aborted" when AbortReason is set
	NodeCount int              `json:"node_count"`
	Ops       OpCounts         `json:"ops"`
	// Net is nil when no message journal was there to count (glomers
	// analyze on a history without its run's messages.jsonl): absent, not
	// zero.
	Net       *NetStats `json:"net"`
	LatencyMS Quantiles `json:"latency_ms"` // over ok client operations
	// LatencyByF splits LatencyMS by operation (e.g. kafka's send and poll).
	LatencyByF map[string]Quantiles `json:"latency_by_f_ms"`
	Anomalies  []string             `json:"anomalies"`
	// Failures counts the client operations that did not complete ok, by f,
	// completion type and reason, the most frequent first.
	Failures []Failure `json:"failures"`
	// Checker is the workload checker's own figures.
	Checker map[string]any `json:"checker"`
	// Checks has the verdict of every check Maelstrom runs (workload, stats,
	// availability, net, ...), with their figures.
	Checks map[string]Check `json:"checks"`
	// Extra fields workloads add at the top level (broadcast: stable_latency_ms).
	Extra map[string]any `json:"-"`
	// Params records how the run was made.
	Params map[string]any `json:"params"`
	// Warnings are things the workbench noticed about the nodes that do not
	// fail the run (e.g. late replies to closed clients, dropped).
	Warnings []string `json:"warnings,omitempty"`
	Dir      string   `json:"dir,omitempty"` // where the run's files are

	// AbortReason is why the run stopped before its verdict (a node crashed,
	// stopped reading its stdin, the run was interrupted, ...); Valid is
	// then false and results.json's verdict "aborted".
	AbortReason string `json:"abort_reason,omitempty"`

	// AnalysedFrom is the history glomers analyze checked to make these
	// results (empty for a run's own results).
	AnalysedFrom string `json:"analysed_from,omitempty"`
	// WholeResultUnknown: the workload checker failed as a Jepsen checker
	// that throws a java.lang.Error does, which makes Maelstrom's whole
	// result {:valid? :unknown, :error ...} (see checker.Result).
	WholeResultUnknown bool `json:"whole_result_unknown,omitempty"`
}

// FinalReadMissesKey is the top-level results.json field (a workload's
// checker.Result.Top) where broadcast and the counters say, one line per
// final read, what a node's final read missed ("n3's final read lacks 12 of
// 40 values: 0, 5, 8, ..."). It is for people: no verdict depends on it.
const FinalReadMissesKey = "final_read_misses"

// Failure is one row of Results.Failures: Count operations of F completed
// as Type (fail or info) for Reason, with the first one as an example.
type Failure struct {
	F    string `json:"f"`
	Type string `json:"type"`
	// Reason is "net-timeout"; an error name from an error reply
	// ("not-supported", "crash", ...), with its Code; "bad-reply" for a reply
	// that broke Maelstrom's reply schema, with the broken rule in Detail; or
	// "indeterminate" for anything else the client could not use.
	Reason string `json:"reason"`
	Code   *int64 `json:"code,omitempty"`
	Count  int    `json:"count"`
	// Detail is the first one's error text (a bad reply's rows are split by it).
	Detail  string    `json:"detail,omitempty"`
	Example OpPointer `json:"example"`
}

// OpPointer says where to find an operation: its completion's index in
// history.jsonl, and the node, client and msg_id to look for in
// messages.jsonl.
type OpPointer struct {
	Index  int    `json:"index"`
	Node   string `json:"node,omitempty"`
	Client string `json:"client,omitempty"`
	MsgID  int64  `json:"msg_id,omitempty"`
}

// Check is one check's verdict, anomalies and figures.
type Check struct {
	Valid     checker.Validity `json:"valid"`
	Anomalies []string         `json:"anomalies,omitempty"`
	Figures   map[string]any   `json:"figures,omitempty"`
}

// OpCounts counts client operations by outcome.
type OpCounts struct {
	Invoke int `json:"invoke"`
	OK     int `json:"ok"`
	Fail   int `json:"fail"`
	Info   int `json:"info"`
}

// NetStats is Maelstrom's net checker output.
type NetStats struct {
	All     NetGroup `json:"all"`
	Clients NetGroup `json:"clients"`
	Servers NetGroup `json:"servers"`
}

// NetGroup counts the messages of one group. MsgsPerOp is absent for clients.
type NetGroup struct {
	SendCount int      `json:"send_count"`
	RecvCount int      `json:"recv_count"`
	MsgCount  int      `json:"msg_count"`
	MsgsPerOp *float64 `json:"msgs_per_op,omitempty"`
}

// PerOp is MsgsPerOp or 0.
func (g NetGroup) PerOp() float64 {
	if g.MsgsPerOp == nil {
		return 0
	}
	return *g.MsgsPerOp
}

// Quantiles of a latency distribution, in milliseconds.
type Quantiles struct {
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	P95    float64 `json:"p95"`
	P99    float64 `json:"p99"`
	Max    float64 `json:"max"`
}

// Aborted reports whether the run stopped before its verdict.
func (r *Results) Aborted() bool { return r.AbortReason != "" }

// MarshalJSON flattens Extra into the top level and writes an aborted run's
// verdict as "aborted" (which reads back as unknown, with AbortReason set).
func (r Results) MarshalJSON() ([]byte, error) {
	type plain Results
	b, err := json.Marshal(plain(r))
	if err != nil || (len(r.Extra) == 0 && !r.Aborted()) {
		return b, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if r.Aborted() {
		m["verdict"] = json.RawMessage(`"aborted"`)
	}
	for k, v := range r.Extra {
		if _, taken := m[k]; taken {
			continue
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		m[k] = raw
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads what MarshalJSON writes, putting unknown top-level
// fields back into Extra.
func (r *Results) UnmarshalJSON(b []byte) error {
	type plain Results
	if err := json.Unmarshal(b, (*plain)(r)); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	known := jsonFields(reflect.TypeOf(*r))
	for k, raw := range all {
		if known[k] {
			continue
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		if r.Extra == nil {
			r.Extra = map[string]any{}
		}
		r.Extra[k] = v
	}
	return nil
}

// jsonFields are the JSON names of a struct type's fields.
func jsonFields(t reflect.Type) map[string]bool {
	names := map[string]bool{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names[name] = true
		}
	}
	return names
}

// Load reads a results.json.
func Load(path string) (*Results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
