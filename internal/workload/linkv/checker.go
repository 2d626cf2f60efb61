package linkv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/big"
	"regexp"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
)

// Anomaly names in the results (Jepsen's linearizable checker names none).
const (
	AnomalyNotLinearizable = "not-linearizable"
	// AnomalySearchTimeout: a key's search ran out of its budget (unknown).
	AnomalySearchTimeout = "linearizability-search-timeout"
	// AnomalyCheckerError: a key's history is not one Knossos can check
	// (a process invoking twice, a cas without [from, to], ...): unknown.
	AnomalyCheckerError = "checker-error"
)

// Top-level results.json fields the checker adds.
const (
	// NotLinearizableKey lists, one line per key that is not linearizable,
	// the operation no linearization can fit.
	NotLinearizableKey = "not_linearizable"
	// VisualisationsKey names the files with porcupine's drawing of each
	// such key (a Visualisations value).
	VisualisationsKey = "visualisations"
)

// Options configure Check.
type Options struct {
	// Budget bounds each key's search, as Knossos's :time-limit does: a key
	// whose search takes longer is unknown. 0 means no limit (Maelstrom
	// sets none).
	Budget time.Duration
}

// Visualisations are porcupine's drawings (HTML) of the keys that are not
// linearizable, by path in the run's folder: independent/<key>/linear.html,
// where Jepsen keeps each key's files and Knossos draws linear.svg.
// results.json lists the paths; RunFiles hands the contents to the runner,
// which writes them next to results.json.
type Visualisations map[string][]byte

// MarshalJSON writes the sorted paths.
func (v Visualisations) MarshalJSON() ([]byte, error) {
	paths := make([]string, 0, len(v))
	for p := range v {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return json.Marshal(paths)
}

// RunFiles returns the files to write into the run's folder.
func (v Visualisations) RunFiles() map[string][]byte { return v }

// Check is Maelstrom's lin-kv checker (jepsen.tests.linearizable-register):
//
//	(independent/checker (checker/linearizable {:model (model/cas-register)}))
//
// The history is split by key (jepsen.independent/subhistories: client ops
// whose value is a [key, value] tuple go to their key with the tuple
// unwrapped; other client ops go to every key), and each key is checked
// for linearizability on a CAS register whose initial value is nil, as
// Knossos's competition analysis does, with porcupine's search. The result
// is Jepsen's: valid? merged over the keys, results by key, and failures,
// the keys whose valid? is false (unknown keys are not failures there).
func Check(h history.History, opts Options) checker.Result {
	keys, subs := subhistories(h)
	results := make([]keyResult, len(keys))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(keys)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				results[i] = checkKey(keys[i], subs[i], opts.Budget)
			}
		}()
	}
	for i := range keys {
		work <- i
	}
	close(work)
	wg.Wait()

	res := checker.Result{Valid: checker.Valid, Figures: map[string]any{}}
	byKey := map[string]any{}
	failures := []any{}
	var lines []string
	pictures := Visualisations{}
	anomalies := map[string]bool{}
	for _, r := range results {
		res.Valid = checker.Merge(res.Valid, r.valid)
		byKey[wire.Key(r.key)] = map[string]any{"valid?": r.valid, "linearizable": r.figures}
		switch {
		case r.valid == checker.Invalid:
			failures = append(failures, r.key)
			anomalies[AnomalyNotLinearizable] = true
			lines = append(lines, r.line)
			if r.picture != nil {
				pictures[r.picturePath] = r.picture
			}
		case r.assertion:
			res.WholeResultUnknown = true
			anomalies[AnomalyCheckerError] = true
		case r.err != nil:
			anomalies[AnomalyCheckerError] = true
		case r.valid == checker.Unknown:
			anomalies[AnomalySearchTimeout] = true
		}
	}
	for a := range anomalies {
		res.Anomalies = append(res.Anomalies, a)
	}
	sort.Strings(res.Anomalies)
	res.Figures["valid?"] = res.Valid
	res.Figures["results"] = byKey
	res.Figures["failures"] = failures
	if len(lines) > 0 {
		res.Top = map[string]any{NotLinearizableKey: lines}
		if len(pictures) > 0 {
			res.Top[VisualisationsKey] = pictures
		}
	}
	return res
}

// placedOp is an op with its position in the history: positions order the
// ops, as Knossos orders them by their place in the history.
type placedOp struct {
	history.Op
	pos int
}

