package history

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"gossip-glomers/internal/edn"
	"gossip-glomers/internal/wire"
)

// A history is stored three ways, all written by every run:
//
//	history.jsonl  the workbench's: one JSON object per entry (Op's JSON)
//	history.edn    Jepsen's (jepsen.store/write-history!): one op map per
//	               line, printed by prn; Maelstrom's runs have it too
//	history.txt    Jepsen's for people (jepsen.util/prn-op): process, type,
//	               f, value and error, tab-separated
//
// Parse reads the first two; the EDN form may also be one vector of op maps.

// ParseError is a history that cannot be read: the line and why.
type ParseError struct {
	Line   int
	Reason string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Format names a history file's form.
type Format string

const (
	JSONL Format = "jsonl"
	EDN   Format = "edn"
)

// ValueReader turns a client op's value as read from EDN (in edn.Plain's
// shapes: keywords as strings, sets as sorted lists) into the shape the
// workload's client records, or says why the value cannot be one.
type ValueReader func(op Op) (any, error)

// ValueWriter is a client op's value as Maelstrom's client records it, in
// package edn's values (keywords where Maelstrom has keywords).
type ValueWriter func(op Op) any

// Parse reads a history in either stored form, telling them apart by their
// first character: JSON lines start with {", EDN with { and a keyword, or [.
// value converts client values read from EDN (nil: edn.Plain's shapes as
// they are).
func Parse(data []byte, value ValueReader) (History, Format, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if bytes.HasPrefix(trimmed, []byte("{")) && bytes.HasPrefix(bytes.TrimLeft(trimmed[1:], " \t\r\n"), []byte(`"`)) {
		h, err := ReadJSONL(data)
		return h, JSONL, err
	}
	h, err := ReadEDN(data, value)
	return h, EDN, err
}

// maxLine bounds one history.jsonl line (a poll can carry many messages).
const maxLine = 256 << 20

// ReadJSONL reads a history.jsonl. Every entry must have a type Jepsen knows
// and its index must be its position, as the runner writes them.
func ReadJSONL(data []byte) (History, error) {
	var h History
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var op Op
		if err := json.Unmarshal(text, &op); err != nil {
			return nil, &ParseError{line, "not a history entry: " + err.Error()}
		}
		if err := check(op, len(h)); err != nil {
			return nil, &ParseError{line, err.Error()}
		}
		h = append(h, op)
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{1 + bytes.Count(data, []byte{'\n'}), err.Error()}
	}
	return h, nil
}

// WriteJSONL writes one JSON object per entry.
func WriteJSONL(w io.Writer, h History) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, op := range h {
		if err := enc.Encode(op); err != nil {
			return fmt.Errorf("writing history entry %d: %w", op.Index, err)
		}
	}
	return bw.Flush()
}

// check is what both readers require of an entry at position i.
func check(op Op, i int) error {
	switch op.Type {
	case Invoke, OK, Fail, Info:
	case "":
		return errors.New("op has no type")
	default:
		return fmt.Errorf("op type %q is none of invoke, ok, fail, info", op.Type)
	}
	if op.Index != i {
		return fmt.Errorf("op index %d at position %d: indices must count 0, 1, 2, ... in history order, as Jepsen writes them", op.Index, i)
	}
	return nil
}

// ReadEDN reads a history as Jepsen stores it: op maps with keyword keys,
// one after another or in one vector. :type (invoke, ok, fail or info) and
// :process (an integer, or :nemesis) are required; :index, when present,
// must be the op's position; :time is nanoseconds (-1 when absent, as
// jepsen.history gives it); :final?, :error and the workbench's :node,
// :client and :msg-id are read too, other keys ignored. Client values go
// through value; the nemesis's are kept in edn.Plain's shapes.
func ReadEDN(data []byte, value ValueReader) (History, error) {
	items, err := edn.ReadSequence(data)
	if err != nil {
		var se *edn.SyntaxError
		if errors.As(err, &se) {
			return nil, &ParseError{se.Line, "not EDN: " + se.Msg}
		}
		return nil, err
	}
	h := make(History, 0, len(items))
	for _, item := range items {
		op, err := opOfEDN(item.Value, len(h), value)
		if err != nil {
			return nil, &ParseError{item.Line, err.Error()}
		}
		h = append(h, op)
	}
	return h, nil
}

