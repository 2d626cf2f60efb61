package runner

import (
	"slices"
	"testing"
)

// The cursor picks like jepsen.generator.context's some-free-process: the
// first free client thread at or after the cursor, else the first from 0.
func TestThreadCursorChoosesLikeJepsen(t *testing.T) {
	const busy, free = false, true
	for _, tc := range []struct {
		name   string
		cursor int
		free   []bool
		want   int // -1: none free
	}{
		{"all free, cursor at 0", 0, []bool{free, free, free}, 0},
		{"all free, cursor at 2", 2, []bool{free, free, free}, 2},
		{"cursor on the nemesis slot wraps to 0", 3, []bool{free, free, free}, 0},
		{"cursor thread busy: the next one", 1, []bool{free, busy, free}, 2},
		{"cursor thread busy, 0 busy: the next one", 0, []bool{busy, free, free}, 1},
		{"nothing free after the cursor wraps to 0", 2, []bool{free, free, busy}, 0},
		{"wraps past a busy 0", 2, []bool{busy, free, busy}, 1},
		{"nemesis slot, 0 busy", 3, []bool{busy, busy, free}, 2},
		{"all busy", 1, []bool{busy, busy, busy}, -1},
		{"one thread, nemesis slot", 1, []bool{free}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newThreadCursor(len(tc.free))
			copy(c.free, tc.free)
			c.next = tc.cursor
			got, ok := c.choose()
			if !ok {
				got = -1
			}
			if got != tc.want {
				t.Errorf("choose() = %d, want %d", got, tc.want)
			}
		})
	}
}

// Every dispatch, to a client thread or to the nemesis, moves the cursor on
// by one over the c client threads plus the nemesis slot.
func TestThreadCursorAdvancesPerDispatch(t *testing.T) {
	for _, tc := range []struct {
		name     string
		threads  int
		dispatch string // per step: c = next client op (released at once), n = nemesis op
		want     []int  // the threads the client ops went to
	}{
		{"three threads, all free", 3, "cccccccc", []int{0, 1, 2, 0, 0, 1, 2, 0}},
		{"one thread", 1, "ccc", []int{0, 0, 0}},
		{"a nemesis op skips a slot", 3, "cncc", []int{0, 2, 0}},
		{"a nemesis op on the nemesis slot", 2, "ccnc", []int{0, 1, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newThreadCursor(tc.threads)
			var got []int
			for _, step := range tc.dispatch {
				if step == 'n' {
					c.nemesisDispatched()
					continue
				}
				th, ok := c.choose()
				if !ok {
					t.Fatal("no thread free")
				}
				c.take(th)
				c.release(th)
				got = append(got, th)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("client ops went to threads %v, want %v", got, tc.want)
			}
		})
	}
}

// With every thread free, thread 0 gets exactly 2 of every c+1 operations
// (the 1/2 at 3 threads, 40 % at 4, 2/26 at 25).
func TestThreadCursorShareOfThreadZero(t *testing.T) {
	for _, threads := range []int{1, 2, 3, 4, 25} {
		c := newThreadCursor(threads)
		cycles := 100
		count := make([]int, threads)
		for range cycles * (threads + 1) {
			th, _ := c.choose()
			c.take(th)
			c.release(th)
			count[th]++
		}
		if count[0] != 2*cycles {
			t.Errorf("%d threads: thread 0 got %d of %d ops, want %d", threads, count[0], cycles*(threads+1), 2*cycles)
		}
		for th := 1; th < threads; th++ {
			if count[th] != cycles {
				t.Errorf("%d threads: thread %d got %d ops, want %d", threads, th, count[th], cycles)
			}
		}
	}
}
