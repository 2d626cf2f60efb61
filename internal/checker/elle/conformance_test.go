package elle

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/history"
)

// conformanceDir holds upstream test histories with the results Elle's
// tests assert (see its README); it is not part of this repository.
const conformanceDir = "/work/shared/conformance/txn-rw-register"

// expectation is a case's <case>.expect.json.
type expectation struct {
	Flags     []string       `json:"flags"`
	Valid     any            `json:"valid"` // true, false, "unknown" or null (not pinned)
	Anomalies []string       `json:"anomalies"`
	Absent    []string       `json:"absent"`
	Fields    map[string]any `json:"fields"`
}

// Every upstream rw-register case gives Elle's verdict, anomaly names and
// ruled-out models, and for cycle anomalies the cycle Elle found and its
// step types.
func TestConformance(t *testing.T) {
	cases, _ := filepath.Glob(filepath.Join(conformanceDir, "*.edn"))
	if len(cases) == 0 {
		t.Skipf("conformance histories not found in %s", conformanceDir)
	}
	for _, path := range cases {
		name := strings.TrimSuffix(filepath.Base(path), ".edn")
		t.Run(name, func(t *testing.T) {
			h, err := readEDNHistory(path)
			if err != nil {
				t.Fatal(err)
			}
			var want expectation
			raw, err := os.ReadFile(strings.TrimSuffix(path, ".edn") + ".expect.json")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			r := Check(h, Options{ConsistencyModels: modelsOfFlags(want.Flags), MaelstromOnly: true})

			if want.Valid != nil {
				wantValid := map[any]checker.Validity{true: checker.Valid, false: checker.Invalid, "unknown": checker.Unknown}[want.Valid]
				if r.Valid != wantValid {
					t.Errorf("valid %v, want %v (anomalies %v)", r.Valid, want.Valid, r.Anomalies)
				}
			}
			for _, a := range want.Anomalies {
				if !slices.Contains(r.Anomalies, a) {
					t.Errorf("anomalies %v lack %s", r.Anomalies, a)
				}
			}
			for _, a := range want.Absent {
				if slices.Contains(r.Anomalies, a) {
					t.Errorf("anomalies %v include %s", r.Anomalies, a)
				}
			}
			if types, ok := want.Fields["anomaly-types"].([]any); ok {
				var names []string
				for _, ty := range types {
					names = append(names, strings.TrimPrefix(ty.(string), ":"))
				}
				if !slices.Equal(r.Anomalies, names) {
					t.Errorf("anomaly types %v, want exactly %v", r.Anomalies, names)
				}
			}
			if nots, ok := want.Fields["not"].([]any); ok {
				var names []string
				for _, m := range nots {
					names = append(names, strings.TrimPrefix(m.(string), ":"))
				}
				if got, _ := r.Figures["not"].([]string); !slices.Equal(got, names) {
					t.Errorf("not %v, want %v", r.Figures["not"], names)
				}
			}
			expected, _ := want.Fields["anomalies"].(map[string]any)
			for typ, cases := range expected {
				typ = strings.TrimPrefix(typ, ":")
				if !cycleTypes[typ] {
					continue
				}
				if got, want := cycleShapes(r, typ), expectedShapes(cases); !slices.Equal(got, want) {
					t.Errorf("%s cycles %v, want %v", typ, got, want)
				}
			}
		})
	}
}

// modelsOfFlags reads --consistency-models from Maelstrom flags, split as
// Maelstrom splits it (on " , ").
func modelsOfFlags(flags []string) []string {
	for i, f := range flags {
		if f == "--consistency-models" && i+1 < len(flags) {
			return strings.Split(flags[i+1], " , ")
		}
	}
	return nil
}

// cycleShapes renders our examples of a cycle type as "indices / step types".
func cycleShapes(r checker.Result, typ string) []string {
	anomalies, _ := r.Figures["anomalies"].(map[string]any)
	entry, _ := anomalies[typ].(map[string]any)
	examples, _ := entry["examples"].([]any)
	var out []string
	for _, ex := range examples {
		c := ex.(map[string]any)
		var idx, kinds []string
		for _, op := range c["cycle"].([]any) {
			idx = append(idx, fmt.Sprint(op.(map[string]any)["index"]))
		}
		for _, s := range c["steps"].([]any) {
			kinds = append(kinds, fmt.Sprint(s.(map[string]any)["type"]))
		}
		out = append(out, strings.Join(idx, " ")+" / "+strings.Join(kinds, " "))
	}
	return out
}

