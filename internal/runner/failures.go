package runner

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gossip-glomers/internal/history"
	"gossip-glomers/internal/report"
	"gossip-glomers/internal/wire"
)

// failures counts the client completions that are not ok by f, type and
// reason, the most frequent first. The reason is read from the completion's
// error as the workload clients write it (workload.Complete and
// workload.Indeterminate, after Maelstrom's client.clj with-errors):
// "net-timeout"; [name, text] for an error reply; "indeterminate: <why>" for
// anything else, which the counters' clients also use for timeouts and error
// replies.
func failures(h history.History) []report.Failure {
	type key struct{ f, typ, reason, detail string }
	rows := map[key]*report.Failure{}
	var order []key
	for _, op := range h {
		if !op.IsClient() || (op.Type != history.Fail && op.Type != history.Info) {
			continue
		}
		r := failureReason(op.Error)
		k := key{op.F, string(op.Type), r.Reason, ""}
		if r.Reason == reasonBadReply {
			k.detail = r.Detail // each broken rule is a row of its own
		}
		row := rows[k]
		if row == nil {
			r.F, r.Type = op.F, string(op.Type)
			r.Example = report.OpPointer{Index: op.Index, Node: op.Node, Client: op.Client, MsgID: op.MsgID}
			row = &r
			rows[k] = row
			order = append(order, k)
		}
		row.Count++
	}
	out := make([]report.Failure, 0, len(order))
	for _, k := range order {
		out = append(out, *rows[k])
	}
	// Stable: among equal counts the one that happened first comes first.
	slices.SortStableFunc(out, func(a, b report.Failure) int { return cmp.Compare(b.Count, a.Count) })
	return out
}

// Reasons that are not error names.
const (
	reasonTimeout       = "net-timeout"
	reasonBadReply      = "bad-reply"
	reasonIndeterminate = "indeterminate"
	reasonNone          = "none" // no error given (kafka's crash op is info by design)
)

// rpcErrorText is workload.RPCError's message, which the counters' clients
// record after "indeterminate: ".
var rpcErrorText = regexp.MustCompile(`^error (-?[0-9]+) \(([^)]*)\): (.*)$`)

// schemaText matches the messages of a reply that broke Maelstrom's reply
// schema (workload.Expect and the workloads' field checks): they start with
// the reply type they checked ("echo_ok: missing required key ...") or with
// "reply type".
var schemaText = regexp.MustCompile(`^(reply type |[a-z_]+_ok: )`)

// failureReason reads a completion's error.
func failureReason(e any) report.Failure {
	switch e := e.(type) {
	case nil:
		return report.Failure{Reason: reasonNone}
	case []any: // [name, text] of an error reply
		name, _ := e[0].(string)
		text := ""
		if len(e) > 1 {
			text, _ = e[1].(string)
		}
		return report.Failure{Reason: name, Code: errorCode(name), Detail: text}
	case string:
		why, indeterminate := strings.CutPrefix(e, "indeterminate: ")
		switch {
		case why == reasonTimeout:
			return report.Failure{Reason: reasonTimeout}
		case !indeterminate:
			return report.Failure{Reason: e}
		}
		if m := rpcErrorText.FindStringSubmatch(why); m != nil {
			code, err := strconv.ParseInt(m[1], 10, 64)
			if err != nil {
				return report.Failure{Reason: m[2], Detail: m[3]}
			}
			return report.Failure{Reason: m[2], Code: &code, Detail: m[3]}
		}
		if schemaText.MatchString(why) {
			return report.Failure{Reason: reasonBadReply, Detail: why}
		}
		return report.Failure{Reason: reasonIndeterminate, Detail: why}
	default:
		return report.Failure{Reason: fmt.Sprint(e)}
	}
}

// maelstromCodes are the error codes Maelstrom names (doc/protocol.md).
var maelstromCodes = []int64{
	wire.CodeTimeout, wire.CodeNodeNotFound, wire.CodeNotSupported, wire.CodeTemporarilyUnavailable,
	wire.CodeMalformedRequest, wire.CodeCrash, wire.CodeAbort, wire.CodeKeyDoesNotExist,
	wire.CodeKeyAlreadyExists, wire.CodePreconditionFailed, wire.CodeTxnConflict,
}

// errorCode is the code of a Maelstrom error name; nil for "unknown" (a code
// Maelstrom does not define, which the history does not keep).
func errorCode(name string) *int64 {
	for _, c := range maelstromCodes {
		if wire.ErrorName(c) == name {
			return &c
		}
	}
	return nil
}