// subhistories splits the client ops by key, in history order, with tuple
// values unwrapped; keys come sorted as Jepsen's (sorted-map) sorts them.
func subhistories(h history.History) ([]any, [][]placedOp) {
	index := map[string]int{}
	var keys []any
	for _, op := range h {
		if k, _, ok := tuple(op); ok {
			if _, seen := index[wire.Key(k)]; !seen {
				index[wire.Key(k)] = len(keys)
				keys = append(keys, k)
			}
		}
	}
	sort.SliceStable(keys, func(i, j int) bool { return keyLess(keys[i], keys[j]) })
	for i, k := range keys {
		index[wire.Key(k)] = i
	}
	subs := make([][]placedOp, len(keys))
	for pos, op := range h {
		if !op.IsClient() {
			continue // nemesis ops: Knossos ignores an info without invocation
		}
		if k, v, ok := tuple(op); ok {
			i := index[wire.Key(k)]
			op.Value = v
			subs[i] = append(subs[i], placedOp{op, pos})
			continue
		}
		for i := range subs {
			subs[i] = append(subs[i], placedOp{op, pos})
		}
	}
	return keys, subs
}

// tuple reads a client op's [key, value] value.
func tuple(op history.Op) (key, value any, ok bool) {
	if !op.IsClient() {
		return nil, nil, false
	}
	t, isList := op.Value.([]any)
	if !isList || len(t) != 2 {
		return nil, nil, false
	}
	return t[0], t[1], true
}

// keyLess orders numbers by value, before every other key, which go by
// their JSON text.
func keyLess(a, b any) bool {
	na, aNum := number(a)
	nb, bNum := number(b)
	switch {
	case aNum && bNum:
		return na.Cmp(nb) < 0
	case aNum != bNum:
		return aNum
	}
	return wire.Key(a) < wire.Key(b)
}

func number(v any) (*big.Float, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case int, int64, float64:
		s = fmt.Sprint(x)
	default:
		return nil, false
	}
	f, ok := new(big.Float).SetString(s)
	return f, ok
}

// keyResult is one key's verdict.
type keyResult struct {
	key     any
	valid   checker.Validity
	figures map[string]any // the :linearizable result
	// err is why the key's history could not be checked; assertion marks
	// the errors that are assertions in Knossos (a java.lang.Error, which
	// no check-safe catches: Maelstrom's whole result is then unknown).
	err       error
	assertion bool
	// For a key that is not linearizable: the summary line and the drawing.
	line        string
	picture     []byte
	picturePath string
}

// checkKey checks one key's subhistory.
func checkKey(key any, sub []placedOp, budget time.Duration) keyResult {
	r := keyResult{key: key}
	ops, err := operations(sub)
	if err != nil {
		r.valid, r.err = checker.Unknown, err
		_, r.assertion = err.(assertionError)
		r.figures = map[string]any{"valid?": checker.Unknown, "error": err.Error()}
		return r
	}
	model := casRegister()
	switch porcupine.CheckOperationsTimeout(model, ops, budget) {
	case porcupine.Ok:
		r.valid = checker.Valid
		r.figures = map[string]any{"valid?": checker.Valid, "analyzer": "porcupine"}
		return r
	case porcupine.Unknown:
		r.valid = checker.Unknown
		r.figures = map[string]any{"valid?": checker.Unknown, "analyzer": "porcupine", "cause": "timeout"}
		return r
	}
	r.valid = checker.Invalid
	r.figures = map[string]any{"valid?": checker.Invalid, "analyzer": "porcupine"}
	r.line = fmt.Sprintf("key %s: not linearizable", wire.Key(key))
	// A second, verbose search finds the op that cannot be linearized and
	// the partial linearizations to draw.
	result, info := porcupine.CheckOperationsVerbose(model, ops, budget)
	if result != porcupine.Illegal {
		r.line += " (finding the operation at fault ran out of the search budget)"
		return r
	}
	if stuck, ok := stuckOp(ops, info); ok {
		op := ops[stuck].Input.(*kvOp)
		r.figures["op"] = op.completion
		if prev, ok := previousOK(ops, stuck); ok {
			r.figures["previous-ok"] = ops[prev].Input.(*kvOp).completion
		}
		r.line = fmt.Sprintf("key %s: no linearization fits %s (process %d, history index %d)",
			wire.Key(key), op.describe(), op.completion.Process, op.completion.Index)
	}
	var page bytes.Buffer
	if err := porcupine.Visualize(model, info, &page); err == nil {
		r.picturePath = "independent/" + pathSafe(wire.Key(key)) + "/linear.html"
		r.picture = page.Bytes()
		r.figures["visualisation"] = r.picturePath
		r.line += "; drawn in " + r.picturePath
	}
	return r
}

