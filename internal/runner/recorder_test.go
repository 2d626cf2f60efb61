package runner

import (
	"testing"
	"time"

	"gossip-glomers/internal/history"
)

// fakeClient is a requester that sends requests when told.
type fakeClient struct {
	name string
	last int64
}

func (c *fakeClient) Name() string     { return c.name }
func (c *fakeClient) LastMsgID() int64 { return c.last }

// TestRecorderNamesClientAndMsgID: an operation's invocation and completion
// both carry its client and the msg_id of its first request, known only
// after the request was sent; an operation that sent nothing has none.
func TestRecorderNamesClientAndMsgID(t *testing.T) {
	r := &recorder{start: time.Now()}
	c := &fakeClient{name: "c4", last: 6}

	inv := r.invoke(c, history.Op{Type: history.Invoke, Process: 2, F: "poll"})
	c.last += 2 // a poll and its commit_offsets
	done := r.complete(c, history.Op{Type: history.OK, Process: 2, F: "poll"})
	if inv.Client != "c4" || done.Client != "c4" || done.MsgID != 7 {
		t.Fatalf("invocation %+v, completion %+v: want client c4, msg_id 7", inv, done)
	}

	r.invoke(c, history.Op{Type: history.Invoke, Process: 2, F: "assign"})
	idle := r.complete(c, history.Op{Type: history.OK, Process: 2, F: "assign"})
	if idle.MsgID != 0 {
		t.Fatalf("an op that sent no request got msg_id %d", idle.MsgID)
	}

	h := r.history()
	for i, want := range []int64{7, 7, 0, 0} {
		if h[i].MsgID != want || h[i].Client != "c4" || h[i].Index != i {
			t.Errorf("entry %d: %+v, want client c4, msg_id %d", i, h[i], want)
		}
	}
}
