package network

import (
	"testing"
	"time"
)

// The pump relies on two things of its alarm: it never wakes before the
// wait is over (Maelstrom's pump never delivers before the deadline, in
// whole milliseconds), and close ends a sleep in progress (so a stopped
// endpoint's pump exits instead of sleeping out a long latency).
func TestAlarms(t *testing.T) {
	alarms := map[string]func() alarm{
		"platform": newAlarm,
		"timer":    func() alarm { return newTimerAlarm() },
	}
	for name, newA := range alarms {
		t.Run(name, func(t *testing.T) {
			a := newA()
			for _, d := range []time.Duration{0, time.Microsecond, 3 * time.Millisecond} {
				start := time.Now()
				a.sleep(d)
				if slept := time.Since(start); slept < d {
					t.Errorf("sleep(%v) returned after %v", d, slept)
				}
			}

			done := make(chan struct{})
			go func() {
				a.sleep(time.Hour)
				close(done)
			}()
			time.Sleep(10 * time.Millisecond) // let it start sleeping
			a.close()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("close did not end a sleep in progress")
			}
			a.sleep(time.Hour) // a closed alarm does not sleep
		})
	}
}
