package view

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Verdicts as the views name them: results.json's true, false and
// "unknown", any other verdict it gives as is (e.g. "aborted"), and
// Incomplete for a run folder without results.json (Jepsen's :incomplete).
const (
	VerdictValid      = "valid"
	VerdictInvalid    = "invalid"
	VerdictUnknown    = "unknown"
	VerdictIncomplete = "incomplete"
)

// VerdictColor is the background Jepsen's web UI gives a verdict
// (jepsen/web.clj's valid-color): valid blue, unknown orange, invalid
// pink, anything else (incomplete, aborted) grey.
func VerdictColor(verdict string) string {
	switch verdict {
	case VerdictValid:
		return "#6DB6FE"
	case VerdictUnknown:
		return "#FFAA26"
	case VerdictInvalid:
		return "#FEB5DA"
	}
	return "#eaeaea"
}

// Summary is what the views and glomers serve show of a results.json. It
// is read loosely: missing fields stay empty and unknown ones are kept in
// Raw, so the views keep working while results.json gains fields.
type Summary struct {
	Workload  string
	Verdict   string
	NodeCount int
	Ops       struct{ Invoke, OK, Fail, Info int }
	// Headline figures; nil when results.json has none.
	ServersMsgsPerOp, AllMsgsPerOp *float64
	LatencyMedian, LatencyP99      *float64 // ms, over ok client operations
	LatencyMax                     *float64
	Availability                   *float64 // fraction of client operations that were ok
	StableMedian, StableMax        *float64 // broadcast's stable latency, ms
	Anomalies                      []string
	AbortReason                    string         // why an aborted run stopped
	Raw                            map[string]any // the whole file, numbers as json.Number
}

// LoadSummary reads a run folder's results.json.
func LoadSummary(dir string) (*Summary, error) {
	b, err := os.ReadFile(filepath.Join(dir, ResultsFile))
	if err != nil {
		return nil, err
	}
	return parseSummary(b)
}

func parseSummary(b []byte) (*Summary, error) {
	var raw map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s: %v", ResultsFile, err)
	}
	if raw == nil {
		return nil, errors.New(ResultsFile + " is not a JSON object")
	}
	s := &Summary{Raw: raw}
	s.Workload, _ = lookup(raw, "workload").(string)
	s.Verdict = verdictOf(raw)
	if n := number(lookup(raw, "node_count")); n != nil {
		s.NodeCount = int(*n)
	}
	for name, dst := range map[string]*int{"invoke": &s.Ops.Invoke, "ok": &s.Ops.OK, "fail": &s.Ops.Fail, "info": &s.Ops.Info} {
		if n := number(lookup(raw, "ops", name)); n != nil {
			*dst = int(*n)
		}
	}
	s.ServersMsgsPerOp = number(lookup(raw, "net", "servers", "msgs_per_op"))
	s.AllMsgsPerOp = number(lookup(raw, "net", "all", "msgs_per_op"))
	s.LatencyMedian = number(lookup(raw, "latency_ms", "median"))
	s.LatencyP99 = number(lookup(raw, "latency_ms", "p99"))
	s.LatencyMax = number(lookup(raw, "latency_ms", "max"))
	s.Availability = number(lookup(raw, "checks", "availability", "figures", "ok_fraction"))
	s.StableMedian = number(lookup(raw, "stable_latency_ms", "0.5"))
	s.StableMax = number(lookup(raw, "stable_latency_ms", "1"))
	s.AbortReason, _ = lookup(raw, "abort_reason").(string)
	if list, ok := lookup(raw, "anomalies").([]any); ok {
		for _, a := range list {
			s.Anomalies = append(s.Anomalies, plainText(a))
		}
	}
	return s, nil
}

// verdictOf reads "verdict" (true, false, "unknown", or another name),
// falling back on "valid".
func verdictOf(raw map[string]any) string {
	v, ok := raw["verdict"]
	if !ok {
		v = raw["valid"]
	}
	switch x := v.(type) {
	case bool:
		if x {
			return VerdictValid
		}
		return VerdictInvalid
	case string:
		if x == "" {
			return VerdictUnknown
		}
		return x
	}
	return VerdictUnknown
}

// lookup follows keys through nested objects; nil when a key is missing.
func lookup(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func number(v any) *float64 {
	n, ok := v.(json.Number)
	if !ok {
		return nil
	}
	f, err := n.Float64()
	if err != nil {
		return nil
	}
	return &f
}

// plainText is a JSON value as a person reads it: strings bare, the rest
// as compact JSON.
func plainText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// RunTime is when a run started, from its folder's name (the runner names
// it by the UTC time: 20060102T150405.000Z, maybe with a -N suffix).
func RunTime(dir string) (time.Time, bool) {
	name := filepath.Base(dir)
	if i := strings.IndexByte(name, '-'); i >= 0 {
		name = name[:i]
	}
	t, err := time.Parse("20060102T150405.000Z", name)
	return t, err == nil
}

// CommandLine is the glomers command that makes a run like this one: the
// one results.json records, if it does, else one rebuilt from its params.
func (s *Summary) CommandLine() string {
	params, _ := lookup(s.Raw, "params").(map[string]any)
	for _, key := range []string{"command_line", "command", "args"} {
		switch v := params[key].(type) {
		case string:
			return v
		case []any:
			parts := make([]string, len(v))
			for i, a := range v {
				parts[i] = shellQuote(plainText(a))
			}
			return strings.Join(parts, " ")
		}
	}
	args := []string{"glomers", "test", "-w", s.Workload}
	add := func(flag string, v any) {
		if v == nil {
			return
		}
		text := plainText(v)
		if text == "" || text == "[]" {
			return
		}
		args = append(args, flag, shellQuote(text))
	}
	add("--bin", params["bin"])
	if nodes, ok := params["nodes"].([]any); ok {
		names := make([]string, len(nodes))
		standard := true
		for i, n := range nodes {
			names[i] = plainText(n)
			standard = standard && names[i] == "n"+strconv.Itoa(i)
		}
		if standard {
			add("--node-count", len(nodes))
		} else {
			add("--nodes", strings.Join(names, ","))
		}
	}
	for _, p := range []struct{ flag, key string }{
		{"--time-limit", "time_limit"}, {"--rate", "rate"}, {"--concurrency", "concurrency"},
		{"--latency", "latency"},
	} {
		add(p.flag, params[p.key])
	}
	if d := plainText(params["latency_dist"]); d != "constant" {
		add("--latency-dist", params["latency_dist"])
	}
	if nemesis, ok := params["nemesis"].([]any); ok && len(nemesis) > 0 {
		names := make([]string, len(nemesis))
		for i, n := range nemesis {
			names[i] = plainText(n)
		}
		add("--nemesis", strings.Join(names, ","))
		add("--nemesis-interval", params["nemesis_interval"])
	}
	add("--availability", params["availability"])
	if s.Workload == "broadcast" {
		add("--topology", params["topology"])
	}
	add("--seed", params["seed"])
	return strings.Join(args, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r == ',' || r == ':' || r == '=' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// sortedKeys are a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
