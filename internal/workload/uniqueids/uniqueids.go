// Package uniqueids is Maelstrom's unique-ids workload: clients ask nodes
// for ids, and every acknowledged id must be distinct.
package uniqueids

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"sort"
	"strings"
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
	r, ok, err := idRange(ids)
	switch {
	case err != nil:
		// Jepsen's checker throws computing the range: the verdict is unknown.
		res.Valid = checker.Unknown
		res.Figures["error"] = "ids are not comparable: " + err.Error()
		res.Anomalies = []string{"incomparable-ids"}
		return res
	case ok:
		res.Figures["range"] = r
	}
	if len(dupKeys) > 0 {
		res.Anomalies = []string{"duplicated"}
	}
	return res
}

// idRange folds min and max over the ids in order with Clojure's compare, as
// Jepsen's checker does. Clojure cannot compare a number with a string, or
// any map, so ok is false when two ids are incomparable: Jepsen's checker
// throws there and the verdict is unknown. (Which pairs get compared depends
// on the fold order; we compare each id with the running min and max.)
func idRange(ids []any) (r [2]any, ok bool, err error) {
	var lo, hi any
	for _, id := range ids {
		if id == nil {
			continue // Clojure's extremum skips nil
		}
		if lo == nil {
			lo, hi = id, id
			continue
		}
		c, err := compare(id, lo)
		if err != nil {
			return r, false, err
		}
		if c < 0 {
			lo = id
		}
		if c, err = compare(id, hi); err != nil {
			return r, false, err
		} else if c > 0 {
			hi = id
		}
	}
	if lo == nil {
		return r, false, nil
	}
	return [2]any{lo, hi}, true, nil
}

// compare is Clojure's compare on decoded JSON values: numbers by exact
// value, strings and booleans among themselves, arrays by length then
// element by element; anything else (maps, mixed kinds) throws.
func compare(a, b any) (int, error) {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			break
		}
		rx, okx := new(big.Rat).SetString(string(x))
		ry, oky := new(big.Rat).SetString(string(y))
		if okx && oky {
			return rx.Cmp(ry), nil
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), nil
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0, nil
			case !x:
				return -1, nil
			default:
				return 1, nil
			}
		}
	case []any:
		y, ok := b.([]any)
		if !ok {
			break
		}
		if len(x) != len(y) {
			return cmpInt(len(x), len(y)), nil
		}
		for i := range x {
			if c, err := compare(x[i], y[i]); err != nil || c != 0 {
				return c, err
			}
		}
		return 0, nil
	}
	return 0, fmt.Errorf("cannot compare %s with %s", wire.Key(a), wire.Key(b))
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