var unsafePath = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// pathSafe turns a key's text into one path element.
func pathSafe(s string) string {
	s = unsafePath.ReplaceAllString(s, "_")
	if s == "" || s == "." || s == ".." {
		s = "_" + s
	}
	return s
}

// kvOp is one operation of a key as Knossos sees it after preprocessing
// (knossos.history/complete): a read carries the value its completion
// read, and an op that ended in info (or never ended) is pending, free to
// take effect at any point after its invocation or never.
type kvOp struct {
	f       string
	pending bool
	// The register values it involves, as wire.Key texts: the value read or
	// written, or cas's from and to. A nil read (value unknown) has none.
	value, from, to string
	nilRead         bool
	invocation      history.Op
	completion      history.Op // ok, info, or the invocation if it never ended
}

// step is model/cas-register's step on a state (the register's value as a
// wire.Key text) for an op that completed ok. A pending op may also never
// happen: a pending write or cas can be linearized after everything else,
// where it changes nothing anyone sees, and a pending cas whose from does
// not match is taken as not happening at all, so each always steps.
func (o *kvOp) step(state string) (bool, string) {
	switch o.f {
	case "read":
		// Knossos accepts a nil read whatever the register holds.
		return o.pending || o.nilRead || o.value == state, state
	case "write":
		return true, o.value
	default: // cas
		if o.from == state {
			return true, o.to
		}
		return o.pending, state
	}
}

func (o *kvOp) describe() string {
	v := o.invocation.Value
	switch o.f {
	case "read":
		if o.pending {
			return "read (no reply)"
		}
		return "read " + wire.Key(o.completion.Value)
	case "write":
		s := "write " + wire.Key(v)
		if o.pending {
			s += " (indeterminate)"
		}
		return s
	default:
		pair := v.([]any)
		s := fmt.Sprintf("cas %s -> %s", wire.Key(pair[0]), wire.Key(pair[1]))
		if o.pending {
			s += " (indeterminate)"
		}
		return s
	}
}

// casRegister is Knossos's (model/cas-register) with initial value nil, for
// porcupine.
func casRegister() porcupine.Model {
	return porcupine.Model{
		Init: func() any { return wire.Key(nil) },
		Step: func(state, input, _ any) (bool, any) {
			return input.(*kvOp).step(state.(string))
		},
		Hash: func(state any) uint64 {
			h := fnv.New64a()
			h.Write([]byte(state.(string)))
			return h.Sum64()
		},
		DescribeOperation:         func(input, _ any) string { return input.(*kvOp).describe() },
		DescribeState:             func(state any) string { return state.(string) },
		DescribeOperationMetadata: func(m any) string { return m.(string) },
	}
}

// assertionError is an error that is an assertion in Knossos.
type assertionError struct{ error }

