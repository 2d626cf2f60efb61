package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"gossip-glomers/internal/checker"
)

func TestResultsRoundTrip(t *testing.T) {
	perOp := 1.5
	in := Results{
		Workload: "broadcast", Valid: true, Verdict: checker.Valid, NodeCount: 5,
		Ops:       OpCounts{Invoke: 10, OK: 9, Info: 1},
		Net:       &NetStats{Servers: NetGroup{SendCount: 15, RecvCount: 15, MsgCount: 15, MsgsPerOp: &perOp}},
		Anomalies: []string{},
		Failures: []Failure{{F: "read", Type: "fail", Reason: "net-timeout", Count: 2,
			Example: OpPointer{Index: 4, Node: "n1", Client: "c3", MsgID: 2}}},
		Extra: map[string]any{"stable_latency_ms": map[string]any{"0.5": 12.0, "1": 40.0},
			FinalReadMissesKey: []string{"n1's final read lacks 1 of 1 values: 0"}},
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]any
	json.Unmarshal(b, &top)
	if _, ok := top["stable_latency_ms"]; !ok {
		t.Fatalf("extra fields are not at the top level: %s", b)
	}
	path := filepath.Join(t.TempDir(), "results.json")
	os.WriteFile(path, b, 0o644)
	out, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if out.Workload != "broadcast" || out.Net.Servers.PerOp() != 1.5 || out.Ops != in.Ops || out.Verdict != checker.Valid {
		t.Fatalf("round trip lost fields: %+v", out)
	}
	if !reflect.DeepEqual(out.Failures, in.Failures) {
		t.Fatalf("failures %+v, want %+v", out.Failures, in.Failures)
	}
	if _, ok := out.Extra["failures"]; ok {
		t.Fatal("failures came back as an extra field")
	}
	if lines, ok := out.Extra[FinalReadMissesKey].([]any); !ok || len(lines) != 1 {
		t.Fatalf("final read misses lost: %+v", out.Extra)
	}
	q, ok := out.Extra["stable_latency_ms"].(map[string]any)
	if !ok || q["0.5"] != 12.0 {
		t.Fatalf("extra fields lost: %+v", out.Extra)
	}
}
