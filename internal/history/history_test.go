package history

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestTraceFields: history.jsonl names each operation's client and msg_id,
// and WithoutTrace drops them (from a copy) for the checkers.
func TestTraceFields(t *testing.T) {
	h := History{
		{Type: Invoke, Process: 0, F: "echo", Node: "n1", Client: "c5", MsgID: 3},
		{Type: Info, Process: NemesisProcess, F: "start-partition"},
	}
	b, err := json.Marshal(h[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"client":"c5","msg_id":3`) {
		t.Fatalf("entry %s lacks client and msg_id", b)
	}
	if b, _ := json.Marshal(h[1]); strings.Contains(string(b), "client") || strings.Contains(string(b), "msg_id") {
		t.Fatalf("nemesis entry %s has client fields", b)
	}
	plain := h.WithoutTrace()
	if plain[0].Client != "" || plain[0].MsgID != 0 || plain[0].Node != "n1" {
		t.Fatalf("WithoutTrace: %+v", plain[0])
	}
	if h[0].Client != "c5" {
		t.Fatal("WithoutTrace changed the original")
	}
}
