package checker

import (
	"fmt"
	"sort"
	"strconv"

	"gossip-glomers/internal/history"
)

// statsExempt are the fs whose lack of any ok does not invalidate a test.
// Maelstrom exempts Kafka's crash (always info) for every workload.
var statsExempt = map[string]bool{"crash": true, "debug-topic-partitions": true}

// Stats is Jepsen's stats checker: counts of client completions by outcome,
// overall and per f; a test is invalid if some f never once succeeded.
func Stats(h history.History) Result {
	type counts struct{ count, ok, fail, info int }
	total := counts{}
	byF := map[string]*counts{}
	for _, op := range h {
		if !op.IsClient() || op.Type == history.Invoke {
			continue
		}
		c := byF[op.F]
		if c == nil {
			c = &counts{}
			byF[op.F] = c
		}
		for _, x := range []*counts{c, &total} {
			x.count++
			switch op.Type {
			case history.OK:
				x.ok++
			case history.Fail:
				x.fail++
			case history.Info:
				x.info++
			}
		}
	}
	res := Result{Valid: Valid, Figures: map[string]any{}}
	figs := map[string]any{}
	var fs []string
	for f := range byF {
		fs = append(fs, f)
	}
	sort.Strings(fs)
	for _, f := range fs {
		c := byF[f]
		valid := c.ok > 0
		figs[f] = map[string]any{"valid": valid, "count": c.count, "ok_count": c.ok, "fail_count": c.fail, "info_count": c.info}
		if !valid && !statsExempt[f] {
			res.Valid = Invalid
			res.Anomalies = append(res.Anomalies, fmt.Sprintf("no-ok-%s", f))
		}
	}
	res.Figures = map[string]any{"count": total.count, "ok_count": total.ok, "fail_count": total.fail,
		"info_count": total.info, "by_f": figs}
	return res
}

// Availability is Maelstrom's availability checker: the fraction of client
// invocations that completed ok, against --availability ("total" means 1).
func Availability(h history.History, expected string) Result {
	invokes, oks := 0, 0
	for _, op := range h {
		if !op.IsClient() {
			continue
		}
		switch op.Type {
		case history.Invoke:
			invokes++
		case history.OK:
			oks++
		}
	}
	fraction := 1.0
	if invokes > 0 {
		// Maelstrom compares a single-precision fraction: with 90% ok,
		// --availability 0.9 fails there (float 0.9 < 0.9), so here too.
		fraction = float64(float32(float64(oks) / float64(invokes)))
	}
	res := Result{Valid: Valid, Figures: map[string]any{"ok_fraction": fraction}}
	want := -1.0
	switch expected {
	case "":
	case "total":
		want = 1
	default:
		if f, err := strconv.ParseFloat(expected, 64); err == nil {
			want = f
		}
	}
	if want >= 0 {
		res.Figures["expected"] = want
		if fraction < want {
			res.Valid = Invalid
			res.Anomalies = []string{"unavailable"}
		}
	}
	return res
}