// operations pairs a key's ops as knossos.history/preprocess does: an ok
// completion fills its invocation's value, failed ops are dropped, and an
// invocation that ended in info or never ended is pending. Times are
// history positions: Knossos orders ops by their place in the history and
// ignores :time, and distinct positions keep porcupine's closed intervals
// from touching.
func operations(sub []placedOp) ([]porcupine.Operation, error) {
	open := map[int]placedOp{}
	clients := map[int]int{} // process -> porcupine row, in order of appearance
	var ops []porcupine.Operation
	add := func(inv, done placedOp, pending bool) error {
		o, err := newKVOp(inv.Op, done.Op, pending)
		if err != nil {
			return err
		}
		if _, ok := clients[inv.Process]; !ok {
			clients[inv.Process] = len(clients)
		}
		ret := int64(done.pos)
		if pending {
			ret = math.MaxInt64
		}
		ops = append(ops, porcupine.Operation{
			ClientId: clients[inv.Process], Input: o, Call: int64(inv.pos), Return: ret,
			Metadata: fmt.Sprintf("process %d, history %d to %s", inv.Process, inv.Index, endText(done.Op, pending)),
		})
		return nil
	}
	for _, op := range sub {
		inv, running := open[op.Process]
		switch op.Type {
		case history.Invoke:
			if running {
				return nil, fmt.Errorf("process %d is still running %s %v and cannot invoke %s %v (history %d)",
					op.Process, inv.F, inv.Value, op.F, op.Value, op.Index)
			}
			open[op.Process] = op
		case history.OK:
			if !running {
				return nil, assertionError{fmt.Errorf("process %d completed %s %v without invoking it (history %d)",
					op.Process, op.F, op.Value, op.Index)}
			}
			delete(open, op.Process)
			inv.Value = op.Value
			if err := add(inv, op, false); err != nil {
				return nil, err
			}
		case history.Fail:
			if !running {
				return nil, assertionError{fmt.Errorf("process %d failed %s %v without invoking it (history %d)",
					op.Process, op.F, op.Value, op.Index)}
			}
			if !wire.Equal(op.Value, inv.Value) {
				return nil, assertionError{fmt.Errorf("invocation value %v and failure value %v don't match (history %d)",
					inv.Value, op.Value, op.Index)}
			}
			delete(open, op.Process)
		case history.Info:
			if running {
				delete(open, op.Process)
				if err := add(inv, op, true); err != nil {
					return nil, err
				}
			}
		default:
			return nil, fmt.Errorf("unknown op type %q (history %d)", op.Type, op.Index)
		}
	}
	var unfinished []placedOp
	for _, inv := range open {
		unfinished = append(unfinished, inv)
	}
	sort.Slice(unfinished, func(i, j int) bool { return unfinished[i].pos < unfinished[j].pos })
	for _, inv := range unfinished {
		if err := add(inv, inv, true); err != nil {
			return nil, err
		}
	}
	return ops, nil
}

func endText(done history.Op, pending bool) string {
	switch {
	case pending && done.Type == history.Invoke:
		return "never completed"
	case pending:
		return fmt.Sprintf("%d (info)", done.Index)
	}
	return fmt.Sprint(done.Index)
}

// newKVOp reads an op of the CAS register. Its value is unwrapped already:
// a read's value is what it read (nil: unknown), a write's the value
// written, a cas's [from, to].
func newKVOp(inv, done history.Op, pending bool) (*kvOp, error) {
	o := &kvOp{f: inv.F, pending: pending, invocation: inv, completion: done}
	switch inv.F {
	case "read":
		o.nilRead = inv.Value == nil
		o.value = wire.Key(inv.Value)
	case "write":
		o.value = wire.Key(inv.Value)
	case "cas":
		pair, ok := inv.Value.([]any)
		if !ok || len(pair) != 2 {
			return nil, fmt.Errorf("cas value %v is not [from, to] (history %d)", inv.Value, inv.Index)
		}
		o.from, o.to = wire.Key(pair[0]), wire.Key(pair[1])
	default:
		// model/cas-register's condp has no clause for it: it throws.
		return nil, fmt.Errorf("a CAS register has no operation %q (history %d)", inv.F, inv.Index)
	}
	return o, nil
}

// stuckOp finds the op Knossos reports as :op: the first ok op, in order
// of completion, that no partial linearization reaches, together with
// every ok op that completed before it.
func stuckOp(ops []porcupine.Operation, info porcupine.LinearizationInfo) (int, bool) {
	var oks []int
	for i, op := range ops {
		if !op.Input.(*kvOp).pending {
			oks = append(oks, i)
		}
	}
	sort.Slice(oks, func(a, b int) bool { return ops[oks[a]].Return < ops[oks[b]].Return })
	partials := info.PartialLinearizations()
	if len(partials) == 0 {
		return 0, false
	}
	reached := 0
	for _, partial := range partials[0] {
		in := make(map[int]bool, len(partial))
		for _, id := range partial {
			in[id] = true
		}
		n := 0
		for n < len(oks) && in[oks[n]] {
			n++
		}
		reached = max(reached, n)
	}
	if reached >= len(oks) {
		return 0, false
	}
	return oks[reached], true
}

// previousOK is knossos.analysis/previous-ok: the ok op that completed last
// before op stuck did.
func previousOK(ops []porcupine.Operation, stuck int) (int, bool) {
	best, found := 0, false
	for i, op := range ops {
		if op.Input.(*kvOp).pending || op.Return >= ops[stuck].Return {
			continue
		}
		if !found || op.Return > ops[best].Return {
			best, found = i, true
		}
	}
	return best, found
}
