package main

import (
	"testing"

	"gossip-glomers/internal/e2e"
)

func TestChallenge2(t *testing.T) {
	t.Parallel()
	res := e2e.RunChallenge(t, "2", e2e.Build(t, "maelstrom-unique-ids"))
	if !res.Valid {
		t.Fatalf("challenge 2 invalid: %v", res.Anomalies)
	}
	if res.Ops.Invoke < 1000 || res.Ops.OK != res.Ops.Invoke {
		t.Fatalf("ops %+v: want a high rate with every generate ok (total availability)", res.Ops)
	}
	if res.Net.Servers.MsgCount != 0 {
		t.Fatalf("unique-ids should need no server messages, got %d", res.Net.Servers.MsgCount)
	}
}
