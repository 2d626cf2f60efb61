package view

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The timeline's geometry, Jepsen's (timeline.clj): columns 100 pixels
// wide every 106, and 16 pixels per history entry, so a box runs from its
// invocation's row to its completion's.
const (
	timelineColWidth = 100
	timelineGutter   = 106
	timelineRow      = 16
	bodyRunes        = 100 // a box's text (Jepsen prints whole values; history.jsonl has them)
	valueRunes       = 600 // the value in its hover text

	// MaxTimelineOps is timeline.clj's op-limit.
	MaxTimelineOps = 10000
)

type timelineLayout struct {
	Columns []timelineColumn
	Boxes   []timelineBox
	Height  int // of the area the boxes are in
	Shown   int // operations drawn
	Total   int // operations in the window
}

type timelineColumn struct {
	Process string
	Left    int
}

// timelineBox is one operation (timeline.clj's pair->div).
type timelineBox struct {
	Left, Top, Width, Height int
	Class                    string // the completion's type (the invocation's if it never completed)
	ID                       string // "i" + the completion's index: timeline.html#i12 finds it
	Title                    string
	Body                     []string // lines
}

// timelinePair is an invocation and its completion, or an entry on its own
// (the nemesis's, or an invocation that never completed).
type timelinePair struct {
	start, stop   Op
	hasStop       bool
	startRow, row int // rows (positions among the drawn entries) of start and stop
}

// pairTimeline pairs each process's entries as timeline.clj's pairs does:
// an invocation with the process's next entry; an info, ok or fail without
// an invocation (the nemesis's, or one whose invocation is outside the
// window) on its own. Pairs come in completion order. Unlike Jepsen, which
// leaves them out, invocations that never completed come last, on their own.
func pairTimeline(entries []Op) []timelinePair {
	var pairs []timelinePair
	open := map[string]int{} // process -> row of its invocation
	for row, op := range entries {
		if op.Type == "invoke" {
			open[op.Process] = row
			continue
		}
		if inv, ok := open[op.Process]; ok {
			delete(open, op.Process)
			pairs = append(pairs, timelinePair{start: entries[inv], stop: op, hasStop: true, startRow: inv, row: row})
			continue
		}
		pairs = append(pairs, timelinePair{start: op, startRow: row, row: row})
	}
	var dangling []int
	for _, row := range open {
		dangling = append(dangling, row)
	}
	sort.Ints(dangling)
	for _, row := range dangling {
		pairs = append(pairs, timelinePair{start: entries[row], startRow: row, row: row})
	}
	return pairs
}

// layoutTimeline places the history entries of the window [from, to)
// (to <= 0: to the end), at most maxOps operations.
func layoutTimeline(history []Op, from, to time.Duration, maxOps int) timelineLayout {
	var entries []Op
	for _, op := range history {
		if op.Time >= from && (to <= 0 || op.Time < to) {
			entries = append(entries, op)
		}
	}
	pairs := pairTimeline(entries)
	l := timelineLayout{Total: len(pairs), Height: timelineRow * (len(entries) + 1)}
	if len(pairs) > maxOps {
		pairs = pairs[:maxOps]
	}
	l.Shown = len(pairs)

	seen := map[string]bool{}
	var procs []string
	for _, op := range entries {
		if !seen[op.Process] {
			seen[op.Process] = true
			procs = append(procs, op.Process)
		}
	}
	sort.Slice(procs, func(i, j int) bool { return processLess(procs[i], procs[j]) })
	column := map[string]int{}
	for i, p := range procs {
		column[p] = i
		l.Columns = append(l.Columns, timelineColumn{Process: p, Left: timelineGutter * i})
	}

	for _, p := range pairs {
		op := p.start
		if p.hasStop {
			op = p.stop
		}
		box := timelineBox{
			Left: timelineGutter * column[p.start.Process], Top: timelineRow * p.startRow, Width: timelineColWidth,
			Height: timelineRow, Class: op.Type, ID: "i" + strconv.Itoa(op.Index),
			Title: opTitle(p), Body: opBody(p),
		}
		switch {
		case p.hasStop && p.stop.Type == "info":
			// Indeterminate: it may take effect any time until the end.
			box.Height = timelineRow * (len(entries) + 1 - p.startRow)
		case p.hasStop:
			box.Height = timelineRow * (p.row - p.startRow)
		case p.start.Type == "invoke":
			box.Height = timelineRow * (len(entries) + 1 - p.startRow)
		}
		l.Boxes = append(l.Boxes, box)
	}
	return l
}

// opBody is the box's text (timeline.clj's body): process, f, the
// invocation's value, and the completion's value when it differs.
func opBody(p timelinePair) []string {
	first := p.start.Process + " " + p.start.F
	if !p.start.Nemesis() && p.start.Value != nil {
		first += " " + truncate(compactJSON(p.start.Value), bodyRunes)
	}
	lines := []string{first}
	if p.hasStop && string(p.stop.Value) != string(p.start.Value) && p.stop.Value != nil {
		lines = append(lines, truncate(compactJSON(p.stop.Value), bodyRunes))
	}
	return lines
}

