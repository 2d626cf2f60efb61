// Package viewtest makes small hand-made run folders for the tests of the
// views and of glomers serve: what the runner would have written for a
// tiny broadcast run, line by line.
package viewtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Run is the content of a run folder; empty parts are not written.
type Run struct {
	Results string   // results.json
	History []string // history.jsonl lines
	Journal []string // messages.jsonl lines
	Logs    map[string]string
}

// Write lays the run out in dir (created if needed).
func (r Run) Write(t testing.TB, dir string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "node-logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if r.Results != "" {
		write("results.json", r.Results)
	}
	if r.History != nil {
		write("history.jsonl", strings.Join(r.History, "\n")+"\n")
	}
	if r.Journal != nil {
		write("messages.jsonl", strings.Join(r.Journal, "\n")+"\n")
	}
	for name, log := range r.Logs {
		write(filepath.Join("node-logs", name), log)
	}
	return dir
}

// Send and Recv are journal lines; at is in milliseconds since the start.
func Send(at float64, id int, src, dest, body string) string {
	return event("send", at, id, src, dest, body)
}
func Recv(at float64, id int, src, dest, body string) string {
	return event("recv", at, id, src, dest, body)
}

func event(typ string, at float64, id int, src, dest, body string) string {
	return fmt.Sprintf(`{"type":%q,"time":%d,"message":{"id":%d,"src":%q,"dest":%q,"body":%s}}`,
		typ, int64(at*1e6), id, src, dest, body)
}

// Op is a history line; at is in milliseconds, process a number or
// "nemesis", value raw JSON ("" for none).
func Op(index int, at float64, typ, process, f, value string) string {
	p := process
	if process == "nemesis" {
		p = `"nemesis"`
	}
	if value == "" {
		value = "null"
	}
	return fmt.Sprintf(`{"index":%d,"time":%d,"type":%q,"process":%s,"f":%q,"value":%s}`,
		index, int64(at*1e6), typ, p, f, value)
}

// Sample is a two-node broadcast run: init, one broadcast gossiped from n0
// to n1, a partition during which n0's next gossip is dropped, then a read.
func Sample() Run {
	return Run{
		Results: `{
  "workload": "broadcast", "valid": true, "verdict": true, "node_count": 2,
  "ops": {"invoke": 2, "ok": 2, "fail": 0, "info": 0},
  "net": {"all": {"send_count": 11, "recv_count": 10, "msg_count": 11, "msgs_per_op": 5.5},
          "clients": {"send_count": 8, "recv_count": 8, "msg_count": 8},
          "servers": {"send_count": 3, "recv_count": 2, "msg_count": 3, "msgs_per_op": 1.5}},
  "latency_ms": {"min": 1, "median": 2, "p95": 2, "p99": 2, "max": 2},
  "latency_by_f_ms": {"broadcast": {"min": 2, "median": 2, "p95": 2, "p99": 2, "max": 2}},
  "anomalies": [],
  "checks": {"workload": {"valid": true}, "stats": {"valid": true}, "availability": {"valid": true, "figures": {"ok_fraction": 1}}},
  "checker": {"lost": [], "stable-count": 1},
  "stable_latency_ms": {"0": 3, "0.5": 3, "0.95": 3, "0.99": 3, "1": 3},
  "params": {"bin": "/bin/maelstrom-broadcast", "nodes": ["n0", "n1"], "concurrency": 1, "rate": 10,
             "time_limit": 1, "latency": 0, "latency_dist": "constant", "nemesis": ["partition"],
             "nemesis_interval": 10, "availability": "", "topology": "grid", "seed": "7"},
  "some_future_field": {"x": 1}
}`,
		History: []string{
			Op(0, 10, "invoke", "0", "broadcast", "1"),
			Op(1, 12, "ok", "0", "broadcast", "1"),
			Op(2, 20, "info", "nemesis", "start-partition", `"halves"`),
			Op(3, 20, "info", "nemesis", "start-partition", `["isolated",{"n0":["n1"],"n1":["n0"]}]`),
			Op(4, 30, "invoke", "0", "read", ""),
			Op(5, 31, "ok", "0", "read", "[1]"),
			Op(6, 40, "info", "nemesis", "stop-partition", ""),
			Op(7, 40, "info", "nemesis", "stop-partition", `"network-healed"`),
		},
		Journal: []string{
			Send(1, 0, "c0", "n0", `{"type":"init","msg_id":1,"node_id":"n0","node_ids":["n0","n1"]}`),
			Recv(1, 0, "c0", "n0", `{"type":"init","msg_id":1,"node_id":"n0","node_ids":["n0","n1"]}`),
			Send(2, 1, "n0", "c0", `{"type":"init_ok","in_reply_to":1}`),
			Recv(2, 1, "n0", "c0", `{"type":"init_ok","in_reply_to":1}`),
			Send(10, 2, "c2", "n0", `{"type":"broadcast","msg_id":1,"message":1}`),
			Recv(10, 2, "c2", "n0", `{"type":"broadcast","msg_id":1,"message":1}`),
			Send(11, 3, "n0", "n1", `{"type":"gossip","values":[1]}`),
			Send(12, 4, "n0", "c2", `{"type":"broadcast_ok","in_reply_to":1}`),
			Recv(12, 4, "n0", "c2", `{"type":"broadcast_ok","in_reply_to":1}`),
			Recv(13, 3, "n0", "n1", `{"type":"gossip","values":[1]}`),
			Send(25, 5, "n0", "n1", `{"type":"gossip","values":[1]}`),
			Send(30, 6, "c2", "n1", `{"type":"read","msg_id":2}`),
			Recv(30, 6, "c2", "n1", `{"type":"read","msg_id":2}`),
			Send(31, 7, "n1", "c2", `{"type":"read_ok","in_reply_to":2,"messages":[1]}`),
			Recv(31, 7, "n1", "c2", `{"type":"read_ok","in_reply_to":2,"messages":[1]}`),
		},
		Logs: map[string]string{"n0.log": "n0 started\n", "n1.log": ""},
	}
}
