package echo_test

import (
	"slices"
	"testing"

	"gossip-glomers/internal/e2e"
)

func TestWrongEchoIsCaught(t *testing.T) {
	t.Parallel()
	res := e2e.RunChallenge(t, "1", e2e.Build(t, "internal/workload/echo/testdata/wrong-echo"),
		"--rate", "50", "--time-limit", "2")
	if res.Valid {
		t.Fatal("an echo node that alters payloads passed")
	}
	if !slices.Contains(res.Anomalies, "wrong-echo") {
		t.Fatalf("anomalies %v, want wrong-echo", res.Anomalies)
	}
}
