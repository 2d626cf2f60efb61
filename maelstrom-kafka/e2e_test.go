package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"gossip-glomers/internal/e2e"
	"gossip-glomers/internal/report"
)

func checkKafkaRun(t *testing.T, res *report.Results) {
	t.Helper()
	if !res.Valid {
		t.Fatalf("invalid: %v\nchecker: %v", res.Anomalies, res.Checker)
	}
	t.Logf("ops %+v, servers msgs-per-op %.2f, latency median %.1f ms, p99 %.1f ms, max %.1f ms, worst realtime lag %v",
		res.Ops, res.Net.Servers.PerOp(), res.LatencyMS.Median, res.LatencyMS.P99, res.LatencyMS.Max,
		res.Checker["worst-realtime-lag"])
}

func TestChallenge5a(t *testing.T) {
	t.Parallel()
	checkKafkaRun(t, e2e.RunChallenge(t, "5a", e2e.Build(t, "maelstrom-kafka")))
}

func TestChallenge5b(t *testing.T) {
	t.Parallel()
	checkKafkaRun(t, e2e.RunChallenge(t, "5b", e2e.Build(t, "maelstrom-kafka")))
}

func TestChallenge5c(t *testing.T) {
	t.Parallel()
	checkKafkaRun(t, e2e.RunChallenge(t, "5c", e2e.Build(t, "maelstrom-kafka")))
}

// TestChallenge5bPartition adds Maelstrom's partition nemesis to 5b, often
// enough that some partitions cut the two nodes apart (with two nodes some
// shapes cut nothing): polls lag meanwhile and must catch up after.
func TestChallenge5bPartition(t *testing.T) {
	t.Parallel()
	res := e2e.RunChallenge(t, "5b", e2e.Build(t, "maelstrom-kafka"),
		"--nemesis", "partition", "--nemesis-interval", "2", "--seed", "3")
	checkKafkaRun(t, res)
	if !cutApart(t, res) {
		t.Fatal("no partition cut the nodes apart: pick another --seed")
	}
}

// TestChallenge5bSlowNetwork runs 5b with 100 ms between nodes.
func TestChallenge5bSlowNetwork(t *testing.T) {
	t.Parallel()
	checkKafkaRun(t, e2e.RunChallenge(t, "5b", e2e.Build(t, "maelstrom-kafka"), "--latency", "100"))
}

// cutApart reports whether the run's history has a partition that cut a link.
func cutApart(t *testing.T, res *report.Results) bool {
	f, err := os.Open(filepath.Join(res.Dir, "history.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var op struct {
			F     string            `json:"f"`
			Value []json.RawMessage `json:"value"`
		}
		if json.Unmarshal(sc.Bytes(), &op) != nil || op.F != "start-partition" || len(op.Value) != 2 {
			continue
		}
		var grudge map[string][]string
		if json.Unmarshal(op.Value[1], &grudge) == nil && len(grudge) > 0 {
			return true
		}
	}
	return false
}
