package report

import (
	"cmp"
	"fmt"
	"strings"

	"gossip-glomers/internal/history"
)

// maxValuesShown caps the values a final-read line lists.
const maxValuesShown = 10

// FinalReadNamer returns how FinalReadMissesKey lines name a final read of
// h: "n3's final read", with its process added ("n3's final read (process
// 7)") when n3 had several (--concurrency 2n), and by process alone when the
// history does not say the node.
func FinalReadNamer(h history.History) func(op history.Op) string {
	perNode := map[string]int{}
	for _, op := range h {
		if op.IsClient() && op.Final && op.F == "read" && op.Type == history.Invoke {
			perNode[op.Node]++
		}
	}
	return func(op history.Op) string {
		switch {
		case op.Node == "":
			return fmt.Sprintf("process %d's final read", op.Process)
		case perNode[op.Node] > 1:
			return fmt.Sprintf("%s's final read (process %d)", op.Node, op.Process)
		}
		return op.Node + "'s final read"
	}
}

// CompareFinalReads orders final reads for the lines: by node, n2 before
// n10, then by process.
func CompareFinalReads(a, b history.Op) int {
	if c := cmp.Compare(len(a.Node), len(b.Node)); c != 0 {
		return c
	}
	if c := strings.Compare(a.Node, b.Node); c != 0 {
		return c
	}
	return cmp.Compare(a.Process, b.Process)
}

// FinalReadNotOK is the line for a final read that did not complete ok:
// completion is its completion, or its invocation if it never completed.
func FinalReadNotOK(name string, completion history.Op, completed bool) string {
	switch {
	case !completed:
		return name + " never completed"
	case completion.Type == history.Fail:
		return name + " failed: " + errorText(completion.Error)
	}
	return name + " is indeterminate (info): " + errorText(completion.Error)
}

// errorText renders a completion's error: [name, text] of an error reply as
// "name: text", a string as itself without the "indeterminate: " that the
// line already says.
func errorText(e any) string {
	if s, ok := e.(string); ok {
		return strings.TrimPrefix(s, "indeterminate: ")
	}
	if parts, ok := e.([]any); ok {
		var s []string
		for _, p := range parts {
			s = append(s, fmt.Sprint(p))
		}
		return strings.Join(s, ": ")
	}
	if e == nil {
		return "no error given"
	}
	return fmt.Sprint(e)
}

// ValueList lists values for a line, the first few then "...".
func ValueList(values []string) string {
	if len(values) > maxValuesShown {
		return strings.Join(values[:maxValuesShown], ", ") + ", ..."
	}
	return strings.Join(values, ", ")
}
