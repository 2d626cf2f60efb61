// Package kafka is Maelstrom's kafka workload (src/maelstrom/workload/
// kafka.clj on top of jepsen.tests.kafka): clients send messages to
// append-only logs named by string keys, poll them from per-key offsets,
// commit the offsets they processed, and the queue checker looks for lost,
// duplicated, skipped, reordered and never-seen messages.
package kafka

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
)

// rpcTimeout is Maelstrom's default client RPC timeout.
const rpcTimeout = 5 * time.Second

// New returns the kafka workload.
func New() *workload.Workload {
	return &workload.Workload{
		Name: "kafka",
		// Maelstrom tears the client down after every info (a crash op in
		// particular), so each crash starts a fresh client with no offsets.
		ReusableClient: false,
		// Maelstrom clips the final polls to 10 s (gen/time-limit 10).
		FinalTimeLimit: 10 * time.Second,
		NewGenerator:   func(p *workload.Params) workload.Generator { return NewGenerator(p) },
		NewClient: func(_ *workload.Params, conn workload.Conn, node string) workload.Client {
			return &client{conn: conn, node: node, offsets: map[string]int64{}}
		},
		Check: func(_ *workload.Params, h history.History) checker.Result { return Check(h) },
		EDN:   ednValues,
	}
}

// client is Maelstrom's kafka Client. offsets maps each assigned key to the
// next offset to poll.
type client struct {
	conn    workload.Conn
	node    string
	offsets map[string]int64
}

// Invoke performs one op. Only assign is idempotent: a send or poll that
// times out is info; an assign that times out fails.
func (c *client) Invoke(ctx context.Context, op history.Op) history.Op {
	switch op.F {
	case "crash":
		// No RPC: the info completion makes the runner replace this client.
		op.Type = history.Info
		return op
	case "assign":
		return c.assign(ctx, op)
	case "send":
		return c.send(ctx, op)
	case "poll":
		return c.poll(ctx, op)
	}
	return workload.Complete(op, nil, fmt.Errorf("unknown operation %q", op.F), false)
}

// assign replaces the assigned keys. With SeekToBeginning (the final phase)
// every key starts at 0 without an RPC. Otherwise one list_committed_offsets
// RPC is made and must succeed, and each key keeps its current next offset
// or starts at 0.
//
// QUIRK (reproduced): Maelstrom means to resume a newly assigned key at its
// committed offset, but looks the key up in the reply body rather than in
// its offsets map, so committed offsets are never used.
func (c *client) assign(ctx context.Context, op history.Op) history.Op {
	if keys, ok := op.Value.(SeekToBeginning); ok {
		c.offsets = map[string]int64{}
		for _, k := range keys {
			c.offsets[k] = 0
		}
		op.Type = history.OK
		return op
	}
	keys, err := stringList(op.Value)
	if err != nil {
		return workload.Complete(op, nil, err, true)
	}
	reply, err := c.conn.Call(ctx, c.node, wire.Body{"type": "list_committed_offsets", "keys": keys}, rpcTimeout)
	if err == nil {
		err = workload.Expect(reply, "list_committed_offsets_ok", "offsets")
	}
	if err == nil {
		_, err = offsetMap("list_committed_offsets_ok", reply["offsets"])
	}
	if err != nil {
		return workload.Complete(op, nil, err, true)
	}
	next := map[string]int64{}
	for _, k := range keys {
		next[k] = c.offsets[k] // 0 when the key was not assigned
	}
	c.offsets = next
	return workload.Complete(op, op.Value, nil, true)
}

// send appends one message: [["send", k, msg]] -> [["send", k, [offset, msg]]].
func (c *client) send(ctx context.Context, op history.Op) history.Op {
	k, msg, err := sendMop(op.Value)
	if err != nil {
		return workload.Complete(op, nil, err, false)
	}
	reply, err := c.conn.Call(ctx, c.node, wire.Body{"type": "send", "key": k, "msg": msg}, rpcTimeout)
	if err == nil {
		err = workload.Expect(reply, "send_ok", "offset")
	}
	var offset json.Number
	if err == nil {
		if !wire.IsInteger(reply["offset"]) {
			err = fmt.Errorf("send_ok: offset %s is not an integer", wire.Key(reply["offset"]))
		} else {
			offset = reply["offset"].(json.Number)
		}
	}
	if err != nil {
		return workload.Complete(op, nil, err, false)
	}
	return workload.Complete(op, []any{[]any{"send", k, []any{offset, msg}}}, nil, false)
}

