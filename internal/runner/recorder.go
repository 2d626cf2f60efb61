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
	// open maps a process to its invocation made through invoke, so that
	// complete can give both entries the msg_id of the op's request.
	open map[int]openOp
}

// openOp is an invocation waiting for its completion.
type openOp struct {
	index  int   // of the invocation in h
	lastID int64 // the client's LastMsgID when the op was invoked
}

// requester is the client an operation goes through (a *client.Conn): its
// name, and the msg_id of the last request it sent.
type requester interface {
	Name() string
	LastMsgID() int64
}

func (r *recorder) add(op history.Op) history.Op {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.addLocked(op)
}

func (r *recorder) addLocked(op history.Op) history.Op {
	op.Index = len(r.h)
	op.Time = time.Since(r.start)
	r.h = append(r.h, op)
	if op.Type == history.Invoke && op.IsClient() {
		r.ops++
	}
	return op
}

// invoke records the invocation of an operation that client c will perform,
// naming c in it.
func (r *recorder) invoke(c requester, op history.Op) history.Op {
	op.Client = c.Name()
	r.mu.Lock()
	defer r.mu.Unlock()
	op = r.addLocked(op)
	if r.open == nil {
		r.open = map[int]openOp{}
	}
	r.open[op.Process] = openOp{index: op.Index, lastID: c.LastMsgID()}
	return op
}

// complete records the completion of an operation invoked with invoke. If c
// sent a request in between, the first one's msg_id (the one after the
// client's last id at invocation: a client numbers its requests one by one)
// goes into the completion and, after the fact, into the invocation.
func (r *recorder) complete(c requester, op history.Op) history.Op {
	op.Client = c.Name()
	r.mu.Lock()
	defer r.mu.Unlock()
	if inv, ok := r.open[op.Process]; ok {
		delete(r.open, op.Process)
		if c.LastMsgID() > inv.lastID {
			op.MsgID = inv.lastID + 1
			r.h[inv.index].MsgID = op.MsgID
		}
	}
	return r.addLocked(op)
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
