// Package uniqueids is Maelstrom's unique-ids workload: clients ask nodes
// for ids, and every acknowledged id must be distinct.
package uniqueids

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"sort"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
	"gossip-glomers/internal/workload"
)

const rpcTimeout = 5 * time.Second

// New returns the unique-ids workload. Its client is reusable, as in Maelstrom.
func New() *workload.Workload {
	return &workload.Workload{
		Name:           "unique-ids",
		ReusableClient: true,
		NewGenerator:   func(*workload.Params) workload.Generator { return generator{} },
		NewClient: func(_ *workload.Params, conn workload.Conn, node string) workload.Client {
			return &client{conn: conn, node: node}
		},
		Check: func(_ *workload.Params, h history.History) checker.Result { return Check(h) },
	}
}

type generator struct{}

func (generator) Next(int, time.Duration, *rand.Rand) (workload.Op, bool) {
	return workload.Op{F: "generate"}, true
}

func (generator) Update(history.Op) {}

type client struct {
	conn workload.Conn
	node string
}

// Invoke asks for an id; the ok completion's value is the id (any JSON).
func (c *client) Invoke(ctx context.Context, op history.Op) history.Op {
	reply, err := c.conn.Call(ctx, c.node, wire.Body{"type": "generate"}, rpcTimeout)
	if err == nil {
		err = workload.Expect(reply, "generate_ok", "id")
	}
	return workload.Complete(op, reply["id"], err, false)
}

// maxDuplicatesShown is how many duplicated ids Jepsen lists.
const maxDuplicatesShown = 48

// Check is Jepsen's unique-ids checker: valid iff no id appears in more than
// one ok completion (structural equality of JSON values).
func Check(h history.History) checker.Result {
	attempted, acknowledged := 0, 0
	seen := map[string]int{}
	var ids []any
	for _, op := range h {
		if !op.IsClient() || op.F != "generate" {
			continue
		}
		switch op.Type {
		case history.Invoke:
			attempted++
		case history.OK:
			acknowledged++
			k := wire.Key(op.Value)
			if seen[k] == 0 {
				ids = append(ids, op.Value)
			}
			seen[k]++
		}
	}
	dups := map[string]int{}
	var dupKeys []string
	for k, n := range seen {
		if n > 1 {
			dupKeys = append(dupKeys, k)
		}
	}
	sort.Strings(dupKeys)
	for i, k := range dupKeys {
		if i == maxDuplicatesShown {
			break
		}
		dups[k] = seen[k]
	}
	res := checker.Result{
		Valid: checker.Of(len(dupKeys) == 0),
		Figures: map[string]any{
			"attempted_count":    attempted,
			"acknowledged_count": acknowledged,
			"duplicated_count":   len(dupKeys),
			"duplicated":         dups,
		},
	}
	if r, ok := idRange(ids); ok {
		res.Figures["range"] = r
	}
	if len(dupKeys) > 0 {
		res.Anomalies = []string{"duplicated"}
	}
	return res
}

// idRange is [min, max] of the ids when they are all numbers or all
// strings; Jepsen's range throws on incomparable ids, so we just omit it.
func idRange(ids []any) ([2]any, bool) {
	if len(ids) == 0 {
		return [2]any{}, false
	}
	less, ok := comparator(ids)
	if !ok {
		return [2]any{}, false
	}
	lo, hi := ids[0], ids[0]
	for _, id := range ids[1:] {
		if less(id, lo) {
			lo = id
		}
		if less(hi, id) {
			hi = id
		}
	}
	return [2]any{lo, hi}, true
}

func comparator(ids []any) (func(a, b any) bool, bool) {
	switch ids[0].(type) {
	case string:
		for _, id := range ids {
			if _, ok := id.(string); !ok {
				return nil, false
			}
		}
		return func(a, b any) bool { return a.(string) < b.(string) }, true
	case json.Number:
		for _, id := range ids {
			if _, ok := id.(json.Number); !ok {
				return nil, false
			}
		}
		return func(a, b any) bool {
			x, _ := a.(json.Number).Float64()
			y, _ := b.(json.Number).Float64()
			return x < y
		}, true
	}
	return nil, false
}
