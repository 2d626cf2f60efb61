package kafka_test

import (
	"slices"
	"testing"

	"gossip-glomers/internal/e2e"
)

// TestUnreplicatedCaught: a node with a separate log per node is correct
// alone and caught on two nodes (both hand out the same offsets).
func TestUnreplicatedCaught(t *testing.T) {
	t.Parallel()
	bin := e2e.Build(t, "internal/workload/kafka/testdata/unreplicated")
	res := e2e.RunChallenge(t, "5b", bin)
	if res.Valid {
		t.Fatalf("an unreplicated log passed on two nodes: %v", res.Checker)
	}
	if !slices.Contains(res.Anomalies, "inconsistent-offsets") {
		t.Fatalf("anomalies %v, want inconsistent-offsets", res.Anomalies)
	}
	t.Logf("anomalies: %v", res.Anomalies)
}

// TestUnreplicatedAloneValid: the same node on one node is a correct log.
func TestUnreplicatedAloneValid(t *testing.T) {
	t.Parallel()
	bin := e2e.Build(t, "internal/workload/kafka/testdata/unreplicated")
	if res := e2e.RunChallenge(t, "5a", bin); !res.Valid {
		t.Fatalf("invalid on one node: %v %v", res.Anomalies, res.Checker)
	}
}

// TestBaselineValid: the benchmark's baseline is a correct node.
func TestBaselineValid(t *testing.T) {
	t.Parallel()
	bin := e2e.Build(t, "internal/workload/kafka/testdata/baseline")
	if res := e2e.RunChallenge(t, "5b", bin); !res.Valid {
		t.Fatalf("baseline invalid: %v %v", res.Anomalies, res.Checker)
	}
}
