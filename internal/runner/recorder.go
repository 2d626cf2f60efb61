package runner

import (
	"sync"
	"time"

	"gossip-glomers/internal/history"
)

// recorder appends history entries from many goroutines, stamping index and time.
type recorder struct {
	start time.Time
	mu    sync.Mutex
	h     history.History
	ops   int // client invocations so far, for the progress line
}

func (r *recorder) add(op history.Op) history.Op {
	r.mu.Lock()
	defer r.mu.Unlock()
	op.Index = len(r.h)
	op.Time = time.Since(r.start)
	r.h = append(r.h, op)
	if op.Type == history.Invoke && op.IsClient() {
		r.ops++
	}
	return op
}

func (r *recorder) invocations() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ops
}

func (r *recorder) history() history.History {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append(history.History(nil), r.h...)
}