// expectedShapes renders the expect file's cycles the same way (ops there
// are their indices, types keywords).
func expectedShapes(cases any) []string {
	var out []string
	for _, c := range cases.([]any) {
		m := c.(map[string]any)
		var idx, kinds []string
		for _, i := range m["cycle"].([]any) {
			idx = append(idx, fmt.Sprint(i))
		}
		for _, s := range m["steps"].([]any) {
			kinds = append(kinds, strings.TrimPrefix(s.(map[string]any)["type"].(string), ":"))
		}
		out = append(out, strings.Join(idx, " ")+" / "+strings.Join(kinds, " "))
	}
	return out
}

// readEDNHistory reads a history.edn: one op map per line.
func readEDNHistory(path string) (history.History, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var h history.History
	for n, line := range strings.Split(string(raw), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		v, rest, err := readEDN(line)
		if err != nil || strings.TrimSpace(rest) != "" {
			return nil, fmt.Errorf("%s:%d: cannot read %q: %v", path, n+1, line, err)
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s:%d: not a map", path, n+1)
		}
		op, err := ednOp(m)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, n+1, err)
		}
		h = append(h, op)
	}
	return h, nil
}

func ednOp(m map[string]any) (history.Op, error) {
	num := func(k string) int {
		n, _ := m[k].(json.Number).Int64()
		return int(n)
	}
	op := history.Op{Index: num("index"), Time: time.Duration(num("time")), Type: history.Type(m["type"].(string)),
		Process: num("process"), F: fmt.Sprint(m["f"])}
	mops, ok := m["value"].([]any)
	if !ok {
		return op, fmt.Errorf("value %v is not a list of micro-ops", m["value"])
	}
	var value []any
	for _, mop := range mops {
		mop := slices.Clone(mop.([]any))
		if len(mop) == 2 { // Elle's parser writes [:r :x] for a read of nothing yet
			mop = append(mop, nil)
		}
		value = append(value, mop)
	}
	op.Value = value
	return op, nil
}

// readEDN reads one EDN value from the start of s: maps, vectors, lists,
// keywords (as their names), integers (as json.Number), strings, nil, true
// and false; commas are whitespace.
func readEDN(s string) (any, string, error) {
	s = strings.TrimLeftFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	if s == "" {
		return nil, s, fmt.Errorf("unexpected end")
	}
	switch s[0] {
	case '{', '[', '(':
		closer := map[byte]byte{'{': '}', '[': ']', '(': ')'}[s[0]]
		var items []any
		rest := s[1:]
		for {
			rest = strings.TrimLeftFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
			if rest == "" {
				return nil, rest, fmt.Errorf("unclosed %c", s[0])
			}
			if rest[0] == closer {
				rest = rest[1:]
				break
			}
			v, r, err := readEDN(rest)
			if err != nil {
				return nil, r, err
			}
			items, rest = append(items, v), r
		}
		if s[0] != '{' {
			return items, rest, nil
		}
		if len(items)%2 != 0 {
			return nil, rest, fmt.Errorf("map with an odd number of forms")
		}
		m := map[string]any{}
		for i := 0; i < len(items); i += 2 {
			m[fmt.Sprint(items[i])] = items[i+1]
		}
		return m, rest, nil
	case '"':
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			return nil, s, fmt.Errorf("unclosed string")
		}
		return s[1 : end+1], s[end+2:], nil
	}
	end := strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(",{}[]()\"", r) })
	if end < 0 {
		end = len(s)
	}
	tok, rest := s[:end], s[end:]
	switch {
	case tok == "nil":
		return nil, rest, nil
	case tok == "true" || tok == "false":
		return tok == "true", rest, nil
	case strings.HasPrefix(tok, ":"):
		return tok[1:], rest, nil
	}
	if _, err := strconv.ParseInt(tok, 10, 64); err != nil {
		return nil, rest, fmt.Errorf("unsupported token %q", tok)
	}
	return json.Number(tok), rest, nil
}
