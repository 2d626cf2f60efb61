package report

import (
	"encoding/json"
	"testing"
)

// An aborted run's results.json says "verdict": "aborted", valid false and
// the reason, with or without workload extras, and reads back as aborted.
func TestAbortedResultsJSON(t *testing.T) {
	for _, tc := range []struct {
		name  string
		extra map[string]any
	}{
		{"plain", nil},
		{"with extras", map[string]any{"stable_latency_ms": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(Results{Workload: "echo", AbortReason: "node n0 crashed", Extra: tc.extra})
			if err != nil {
				t.Fatal(err)
			}
			var fields map[string]any
			if err := json.Unmarshal(b, &fields); err != nil {
				t.Fatal(err)
			}
			if fields["verdict"] != "aborted" || fields["valid"] != false || fields["abort_reason"] != "node n0 crashed" {
				t.Errorf("verdict %v, valid %v, abort_reason %v; want aborted, false, the reason: %s",
					fields["verdict"], fields["valid"], fields["abort_reason"], b)
			}
			var back Results
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if !back.Aborted() || back.Valid || back.Extra["verdict"] != nil {
				t.Errorf("read back as %+v, want aborted and not valid", back)
			}
		})
	}
	b, _ := json.Marshal(Results{Workload: "echo", Valid: true})
	var fields map[string]any
	_ = json.Unmarshal(b, &fields)
	if fields["verdict"] != true || fields["abort_reason"] != nil {
		t.Errorf("a run that reached its verdict: %s", b)
	}
}
