package uniqueids_test

import (
	"slices"
	"testing"

	"gossip-glomers/internal/e2e"
)

func TestCollidingIDsAreCaught(t *testing.T) {
	t.Parallel()
	res := e2e.RunChallenge(t, "2", e2e.Build(t, "internal/workload/uniqueids/testdata/colliding"),
		"--time-limit", "2", "--rate", "200")
	if res.Valid {
		t.Fatal("nodes that count from 0 each passed the unique-ids check")
	}
	if !slices.Contains(res.Anomalies, "duplicated") {
		t.Fatalf("anomalies %v, want duplicated", res.Anomalies)
	}
}
