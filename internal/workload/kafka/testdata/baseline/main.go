// Command baseline is the straightforward kafka node the benchmark compares
// maelstrom-kafka against: everything lives in lin-kv. Each key's whole log
// is one lin-kv value (a list of messages, offset = position), and every
// send reads it and compare-and-sets it one message longer, retrying on
// conflict; polls read the logs of the polled keys; committed offsets are
// written and read one lin-kv key per log key. Correct on any number of
// nodes, and slow: several lin-kv round trips per operation.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

const kvTimeout = time.Second

type store struct{ kv node.KV }

var errPrecondition = errors.New("precondition failed")

// read returns the key's value, or found=false.
func (s store) read(key string, v any) (found bool, err error) {
	raw, err := s.kv.Read(context.Background(), key)
	if maelstrom.ErrorCode(err) == maelstrom.KeyDoesNotExist {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(raw, v)
}

func (s store) cas(key string, from, to any, create bool) error {
	err := s.kv.CAS(context.Background(), key, from, to, create)
	if code := maelstrom.ErrorCode(err); code == maelstrom.PreconditionFailed || code == maelstrom.KeyDoesNotExist {
		return errPrecondition
	}
	return err
}

func (s store) write(key string, v any) error {
	return s.kv.Write(context.Background(), key, v)
}

func logKey(k string) string       { return "log/" + k }
func committedKey(k string) string { return "committed/" + k }

// send appends msg to k's log: read, then compare-and-set, until it wins.
func (s store) send(k string, msg json.RawMessage) (int, error) {
	for attempt := 0; attempt < 100; attempt++ {
		var log []json.RawMessage
		found, err := s.read(logKey(k), &log)
		if err != nil {
			return 0, err
		}
		var from any = log
		if !found {
			from = []json.RawMessage{}
		}
		err = s.cas(logKey(k), from, append(append([]json.RawMessage{}, log...), msg), !found)
		if errors.Is(err, errPrecondition) {
			continue
		}
		if err != nil {
			// The cas may have happened: the outcome is unknown.
			return 0, maelstrom.NewRPCError(maelstrom.Crash, err.Error())
		}
		return len(log), nil
	}
	return 0, maelstrom.NewRPCError(maelstrom.TemporarilyUnavailable, "too much contention")
}

func main() {
	n := node.New()
	s := store{node.NewKV(node.ServiceCaller(n, "lin-kv", kvTimeout))}
	node.Handle(n, "send", func(_ string, req struct {
		Key string          `json:"key"`
		Msg json.RawMessage `json:"msg"`
	}) (any, error) {
		off, err := s.send(req.Key, req.Msg)
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "send_ok", "offset": off}, nil
	})
	node.Handle(n, "poll", func(_ string, req struct {
		Offsets map[string]int `json:"offsets"`
	}) (any, error) {
		msgs := map[string][][2]any{}
		for k, from := range req.Offsets {
			var log []json.RawMessage
			if _, err := s.read(logKey(k), &log); err != nil {
				return nil, maelstrom.NewRPCError(maelstrom.TemporarilyUnavailable, err.Error())
			}
			for i := max(from, 0); i < len(log); i++ {
				msgs[k] = append(msgs[k], [2]any{i, log[i]})
			}
		}
		return map[string]any{"type": "poll_ok", "msgs": msgs}, nil
	})
	node.Handle(n, "commit_offsets", func(_ string, req struct {
		Offsets map[string]int `json:"offsets"`
	}) (any, error) {
		for k, o := range req.Offsets {
			if err := s.write(committedKey(k), o); err != nil {
				return nil, maelstrom.NewRPCError(maelstrom.Crash, err.Error())
			}
		}
		return map[string]any{"type": "commit_offsets_ok"}, nil
	})
	node.Handle(n, "list_committed_offsets", func(_ string, req struct {
		Keys []string `json:"keys"`
	}) (any, error) {
		offsets := map[string]int{}
		for _, k := range req.Keys {
			var o int
			found, err := s.read(committedKey(k), &o)
			if err != nil {
				return nil, maelstrom.NewRPCError(maelstrom.TemporarilyUnavailable, fmt.Sprint(err))
			}
			if found {
				offsets[k] = o
			}
		}
		return map[string]any{"type": "list_committed_offsets_ok", "offsets": offsets}, nil
	})
	node.Main(n)
}