// opTitle is the hover text (timeline.clj's title): the nemesis's message,
// the duration, the error, the time, and the op itself.
func opTitle(p timelinePair) string {
	op := p.start
	if p.hasStop {
		op = p.stop
	}
	var b strings.Builder
	if op.Nemesis() && p.start.Value != nil {
		fmt.Fprintf(&b, "Msg: %s\n", truncate(compactJSON(p.start.Value), valueRunes))
	}
	if p.hasStop {
		fmt.Fprintf(&b, "Dur: %d ms\n", (p.stop.Time - p.start.Time).Milliseconds())
	}
	errText := "nil"
	if op.Error != nil {
		errText = truncate(compactJSON(op.Error), valueRunes)
	}
	fmt.Fprintf(&b, "Err: %s\nTime: %s\n\nOp:\n", errText, seconds(op.Time))
	fmt.Fprintf(&b, "{process %s\n type %s\n f %s\n index %d", op.Process, op.Type, op.F, op.Index)
	if op.Node != "" {
		fmt.Fprintf(&b, "\n node %s", op.Node)
	}
	if op.Client != "" {
		fmt.Fprintf(&b, "\n client %s", op.Client)
	}
	if op.MsgID != 0 {
		fmt.Fprintf(&b, "\n msg_id %d", op.MsgID)
	}
	if op.Final {
		b.WriteString("\n final true")
	}
	if op.Error != nil {
		fmt.Fprintf(&b, "\n error %s", truncate(compactJSON(op.Error), valueRunes))
	}
	value := "nil"
	if op.Value != nil {
		value = truncate(compactJSON(op.Value), valueRunes)
	}
	fmt.Fprintf(&b, "\n value %s}", value)
	return b.String()
}

// timelineStyle is timeline.clj's stylesheet, plus the page around it.
const timelineStyle = `body { font-family: Helvetica, Arial, sans-serif; font-size: 12px; margin: 8px; }
h1 { font-size: 18px; margin: 4px 0; }
.note { color: #555; max-width: 60em; }
.truncation-warning { color: #D96918; font-weight: bold; }
.procs { position: sticky; top: 0; height: 20px; background: #fff; z-index: 2; border-bottom: 1px solid #ddd; }
.procs span { position: absolute; width: 100px; text-align: center; font-weight: bold; line-height: 20px; }
.lanes { position: relative; }
.ops        { position: absolute; }
.op         { position: absolute; padding: 2px; border-radius: 2px; box-shadow: 0 1px 3px rgba(0,0,0,0.12), 0 1px 2px rgba(0,0,0,0.24); transition: all 0.3s cubic-bezier(.25,.8,.25,1); overflow: hidden; box-sizing: border-box; color: #000; }
.op.invoke  { background: #eeeeee; }
.op.ok      { background: #6DB6FE; }
.op.info    { background: #FFAA26; }
.op.fail    { background: #FEB5DA; }
.op:target  { box-shadow: 0 14px 28px rgba(0,0,0,0.25), 0 10px 10px rgba(0,0,0,0.22); }
a { text-decoration: none; }
`

// writeTimelineHTML writes the timeline as one self-contained page.
func writeTimelineHTML(w io.Writer, title string, l timelineLayout, from, to time.Duration) error {
	b := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintf(b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title>\n<style>\n%s</style></head>\n<body>\n", esc(title), timelineStyle)
	fmt.Fprintf(b, "<div><a href=\"%s\">run</a> / timeline</div>\n<h1>%s</h1>\n", IndexFile, esc(title))
	b.WriteString(`<p class="note">One column per process, one box per operation from its invocation (top) to its completion (bottom); rows are history entries, not clock time. Blue: ok; pink: fail; orange: info (indeterminate, so it runs to the end); grey: never completed. Hover over a box for the operation, its value and error.</p>` + "\n")
	if from > 0 || to > 0 {
		fmt.Fprintf(b, "<p class=\"note\">History entries from %s to %s only.</p>\n", seconds(from), endLabel(to))
	}
	if l.Shown < l.Total {
		fmt.Fprintf(b, "<div class=\"truncation-warning\">Showing only %d of %d operations in this history.</div>\n", l.Shown, l.Total)
	}
	b.WriteString(`<div class="procs">`)
	for _, c := range l.Columns {
		fmt.Fprintf(b, `<span style="left:%dpx">%s</span>`, c.Left, esc(c.Process))
	}
	fmt.Fprintf(b, "</div>\n<div class=\"lanes\" style=\"height:%dpx\"><div class=\"ops\">\n", l.Height)
	for _, box := range l.Boxes {
		fmt.Fprintf(b, `<a href="#%s"><div class="op %s" id="%s" style="width:%dpx;left:%dpx;top:%dpx;height:%dpx" title="%s">`,
			box.ID, esc(box.Class), box.ID, box.Width, box.Left, box.Top, box.Height, esc(box.Title))
		for i, line := range box.Body {
			if i > 0 {
				b.WriteString("<br>")
			}
			b.WriteString(esc(line))
		}
		b.WriteString("</div></a>\n")
	}
	b.WriteString("</div></div>\n</body></html>\n")
	return b.Flush()
}

func endLabel(to time.Duration) string {
	if to <= 0 {
		return "the end"
	}
	return seconds(to)
}