// opOfEDN reads one op map, the entry at position i.
func opOfEDN(v any, i int, value ValueReader) (Op, error) {
	m, ok := v.(edn.Map)
	if !ok {
		return Op{}, fmt.Errorf("not an op map: %s", clip(edn.String(v)))
	}
	fields := map[string]any{}
	for _, e := range m {
		k, ok := e.Key.(edn.Keyword)
		if !ok {
			return Op{}, fmt.Errorf("op map key %s is not a keyword", edn.String(e.Key))
		}
		fields[string(k)] = e.Value
	}
	op := Op{Index: i, Time: -1}
	typ, ok := fields["type"].(edn.Keyword)
	if !ok {
		if _, has := fields["type"]; !has {
			return Op{}, errors.New("op has no :type")
		}
		return Op{}, fmt.Errorf(":type %s is not a keyword", edn.String(fields["type"]))
	}
	op.Type = Type(typ)
	switch p := fields["process"].(type) {
	case edn.Keyword:
		if p != "nemesis" {
			return Op{}, fmt.Errorf(":process %s: Maelstrom's processes are integers, and :nemesis", edn.String(p))
		}
		op.Process = NemesisProcess
	case json.Number:
		n, err := p.Int64()
		if err != nil || n < 0 {
			return Op{}, fmt.Errorf(":process %s is not an integer >= 0", p)
		}
		op.Process = int(n)
	case nil:
		return Op{}, errors.New("op has no :process")
	default:
		return Op{}, fmt.Errorf(":process %s is neither an integer nor :nemesis", clip(edn.String(p)))
	}
	switch f := fields["f"].(type) {
	case edn.Keyword:
		op.F = string(f)
	case string:
		op.F = f
	case nil:
	default:
		return Op{}, fmt.Errorf(":f %s is not a keyword", clip(edn.String(f)))
	}
	if raw, has := fields["index"]; has {
		n, ok := wire.Int(raw)
		if !ok {
			return Op{}, fmt.Errorf(":index %s is not an integer", clip(edn.String(raw)))
		}
		op.Index = int(n)
	}
	if raw, has := fields["time"]; has {
		n, ok := wire.Int(raw)
		if !ok {
			return Op{}, fmt.Errorf(":time %s is not an integer (nanoseconds)", clip(edn.String(raw)))
		}
		op.Time = time.Duration(n)
	}
	if err := check(op, i); err != nil {
		return Op{}, err
	}
	switch f := fields["final?"].(type) {
	case bool:
		op.Final = f
	case nil:
	default:
		return Op{}, fmt.Errorf(":final? %s is not true or false", clip(edn.String(f)))
	}
	var err error
	if op.Error, err = edn.Plain(fields["error"]); err != nil {
		return Op{}, fmt.Errorf(":error: %v", err)
	}
	for name, to := range map[string]*string{"node": &op.Node, "client": &op.Client} {
		if raw, has := fields[name]; has {
			s, ok := raw.(string)
			if !ok {
				return Op{}, fmt.Errorf(":%s %s is not a string", name, clip(edn.String(raw)))
			}
			*to = s
		}
	}
	if raw, has := fields["msg-id"]; has {
		if op.MsgID, ok = wire.Int(raw); !ok {
			return Op{}, fmt.Errorf(":msg-id %s is not an integer", clip(edn.String(raw)))
		}
	}
	if op.Value, err = edn.Plain(fields["value"]); err != nil {
		return Op{}, fmt.Errorf(":value: %v", err)
	}
	if op.IsClient() && value != nil {
		if op.Value, err = value(op); err != nil {
			return Op{}, fmt.Errorf(":value %s: %v", clip(edn.String(fields["value"])), err)
		}
	}
	return op, nil
}

