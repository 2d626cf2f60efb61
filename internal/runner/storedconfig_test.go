package runner

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"gossip-glomers/internal/report"
	"gossip-glomers/internal/workload"
)

// StoredConfig reads back what params records in results.json, so that
// glomers analyze describes a stored run and checks it as the run did.
func TestStoredConfigReadsParams(t *testing.T) {
	wl := &workload.Workload{Name: "txn-rw-register"}
	cfg := Config{
		Params: workload.Params{
			Nodes: []string{"n0", "n1"}, Concurrency: 4, Rate: 12.5, TimeLimit: 20 * time.Second,
			Latency: 100 * time.Millisecond, Topology: "tree4",
			ConsistencyModels: []string{"read-committed", "serializable"}, Availability: "0.9",
			LinearizabilityBudget: 30 * time.Second,
		},
		Workload: wl, Bin: "/bin/node", LatencyDist: "exponential",
		Nemesis: []string{"partition"}, NemesisInterval: 1500 * time.Millisecond, Seed: 42,
	}
	// Through results.json, as analyze reads it.
	b, err := json.Marshal(&report.Results{Workload: wl.Name, Params: params(&cfg, cfg.Seed)})
	if err != nil {
		t.Fatal(err)
	}
	var stored report.Results
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	if got := StoredConfig(&stored, wl); !reflect.DeepEqual(got, cfg) {
		t.Errorf("got  %+v\nwant %+v", got, cfg)
	}
}
