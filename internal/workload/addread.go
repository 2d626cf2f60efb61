package workload

import (
	"context"
	"fmt"
	"time"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
)

// AddRead is the client of the workloads whose operations are adding one
// value and reading the whole state (g_set.clj's and pn_counter.clj's
// clients, pn-counter's also serving g-counter): add {AddField: value},
// which completes ok with the value it added, and read, whose read_ok
// value ReadValue checks and converts. Neither client maps errors: any
// error reply, timeout or reply that breaks the schema makes the op info,
// never fail.
type AddRead struct {
	Conn      Conn
	Node      string
	AddField  string                   // "element" (g-set) or "delta" (counters)
	ReadValue func(v any) (any, error) // the ok read's value, from read_ok's value
	Timeout   time.Duration
}

// Invoke sends the op's add or read.
func (c *AddRead) Invoke(ctx context.Context, op history.Op) history.Op {
	switch op.F {
	case "add":
		reply, err := c.Conn.Call(ctx, c.Node, wire.Body{"type": "add", c.AddField: op.Value}, c.Timeout)
		if err == nil {
			err = Expect(reply, "add_ok")
		}
		if err != nil {
			return Indeterminate(op, err)
		}
		op.Type = history.OK
		return op
	case "read":
		reply, err := c.Conn.Call(ctx, c.Node, wire.Body{"type": "read"}, c.Timeout)
		if err == nil {
			err = Expect(reply, "read_ok", "value")
		}
		var v any
		if err == nil {
			v, err = c.ReadValue(reply["value"])
		}
		if err != nil {
			return Indeterminate(op, err)
		}
		op.Type, op.Value = history.OK, v
		return op
	}
	return Indeterminate(op, fmt.Errorf("unknown operation %q", op.F))
}