// EDN is op as jepsen.history prints an Op: :index, :time, :type,
// :process, :f, :value in that order, then the optional fields that are
// set (:final?, :error, and the workbench's :node, :client, :msg-id).
// value is the op's value in EDN form; the nemesis's values are converted
// here (keywords, and a grudge's node lists as sets).
func (o Op) EDN(value any) edn.Map {
	process := any(o.Process)
	if !o.IsClient() {
		process, value = edn.Keyword("nemesis"), nemesisValue(o.Value)
	}
	m := edn.Map{
		{Key: edn.Keyword("index"), Value: o.Index},
		{Key: edn.Keyword("time"), Value: int64(o.Time)},
		{Key: edn.Keyword("type"), Value: edn.Keyword(o.Type)},
		{Key: edn.Keyword("process"), Value: process},
		{Key: edn.Keyword("f"), Value: edn.Keyword(o.F)},
		{Key: edn.Keyword("value"), Value: value},
	}
	add := func(k string, v any) { m = append(m, edn.Entry{Key: edn.Keyword(k), Value: v}) }
	if o.Final {
		add("final?", true)
	}
	if o.Error != nil {
		add("error", ErrorEDN(o.Error))
	}
	if o.Node != "" {
		add("node", o.Node)
	}
	if o.Client != "" {
		add("client", o.Client)
	}
	if o.MsgID != 0 {
		add("msg-id", o.MsgID)
	}
	return m
}

// ErrorEDN is an op's error as Maelstrom records it: a name alone as a
// keyword (:net-timeout), an error reply as [:name "text"]; other errors
// (the workbench's "indeterminate: ...") stay strings.
func ErrorEDN(e any) any {
	switch x := e.(type) {
	case string:
		if edn.IsKeywordName(x) {
			return edn.Keyword(x)
		}
	case []any:
		if len(x) == 0 {
			break
		}
		if name, ok := x[0].(string); ok && edn.IsKeywordName(name) {
			return append([]any{edn.Keyword(name)}, edn.FromPlain(x[1:]).([]any)...)
		}
	}
	return edn.FromPlain(e)
}

// nemesisValue is a nemesis op's value as Jepsen's partitioner records it:
// :majority, :network-healed, [:isolated {"n1" #{"n2" "n3"}, ...}].
func nemesisValue(v any) any {
	plain := edn.FromPlain(v)
	switch x := plain.(type) {
	case string:
		if edn.IsKeywordName(x) {
			return edn.Keyword(x)
		}
	case []any:
		if len(x) == 2 && x[0] == "isolated" {
			grudge, _ := x[1].(edn.Map)
			out := make(edn.Map, len(grudge))
			for i, e := range grudge {
				key, _ := edn.KeyString(e.Key) // node names are strings, not keywords
				nodes, _ := e.Value.([]any)
				out[i] = edn.Entry{Key: key, Value: edn.Set(nodes)}
			}
			return []any{edn.Keyword("isolated"), out}
		}
	}
	return plain
}

// WriteEDN writes history.edn as jepsen.store does: each op printed by prn,
// one a line. value gives client values in EDN form.
func WriteEDN(w io.Writer, h History, value ValueWriter) error {
	bw := bufio.NewWriter(w)
	for _, op := range h {
		bw.WriteString(edn.String(op.EDN(clientValue(op, value))))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// WriteText writes history.txt as jepsen.util/prn-op prints each op:
// process, type, f and value as pr prints them, then the error as print
// prints it, tab-separated.
func WriteText(w io.Writer, h History, value ValueWriter) error {
	bw := bufio.NewWriter(w)
	for _, op := range h {
		m := op.EDN(clientValue(op, value))
		field := func(k string) string { v, _ := m.Get(edn.Keyword(k)); return edn.String(v) }
		bw.WriteString(strings.Join([]string{field("process"), field("type"), field("f"), field("value")}, "\t"))
		if op.Error != nil {
			bw.WriteString("\t" + edn.PrintString(ErrorEDN(op.Error)))
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

func clientValue(op Op, value ValueWriter) any {
	if !op.IsClient() {
		return nil // Op.EDN converts the nemesis's values
	}
	if value == nil {
		return edn.FromPlain(op.Value)
	}
	return value(op)
}

func clip(s string) string {
	const n = 120
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
