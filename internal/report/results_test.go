package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"gossip-glomers/internal/checker"
)

func TestResultsRoundTrip(t *testing.T) {
	perOp := 1.5
	in := Results{
		Workload: "broadcast", Valid: true, Verdict: checker.Valid, NodeCount: 5,
		Ops:       OpCounts{Invoke: 10, OK: 9, Info: 1},
		Net:       NetStats{Servers: NetGroup{SendCount: 15, RecvCount: 15, MsgCount: 15, MsgsPerOp: &perOp}},
		Anomalies: []string{},
		Extra:     map[string]any{"stable_latency_ms": map[string]any{"0.5": 12.0, "1": 40.0}},
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
	q, ok := out.Extra["stable_latency_ms"].(map[string]any)
	if !ok || q["0.5"] != 12.0 {
		t.Fatalf("extra fields lost: %+v", out.Extra)
	}
}
