package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sampleRows() []benchRow {
	yes, no := true, false
	return []benchRow{
		{Label: "default", MsgsPerOp: 1.73, Median: 282, Max: 395, Valid: true, PartitionValid: &yes},
		{Label: "100ms", MsgsPerOp: 2.9, Median: 240, Max: 330, Valid: true, PartitionValid: &yes},
		{Label: "400ms", MsgsPerOp: 1.2, Median: 410, Max: 640, Valid: true, PartitionValid: &no},
		{Label: "50ms", Err: errors.New("node crashed\nmore")},
	}
}

func TestBenchTable(t *testing.T) {
	got := benchTable(sampleRows())
	for _, want := range []string{
		"| interval | servers msgs-per-op | stable latency median (ms) | stable latency max (ms) | valid | valid with partitions |",
		"| default (no flags) | 1.73 | 282 | 395 | yes | yes |",
		"| 400ms | 1.20 | 410 | 640 | yes | NO |",
		"| 50ms | - | - | - | error: node crashed | - |",
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	// Without partition runs there is no partition column.
	if got := benchTable([]benchRow{{Label: "100ms", MsgsPerOp: 2, Valid: true}}); strings.Contains(got, "partitions") {
		t.Errorf("partition column without partition runs:\n%s", got)
	}
}

func TestBenchPlot(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"sweep.svg", "sweep.png"} {
		path := filepath.Join(dir, name)
		if err := benchPlot(sampleRows(), path); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 1000 {
			t.Errorf("%s: only %d bytes", name, len(b))
		}
		if strings.HasSuffix(name, ".svg") && !strings.Contains(string(b), "<svg") {
			t.Errorf("%s is not SVG", name)
		}
	}
}
