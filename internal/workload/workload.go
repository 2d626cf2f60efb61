// Package workload defines what a workload is, in Jepsen's shape: a generator
// of client operations, a client that turns each operation into RPCs against
// one node, and a checker that judges the resulting history. Workloads never
// touch processes or the network directly; they speak through a Conn.
package workload

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
)

// Params are the test parameters a workload may read (Maelstrom's CLI options).
type Params struct {
	Nodes             []string
	Concurrency       int
	Rate              float64 // total client ops per second
	TimeLimit         time.Duration
	Latency           time.Duration // mean network latency between nodes
	Topology          string        // broadcast: grid, line, tree2, tree3, tree4, total
	KeyCount          int           // txn and kafka active keys (0: the workload's default)
	MaxTxnLength      int
	MaxWritesPerKey   int
	ConsistencyModels []string
	Availability      string // "", "total" or a fraction
	// LinearizabilityBudget bounds lin-kv's linearizability search per key;
	// a key whose search runs longer is unknown, as Knossos's :time-limit
	// makes it (0: no limit, as Maelstrom, which sets none).
	LinearizabilityBudget time.Duration
}

// Conn is a test client's endpoint on the simulated network. Like Maelstrom's
// clients it has at most one request outstanding: Call sends body to dest with
// the next msg_id and waits for the reply carrying that in_reply_to, dropping
// anything else that arrives.
type Conn interface {
	Name() string
	// Call returns the reply body. A reply of type "error" comes back as a
	// *RPCError; no reply within timeout as ErrTimeout.
	Call(ctx context.Context, dest string, body wire.Body, timeout time.Duration) (wire.Body, error)
}

// ErrTimeout is returned by Conn.Call when no reply came in time.
var ErrTimeout = errors.New("net-timeout")

// RPCError is an error reply from a node.
type RPCError struct {
	Code int64
	Text string
	Body wire.Body
}

func (e *RPCError) Error() string {
	return fmt.Sprintf("error %d (%s): %s", e.Code, wire.ErrorName(e.Code), e.Text)
}

// Complete turns the outcome of a call into a completion with Maelstrom's
// "with-errors" rule: a timeout is fail if f is idempotent and info
// otherwise; an error reply is fail if its code is definite or f idempotent,
// info otherwise; any other error (a reply that breaks the schema) is info,
// "indeterminate: ...". On success the completion is ok with value.
func Complete(op history.Op, value any, err error, idempotent bool) history.Op {
	var rpcErr *RPCError
	switch {
	case err == nil:
		op.Type, op.Value = history.OK, value
	case errors.Is(err, ErrTimeout):
		op.Type, op.Error = history.Info, "net-timeout"
		if idempotent {
			op.Type = history.Fail
		}
	case errors.As(err, &rpcErr):
		op.Type, op.Error = history.Info, []any{wire.ErrorName(rpcErr.Code), rpcErr.Text}
		if idempotent || wire.Definite(rpcErr.Code) {
			op.Type = history.Fail
		}
	default:
		op.Type, op.Error = history.Info, "indeterminate: "+err.Error()
	}
	return op
}

// Indeterminate is the completion Maelstrom records for workloads without
// error mapping (g-set, counters): every error or timeout becomes info.
func Indeterminate(op history.Op, err error) history.Op {
	op.Type, op.Error = history.Info, "indeterminate: "+err.Error()
	return op
}

// Client performs operations against one node. Invoke gets the invocation
// and returns its completion with Type (ok, fail or info), Value and Error
// set; the runner stamps index, time and process.
type Client interface {
	Invoke(ctx context.Context, op history.Op) history.Op
}

// Op is an operation a generator asks a worker to invoke.
type Op struct {
	F     string
	Value any
	Final bool          // recorded as :final? in the history
	Delay time.Duration // wait this long before invoking (final-phase pacing)
}

// Generator produces operations. The runner serialises every call, so a
// generator needs no locks. Generators are infinite in the main phase; the
// runner stops asking at the time limit.
type Generator interface {
	// Next is the next operation for thread, the free worker thread that
	// Jepsen's thread cursor picks (the runner's threadCursor); now is the
	// time since the main phase started. ok is false when the generator has
	// nothing for this thread right now.
	Next(thread int, now time.Duration, rng *rand.Rand) (op Op, ok bool)
	// Update sees every completion (both phases), for generators that react
	// to results. Main-phase ops still in flight at the time limit complete
	// before the final phase asks for anything, as in Jepsen.
	Update(completed history.Op)
}

// FinalPhase is implemented by generators of workloads that end with final
// operations (broadcast, g-counter, kafka): after the main phase the runner
// heals the network, waits 10 s, then asks each client thread for its final
// ops until NextFinal says there are none.
type FinalPhase interface {
	// now is the time since the final phase began.
	NextFinal(thread int, now time.Duration, rng *rand.Rand) (op Op, ok bool)
}

// SetupFunc runs once per node after every node answered init (broadcast
// sends topology). A non-nil error aborts the test.
type SetupFunc func(ctx context.Context, p *Params, node string, conn Conn) error

// Workload is one of Maelstrom's workloads.
type Workload struct {
	Name string
	// ReusableClient: Maelstrom keeps the client (and its name) after an info
	// completion. Non-reusable clients are replaced by a new one.
	ReusableClient bool
	// FinalTimeLimit caps the whole final phase (kafka: 10 s); 0 means none.
	FinalTimeLimit time.Duration
	Setup          SetupFunc // optional
	NewGenerator   func(p *Params) Generator
	NewClient      func(p *Params, conn Conn, node string) Client
	// Check judges the history; it must be a pure function of its inputs.
	Check func(p *Params, h history.History) checker.Result
	// EDN converts op values between what the client records and
	// Maelstrom's history.edn; its zero value is the generic conversion
	// (see edn.go).
	EDN EDNCodec
}

// OneFinalRead is the final phase of broadcast, g-set and the counters
// (gen/each-thread {:f :read, :final? true}): every client thread does
// exactly one read, flagged final. Embed it in a generator; its zero value
// is ready to use.
type OneFinalRead struct {
	done map[int]bool // threads that had their final read
}

// NextFinal implements FinalPhase.
func (f *OneFinalRead) NextFinal(thread int, _ time.Duration, _ *rand.Rand) (Op, bool) {
	if f.done[thread] {
		return Op{}, false
	}
	if f.done == nil {
		f.done = map[int]bool{}
	}
	f.done[thread] = true
	return Op{F: "read", Final: true}, true
}
