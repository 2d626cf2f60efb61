package checkbench

import (
	"fmt"
	"testing"

	"gossip-glomers/internal/checker"
)

// BenchmarkCheck checks each simulated history at 10^4 operations (the
// bench-checkers command also runs 10^5): go test -bench Check
// ./internal/bench/checkbench (add -cpuprofile to see where the time goes).
func BenchmarkCheck(b *testing.B) {
	for _, spec := range Specs() {
		for _, ops := range []int{10_000} {
			b.Run(fmt.Sprintf("%s/%d", spec.Name, ops), func(b *testing.B) {
				h, err := Simulate(spec, ops, 1)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					if _, err := Check(spec, h); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// Every simulated history of a correct model is valid and about the size
// asked for; the faulty models' are invalid with the anomalies they
// should show.
func TestSimulatedHistories(t *testing.T) {
	want := map[string][]string{
		"unique-ids-duplicates":      {"duplicated"},
		"kafka-lossy":                {"int-poll-skip", "lost-write", "poll-skip", "unseen"},
		"broadcast-lossy (set-full)": {"lost"},
	}
	for _, spec := range Specs() {
		t.Run(spec.Name, func(t *testing.T) {
			h, err := Simulate(spec, 1000, 1)
			if err != nil {
				t.Fatal(err)
			}
			invocations := 0
			for _, op := range h {
				if op.Type == "invoke" {
					invocations++
				}
			}
			// The main phase's 1000, and the final phase's, if any.
			if invocations < 1000 || invocations > 1100 {
				t.Errorf("%d invocations, want 1000 and a final phase", invocations)
			}
			res, err := Check(spec, h)
			if err != nil {
				t.Fatal(err)
			}
			anomalies, faulty := want[spec.Name]
			switch {
			case !faulty && res.Valid != checker.Valid:
				t.Errorf("correct model judged %v: %v", res.Valid, res.Anomalies)
			case faulty && (res.Valid != checker.Invalid || fmt.Sprint(res.Anomalies) != fmt.Sprint(anomalies)):
				t.Errorf("faulty model judged %v %v, want invalid %v", res.Valid, res.Anomalies, anomalies)
			}
		})
	}
}