// poll reads from every assigned key, advances the local offsets past what
// came back (adding keys the reply names), then, if anything came back,
// commits the highest offset seen per key. The op is ok only if both RPCs
// succeed.
//
// QUIRK (reproduced): the offsets advance before the commit; if the commit
// fails the polled messages are never recorded, so the next poll of this
// client appears to skip them.
func (c *client) poll(ctx context.Context, op history.Op) history.Op {
	offs := map[string]any{}
	for k, o := range c.offsets {
		offs[k] = o
	}
	reply, err := c.conn.Call(ctx, c.node, wire.Body{"type": "poll", "offsets": offs}, rpcTimeout)
	if err == nil {
		err = workload.Expect(reply, "poll_ok", "msgs")
	}
	var msgs map[string]any
	if err == nil {
		msgs, err = pollMsgs(reply["msgs"])
	}
	if err != nil {
		return workload.Complete(op, nil, err, false)
	}
	commit := map[string]any{}
	for k, list := range msgs {
		pairs, _ := list.([]any)
		high := int64(-1)
		committed := int64(0)
		for _, e := range pairs {
			o, _ := wire.Int(e.([]any)[0])
			high = max(high, o)
			committed = max(committed, o)
		}
		if cur, ok := c.offsets[k]; !ok || high+1 > cur {
			c.offsets[k] = high + 1
		}
		if len(pairs) > 0 {
			commit[k] = committed
		}
	}
	if len(commit) > 0 {
		reply, err := c.conn.Call(ctx, c.node, wire.Body{"type": "commit_offsets", "offsets": commit}, rpcTimeout)
		if err == nil {
			err = workload.Expect(reply, "commit_offsets_ok")
		}
		if err != nil {
			return workload.Complete(op, nil, err, false)
		}
	}
	return workload.Complete(op, []any{[]any{"poll", msgs}}, nil, false)
}

// sendMop unpacks [["send", k, msg]].
func sendMop(v any) (string, any, error) {
	mops, ok := v.([]any)
	if ok && len(mops) == 1 {
		if mop, ok := mops[0].([]any); ok && len(mop) == 3 && mop[0] == "send" {
			if k, ok := mop[1].(string); ok {
				return k, mop[2], nil
			}
		}
	}
	return "", nil, fmt.Errorf("malformed send value %s", wire.Key(v))
}

func stringList(v any) ([]string, error) {
	switch ks := v.(type) {
	case []string:
		return ks, nil
	case []any:
		out := make([]string, len(ks))
		for i, k := range ks {
			s, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("assign key %s is not a string", wire.Key(k))
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("malformed assign value %s", wire.Key(v))
}

// offsetMap checks Maelstrom's {Key Offset} schema: an object of integers.
func offsetMap(what string, v any) (map[string]int64, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: offsets %s is not a map", what, wire.Key(v))
	}
	out := map[string]int64{}
	for k, o := range m {
		n, ok := wire.Int(o)
		if !ok {
			return nil, fmt.Errorf("%s: offset %s of key %q is not an integer", what, wire.Key(o), k)
		}
		out[k] = n
	}
	return out, nil
}

// pollMsgs checks Maelstrom's {Key [[Offset Msg]]} schema. Each key's list
// may be null (prismatic schema lets nil through a sequence schema); each
// element must be a 2-element [integer, any] array.
//
// Offsets beyond 64 bits are rejected here (Maelstrom would accept any
// integer); no node hands out such offsets in practice.
func pollMsgs(v any) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("poll_ok: msgs %s is not a map", wire.Key(v))
	}
	for k, list := range m {
		if list == nil {
			continue
		}
		pairs, ok := list.([]any)
		if !ok {
			return nil, fmt.Errorf("poll_ok: msgs of key %q is not a sequence: %s", k, wire.Key(list))
		}
		for _, e := range pairs {
			pe, ok := e.([]any)
			if !ok || len(pe) != 2 {
				return nil, fmt.Errorf("poll_ok: element %s of key %q is not an [offset, msg] pair", wire.Key(e), k)
			}
			if _, ok := wire.Int(pe[0]); !ok {
				return nil, fmt.Errorf("poll_ok: offset %s of key %q is not an integer", wire.Key(pe[0]), k)
			}
		}
	}
	return m, nil
}
