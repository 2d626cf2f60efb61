package setfull

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"strconv"
	"testing"
	"time"

	"gossip-glomers/internal/history"
)

// referenceGather is gather as it was first written, the straightforward
// transcription of set-full: elements in a map by elementKey, a map of the
// values present in each read, and a walk over every element at every
// read. It is far too slow for long histories but easy to check against
// Jepsen; gather must learn exactly what it learns.
func referenceGather(h history.History, addF string) gathered {
	var order []string // element keys in first-invocation order
	elements := map[string]*element{}
	addedKeys := map[string]bool{}
	for _, op := range h {
		if op.IsClient() && op.F == addF && op.Type == history.Invoke {
			addedKeys[elementKey(op.Value)] = true
		}
	}
	unexpected := map[string]any{}
	invocations := map[int]history.Op{}
	type referenceFinal struct {
		op        history.Op
		completed bool
		present   map[string]bool
	}
	var finals []referenceFinal
	for _, op := range h {
		if !op.IsClient() {
			continue
		}
		switch op.F {
		case addF:
			key := elementKey(op.Value)
			if op.Type == history.Invoke {
				if _, seen := elements[key]; !seen {
					order = append(order, key)
				}
				elements[key] = &element{value: op.Value}
				continue
			}
			if e := elements[key]; e != nil && op.Type == history.OK && e.known == nil {
				known := op
				e.known = &known
			}
		case "read":
			if op.Type == history.Invoke {
				invocations[op.Process] = op
				continue
			}
			inv, ok := invocations[op.Process]
			delete(invocations, op.Process)
			final := ok && (inv.Final || op.Final)
			if final && op.Type != history.OK {
				finals = append(finals, referenceFinal{op: op, completed: true})
			}
			if !ok || op.Type != history.OK {
				continue
			}
			present := map[string]bool{}
			for _, v := range readValues(op.Value) {
				k := elementKey(v)
				present[k] = true
				if !addedKeys[k] {
					unexpected[k] = v
				}
			}
			if final {
				finals = append(finals, referenceFinal{op: op, completed: true, present: present})
			}
			comp := op
			for _, key := range order {
				e := elements[key]
				if present[key] {
					if e.known == nil {
						e.known = &comp
					}
					if e.lastPresent == nil || e.lastPresent.Index < inv.Index {
						e.lastPresent = &inv
					}
				} else if e.lastAbsent == nil || e.lastAbsent.Index < inv.Index {
					e.lastAbsent = &inv
				}
			}
		}
	}
	for _, inv := range invocations {
		if inv.Final {
			finals = append(finals, referenceFinal{op: inv})
		}
	}

	// The same shape as gather's: ids in first-invocation order, elements
	// sorted, final reads' values as sets of ids.
	g := gathered{unexpected: unexpected}
	for id, key := range order {
		elements[key].id = id
		g.elements = append(g.elements, elements[key])
	}
	sort.SliceStable(g.elements, func(i, j int) bool {
		return compareElements(g.elements[i].value, g.elements[j].value) < 0
	})
	for _, f := range finals {
		fr := finalRead{op: f.op, completed: f.completed}
		if f.present != nil {
			fr.present = newBitset(len(order))
			for id, key := range order {
				if f.present[key] {
					fr.present.set(id)
				}
			}
		}
		g.finals = append(g.finals, fr)
	}
	return g
}

// forms are ways a history can write the same value; each entry of
// randomValues lists the forms of one element (as elementKey identifies
// them).
var randomValues = [][]any{
	{int64(0), 0, int32(0), uint64(0), json.Number("0"), json.Number("-0"), json.Number("00")},
	{int64(1), 1, json.Number("1"), json.Number("+1"), json.Number("01")},
	{int64(2), json.Number("2")},
	{int64(-3), int32(-3), json.Number("-3"), json.Number("-003")},
	{int64(17), json.Number("17")},
	{int64(1_000_000_000_000), json.Number("1000000000000")},
	{int64(math.MaxInt64), uint64(math.MaxInt64), json.Number("9223372036854775807")},
	{int64(math.MinInt64), json.Number("-9223372036854775808")},
	{uint64(math.MaxUint64), json.Number("18446744073709551615")},
	{json.Number("123456789012345678901234567890")},
	{json.Number("1.0")}, // never 1
	{json.Number("2.5")},
	{"x"},
	{"1"}, // a string, never 1
}

// randomHistory is a g-set history of about n entries: five processes
// adding and reading the values above in random forms, completions ok,
// fail or info, reads that see any subset (or null, or something not a
// list), values added more than once, a stray completion or a nemesis
// entry now and then, and final reads near the end.
func randomHistory(rng *rand.Rand, n int) history.History {
	value := func(pool int) any {
		forms := randomValues[rng.IntN(pool)]
		return forms[rng.IntN(len(forms))]
	}
	pool := 4 + rng.IntN(len(randomValues)-3) // how many distinct values this history uses
	open := map[int]*history.Op{}
	var h history.History
	for len(h) < n {
		p := rng.IntN(5)
		final := len(h) > n*3/4 && rng.IntN(2) == 0
		switch inv := open[p]; {
		case rng.IntN(40) == 0:
			h = append(h, history.Op{Process: history.NemesisProcess, Type: history.Info, F: "start-partition"})
		case inv == nil && rng.IntN(30) == 0: // a completion nothing invoked
			h = append(h, history.Op{Process: p, Type: history.OK, F: "read", Value: []any{value(pool)}})
		case inv == nil:
			op := history.Op{Process: p, Type: history.Invoke, F: "read", Final: final, Node: "n" + strconv.Itoa(p%3)}
			if !final && rng.IntN(2) == 0 {
				op.F, op.Value = "add", value(pool)
			}
			h = append(h, op)
			open[p] = &h[len(h)-1]
		default:
			done := *inv
			delete(open, p)
			done.Type = []history.Type{history.OK, history.OK, history.OK, history.Fail, history.Info}[rng.IntN(5)]
			switch {
			case done.F == "add" && rng.IntN(8) == 0:
				done.Value = value(pool) // another form, or another value
			case done.F == "read":
				done.Value = nil
				switch r := rng.IntN(20); {
				case r == 0: // null
				case r == 1:
					done.Value = json.Number("3") // not a list
				default:
					seen := []any{}
					for range rng.IntN(2 * pool) {
						seen = append(seen, value(pool))
					}
					done.Value = seen
				}
			}
			h = append(h, done)
		}
	}
	for i := range h {
		h[i].Time = time.Duration(i) * time.Millisecond
	}
	return h.Reindex()
}

// TestGatherMatchesReference: on random histories, Check gives exactly
// what the reference gathering gives (figures, order, examples, final read
// misses), also when the ops' Index is not their position in the history.
func TestGatherMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	verdicts := map[string]int{}
	for i := range 600 {
		h := randomHistory(rng, 10+rng.IntN(120))
		switch i % 3 {
		case 1: // indices that grow by more than one
			for j := range h {
				h[j].Index = 3*j + 5
			}
		case 2: // indices that run backwards
			for j := range h {
				h[j].Index = len(h) - j
			}
		}
		// Compared as values, not JSON: "+1" and "01" are no JSON numbers.
		got, want := Check(h, "add"), summarize(h, referenceGather(h, "add"))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("history %d differs from the reference:\n%v\ngot:  %v\nwant: %v", i, h, got, want)
		}
		verdicts[fmt.Sprint(got.Valid)]++
	}
	// The histories are worth comparing on: every verdict occurs.
	if len(verdicts) != 3 {
		t.Errorf("verdicts %v, want valid, invalid and unknown among them", verdicts)
	}
}
