package main

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock; sleeping advances it.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept += d
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func newTestSnowflake(t *testing.T, node int, clock *fakeClock) *Snowflake {
	t.Helper()
	s, err := NewSnowflake(node)
	if err != nil {
		t.Fatal(err)
	}
	s.now, s.sleep = clock.Now, clock.Sleep
	return s
}

func mustNext(t *testing.T, s *Snowflake) uint64 {
	t.Helper()
	id, err := s.Next()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestLayout(t *testing.T) {
	clock := &fakeClock{now: Epoch.Add(1234 * time.Millisecond)}
	s := newTestSnowflake(t, 7, clock)
	ms, node, seq := Decode(mustNext(t, s))
	if ms != 1234 || node != 7 || seq != 0 {
		t.Fatalf("got ms=%d node=%d seq=%d, want 1234 7 0", ms, node, seq)
	}
	_, _, seq = Decode(mustNext(t, s))
	if seq != 1 {
		t.Fatalf("second id in the same ms has sequence %d, want 1", seq)
	}
}

func TestNodeIndexBounds(t *testing.T) {
	for _, tc := range []struct {
		index int
		ok    bool
	}{{0, true}, {1023, true}, {1024, false}, {-1, false}} {
		_, err := NewSnowflake(tc.index)
		if (err == nil) != tc.ok {
			t.Errorf("NewSnowflake(%d): err=%v, want ok=%v", tc.index, err, tc.ok)
		}
	}
}

func TestSequenceOverflowWaitsForNextMillisecond(t *testing.T) {
	clock := &fakeClock{now: Epoch.Add(time.Second)}
	s := newTestSnowflake(t, 1, clock)
	seen := map[uint64]bool{}
	for i := 0; i < 3*(maxSequence+1); i++ {
		id := mustNext(t, s)
		if seen[id] {
			t.Fatalf("id %d generated twice after %d ids", id, i)
		}
		seen[id] = true
	}
	if clock.slept == 0 {
		t.Fatal("generator never waited although the sequence overflowed")
	}
	ms, _, _ := Decode(mustNext(t, s))
	if ms < 1002 {
		t.Fatalf("after 3 overflows the clock should be at >= 1002 ms, got %d", ms)
	}
}

func TestClockStepBackNeverReuses(t *testing.T) {
	clock := &fakeClock{now: Epoch.Add(10 * time.Second)}
	s := newTestSnowflake(t, 3, clock)
	before := mustNext(t, s)
	clock.Set(Epoch.Add(9 * time.Second)) // wall clock steps back a second
	after := mustNext(t, s)
	if after <= before {
		t.Fatalf("id after a clock step back (%d) is not greater than the one before (%d)", after, before)
	}
	if clock.slept < time.Second {
		t.Fatalf("generator waited %v, want at least the 1 s the clock stepped back", clock.slept)
	}
}

func TestDistinctNodesNeverCollide(t *testing.T) {
	clock := &fakeClock{now: Epoch.Add(time.Minute)}
	a, b := newTestSnowflake(t, 0, clock), newTestSnowflake(t, 1, clock)
	for i := 0; i < 1000; i++ {
		if mustNext(t, a) == mustNext(t, b) {
			t.Fatal("two nodes generated the same id at the same instant")
		}
	}
}

func TestConcurrentGoroutinesGetUniqueIDs(t *testing.T) {
	s, err := NewSnowflake(5) // real clock
	if err != nil {
		t.Fatal(err)
	}
	const goroutines, each = 8, 5000
	ids := make(chan uint64, goroutines*each)
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				id, err := s.Next()
				if err != nil {
					t.Error(err)
					return
				}
				ids <- id
			}
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[uint64]bool{}
	for id := range ids {
		if seen[id] {
			t.Fatalf("duplicate id %d", id)
		}
		seen[id] = true
	}
	if len(seen) != goroutines*each {
		t.Fatalf("got %d ids, want %d", len(seen), goroutines*each)
	}
}

func TestNextStringIsDecimal(t *testing.T) {
	clock := &fakeClock{now: Epoch.Add(time.Hour)}
	s := newTestSnowflake(t, 2, clock)
	str, err := s.NextString()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range str {
		if r < '0' || r > '9' {
			t.Fatalf("id %q is not a decimal string", str)
		}
	}
}

func TestClockOverflow(t *testing.T) {
	clock := &fakeClock{now: Epoch.Add(time.Duration(maxMillis+1) * time.Millisecond)}
	s := newTestSnowflake(t, 0, clock)
	if _, err := s.Next(); err != ErrClockOverflow {
		t.Fatalf("got %v, want ErrClockOverflow", err)
	}
}
