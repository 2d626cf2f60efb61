package workload

import (
	"fmt"
	"sort"
	"strings"

	"gossip-glomers/internal/wire"
)

// Expect checks a reply body against Maelstrom's closed reply schemas: type
// must be want, in_reply_to an integer, msg_id an integer if present, and no
// key other than those and the declared fields. It checks only presence of
// the fields; callers check their types. Maelstrom records a reply that fails
// its schema as info with an exception, so callers pass the error on to
// Complete.
func Expect(body wire.Body, want string, fields ...string) error {
	if got := body.Type(); got != want {
		return fmt.Errorf("reply type %q, want %q", got, want)
	}
	if !wire.IsInteger(body["in_reply_to"]) {
		return fmt.Errorf("%s: in_reply_to %v is not an integer", want, body["in_reply_to"])
	}
	if id, ok := body["msg_id"]; ok && !wire.IsInteger(id) {
		return fmt.Errorf("%s: msg_id %v is not an integer", want, id)
	}
	allowed := map[string]bool{"type": true, "in_reply_to": true, "msg_id": true}
	for _, f := range fields {
		allowed[f] = true
		if _, ok := body[f]; !ok {
			return fmt.Errorf("%s: missing required key %q", want, f)
		}
	}
	var extra []string
	for k := range body {
		if !allowed[k] {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return fmt.Errorf("%s: disallowed key(s) %s", want, strings.Join(extra, ", "))
	}
	return nil
}

// Sequence is prismatic schema's [s/Any] for the field of a read_ok reply:
// a JSON array, or null.
func Sequence(field string, v any) error {
	switch v.(type) {
	case nil, []any:
		return nil
	}
	return fmt.Errorf("read_ok: %s is not a sequence: %s", field, wire.Key(v))
}
