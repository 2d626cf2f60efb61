package report

import (
	"encoding/json"
	"io"
	"reflect"
	"sort"
	"strings"

	"gossip-glomers/internal/checker"
	"gossip-glomers/internal/edn"
	"gossip-glomers/internal/history"
	"gossip-glomers/internal/wire"
)

// WriteEDN writes results.edn: the results as Maelstrom's result map,
// pretty-printed as jepsen.store/write-results! prints it (fipp), so that
// the line greps people run on Maelstrom's (`grep :msgs-per-op`, `grep
// ':valid? false'`) work on ours. opValue gives client op values in EDN
// form, for ops inside the workload checker's figures (nil: the generic
// conversion).
func WriteEDN(w io.Writer, r *Results, opValue history.ValueWriter) error {
	return edn.Pretty(w, r.EDN(opValue))
}

// EDN is Maelstrom's result map: maelstrom.core's checker/compose of
// :perf, :timeline, :exceptions, :stats, :availability, :net and
// :workload, in that order, then :valid?, each in the shape of the checker
// that makes it (jepsen.checker's perf, timeline/html,
// unhandled-exceptions, stats wrapped by jepsen.tests.kafka/stats-checker;
// maelstrom.checker's availability-checker; maelstrom.net.checker). The
// graph and timeline checkers only draw, so their results are
// {:valid? true}. :net is left out when no journal was counted. A workload
// check that throws as a java.lang.Error makes the whole map
// {:valid? :unknown, :error ...}, as jepsen.core/analyze! returns it.
func (r *Results) EDN(opValue history.ValueWriter) edn.Map {
	workload := r.Checks["workload"]
	if r.WholeResultUnknown {
		return edn.Map{
			{Key: edn.Keyword("valid?"), Value: edn.Keyword("unknown")},
			{Key: edn.Keyword("error"), Value: workload.Figures["error"]},
		}
	}
	top := edn.Map{
		entry("perf", edn.Map{entry("latency-graph", validTrue()), entry("rate-graph", validTrue()), entry("valid?", true)}),
		entry("timeline", validTrue()),
		entry("exceptions", validTrue()),
		entry("stats", statsEDN(r.Checks["stats"])),
		entry("availability", r.availabilityEDN()),
	}
	if r.Net != nil {
		top = append(top, entry("net", r.Net.edn()))
	}
	wl := edn.Map{entry("valid?", validity(workload.Valid))}
	for _, e := range figuresEDN(workload.Figures, opValue) {
		if e.Key != edn.Keyword("valid?") {
			wl = append(wl, e)
		}
	}
	return append(top, entry("workload", wl), entry("valid?", validity(r.Verdict)))
}

func entry(k string, v any) edn.Entry { return edn.Entry{Key: edn.Keyword(k), Value: v} }

func validTrue() edn.Map { return edn.Map{entry("valid?", true)} }

// validity is :valid? as Jepsen writes it: true, false or :unknown.
func validity(v checker.Validity) any {
	switch v {
	case checker.Valid:
		return true
	case checker.Invalid:
		return false
	}
	return edn.Keyword("unknown")
}

// statsEDN is jepsen.checker/stats: the counts of every client completion,
// then per f (a sorted map), each f valid when it has an ok.
func statsEDN(c Check) edn.Map {
	counts := func(valid any, figs map[string]any) edn.Map {
		return edn.Map{entry("valid?", valid), entry("count", figs["count"]), entry("ok-count", figs["ok_count"]),
			entry("fail-count", figs["fail_count"]), entry("info-count", figs["info_count"])}
	}
	byF, _ := c.Figures["by_f"].(map[string]any)
	fs := make([]string, 0, len(byF))
	for f := range byF {
		fs = append(fs, f)
	}
	sort.Strings(fs)
	perF := edn.Map{}
	for _, f := range fs {
		figs, _ := byF[f].(map[string]any)
		perF = append(perF, edn.Entry{Key: edn.Keyword(f), Value: counts(figs["valid"], figs)})
	}
	return append(counts(validity(c.Valid), c.Figures), entry("by-f", perF))
}

// availabilityEDN is maelstrom.checker/availability-checker: the ok
// fraction is a Float, or the integer 1 when nothing was invoked.
func (r *Results) availabilityEDN() edn.Map {
	c := r.Checks["availability"]
	var fraction any = 1
	if f, ok := c.Figures["ok_fraction"].(float64); ok && r.Ops.Invoke > 0 {
		fraction = float32(f)
	}
	return edn.Map{entry("valid?", validity(c.Valid)), entry("ok-fraction", fraction)}
}

// edn is maelstrom.net.checker's stats: message counts of all messages, of
// those with a client at an end and of the rest, msgs-per-op (a Float) for
// all and servers when there were invocations.
func (n *NetStats) edn() edn.Map {
	group := func(g NetGroup) edn.Map {
		m := edn.Map{entry("send-count", g.SendCount), entry("recv-count", g.RecvCount), entry("msg-count", g.MsgCount)}
		if g.MsgsPerOp != nil {
			m = append(m, entry("msgs-per-op", float32(*g.MsgsPerOp)))
		}
		return m
	}
	return edn.Map{entry("all", group(n.All)), entry("clients", group(n.Clients)), entry("servers", group(n.Servers)),
		entry("valid?", true)}
}

// figuresEDN renders a checker's figures with Jepsen's spelling: keys that
// read as numbers become numbers ({0 0, 0.5 12} latency maps), others
// keywords with - for _ (attempted_count is :attempted-count), or strings
// when they cannot be keywords; entries sorted by key. Ops print as
// jepsen.history.Op records do; verdicts as :valid? values.
func figuresEDN(figures map[string]any, opValue history.ValueWriter) edn.Map {
	out, _ := figureEDN(figures, opValue).(edn.Map)
	return out
}

func figureEDN(v any, opValue history.ValueWriter) any {
	switch x := v.(type) {
	case nil:
		return nil
	case history.Op:
		var value any
		if x.IsClient() {
			if opValue != nil {
				value = opValue(x)
			} else {
				value = edn.FromPlain(x.Value)
			}
		}
		return edn.Tagged{Tag: "jepsen.history.Op", Value: x.EDN(value)}
	case checker.Validity:
		return validity(x)
	case json.Number, string, bool, int, int64, float64:
		return x
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return figureEDN(rv.Elem().Interface(), opValue)
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil
		}
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = figureEDN(rv.Index(i).Interface(), opValue)
		}
		return out
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			break
		}
		keys := make([]string, 0, rv.Len())
		for _, k := range rv.MapKeys() {
			keys = append(keys, k.String())
		}
		sort.Strings(keys)
		out := make(edn.Map, len(keys))
		for i, k := range keys {
			out[i] = edn.Entry{Key: figureKey(k), Value: figureEDN(rv.MapIndex(reflect.ValueOf(k).Convert(rv.Type().Key())).Interface(), opValue)}
		}
		return out
	}
	// Anything else (a struct, a type with its own JSON): as its JSON says.
	b, err := json.Marshal(v)
	if err != nil {
		return edn.FromPlain(v)
	}
	var plain any
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	if d.Decode(&plain) != nil {
		return edn.FromPlain(v)
	}
	return figureEDN(plain, opValue)
}

// figureKey is a figure's key in Jepsen's spelling (see figuresEDN).
func figureKey(k string) any {
	if wire.IsNumberText(k) {
		return json.Number(k)
	}
	if kebab := strings.ReplaceAll(k, "_", "-"); edn.IsKeywordName(kebab) {
		return edn.Keyword(kebab)
	}
	return k
}
