package e2e

import (
	"bytes"
	"sync"
)

// lockedBuffer is a bytes.Buffer that may be written from several goroutines
// at once: a run's log is written by the runner and by node goroutines
// (warnings, --log-stderr, --log-net-*).
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
