package broadcastbench

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gossip-glomers/internal/report"
)

func sampleRows() []Row {
	yes, no := true, false
	return []Row{
		{Label: DefaultSetting, MsgsPerOp: 1.73, Median: 282, Max: 395, Read: report.Quantiles{Median: 12.4, Max: 1003}, Valid: true, PartitionValid: &yes},
		{Label: "100ms", MsgsPerOp: 2.9, Median: 240, Max: 330, Valid: true, PartitionValid: &yes},
		{Label: "400ms", MsgsPerOp: 1.2, Median: 410, Max: 640, Valid: true, PartitionValid: &no},
		{Label: "50ms", Err: errors.New("node crashed\nmore")},
	}
}

func TestTable(t *testing.T) {
	got := Table(sampleRows())
	for _, want := range []string{
		"| interval | servers msgs-per-op | stable latency median (ms) | stable latency max (ms) | read latency median / max (ms) | valid | valid with partitions |",
		"| default (no flags) | 1.73 | 282 | 395 | 12 / 1003 | yes | yes |",
		"| 400ms | 1.20 | 410 | 640 | 0 / 0 | yes | NO |",
		"| 50ms | - | - | - | - | error: node crashed | - |",
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	// Without partition runs there is no partition column.
	if got := Table([]Row{{Label: "100ms", MsgsPerOp: 2, Valid: true}}); strings.Contains(got, "partitions") {
		t.Errorf("partition column without partition runs:\n%s", got)
	}
}

func TestPlot(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"sweep.svg", "sweep.png"} {
		path := filepath.Join(dir, name)
		if err := Plot(sampleRows(), path); err != nil {
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
	// The points are the intervals that ran: neither the no-flags row nor
	// the failed one is drawn.
	b, err := os.ReadFile(filepath.Join(dir, "sweep.svg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, label := range []string{"100ms", "400ms"} {
		if !strings.Contains(string(b), label) {
			t.Errorf("the plot does not label %s", label)
		}
	}
	for _, label := range []string{"50ms", ">default<"} {
		if strings.Contains(string(b), label) {
			t.Errorf("the plot labels %s", label)
		}
	}
}
