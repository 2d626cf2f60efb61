package main

import (
	"testing"

	"gossip-glomers/internal/e2e"
)

func TestChallenge1(t *testing.T) {
	t.Parallel()
	res := e2e.RunChallenge(t, "1", e2e.Build(t, "maelstrom-echo"))
	if !res.Valid {
		t.Fatalf("challenge 1 invalid: %v", res.Anomalies)
	}
	if res.Ops.OK == 0 || res.Ops.OK != res.Ops.Invoke {
		t.Fatalf("ops %+v: every echo should succeed", res.Ops)
	}
}
