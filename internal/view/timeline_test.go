package view

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func op(index int, atMs int, typ, process, f, value string) Op {
	o := Op{Index: index, Time: time.Duration(atMs) * time.Millisecond, Type: typ, Process: process, F: f}
	if value != "" {
		o.Value = json.RawMessage(value)
	}
	return o
}

// Boxes as timeline.clj's pair->div places them: column 106 pixels apart
// (the nemesis first), 16 pixels per history entry, from the invocation's
// row to the completion's; an info runs to the end of the history.
func TestTimelineLayout(t *testing.T) {
	history := []Op{
		op(0, 0, "invoke", "0", "write", "3"),
		op(1, 1, "invoke", "1", "read", ""),
		op(2, 2, "ok", "0", "write", "3"),
		op(3, 3, "info", "nemesis", "start-partition", `"majority"`),
		op(4, 4, "info", "1", "read", ""),
		op(5, 5, "invoke", "0", "read", ""),
		op(6, 6, "fail", "0", "read", ""),
		op(7, 7, "invoke", "10", "cas", "[1,2]"),
	}
	l := layoutTimeline(history, 0, 0, 100)
	type box struct {
		Left, Top, Height int
		Class, ID         string
	}
	var got []box
	for _, b := range l.Boxes {
		if b.Width != 100 {
			t.Errorf("box %s is %d wide", b.ID, b.Width)
		}
		got = append(got, box{b.Left, b.Top, b.Height, b.Class, b.ID})
	}
	want := []box{
		{106, 0, 32, "ok", "i2"},           // process 0: rows 0 to 2
		{0, 48, 16, "info", "i3"},          // the nemesis: on its own, first column
		{212, 16, 16 * 8, "info", "i4"},    // process 1: from row 1 to the end (8 entries + 1)
		{106, 80, 16, "fail", "i6"},        // rows 5 to 6
		{318, 112, 16 * 2, "invoke", "i7"}, // never completed: to the end, grey; process 10 after 1
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("boxes\n got %+v\nwant %+v", got, want)
	}
	var cols []string
	for _, c := range l.Columns {
		cols = append(cols, c.Process)
	}
	if want := []string{"nemesis", "0", "1", "10"}; !reflect.DeepEqual(cols, want) {
		t.Errorf("columns %v, want %v", cols, want)
	}
	if l.Height != 16*9 || l.Shown != 5 || l.Total != 5 {
		t.Errorf("height %d, shown %d of %d", l.Height, l.Shown, l.Total)
	}
	if body := l.Boxes[0].Body; !reflect.DeepEqual(body, []string{"0 write 3"}) {
		t.Errorf("body %q: the completion's value is the invocation's, so it is not repeated", body)
	}
	if title := l.Boxes[0].Title; !strings.Contains(title, "Dur: 2 ms") || !strings.Contains(title, "value 3}") {
		t.Errorf("title %q", title)
	}
	if title := l.Boxes[1].Title; !strings.HasPrefix(title, `Msg: "majority"`) {
		t.Errorf("the nemesis's title %q does not start with its message", title)
	}
}

// timeline.clj's op-limit keeps the first operations, in completion order;
// a window keeps the entries in [from, to) and numbers rows from there.
func TestTimelineCapAndWindow(t *testing.T) {
	var history []Op
	for i := range 10 {
		history = append(history, op(2*i, 10*i, "invoke", "0", "read", ""), op(2*i+1, 10*i+5, "ok", "0", "read", "[1]"))
	}
	l := layoutTimeline(history, 0, 0, 3)
	if l.Shown != 3 || l.Total != 10 || l.Boxes[2].ID != "i5" {
		t.Errorf("capped: shown %d of %d, last %s", l.Shown, l.Total, l.Boxes[len(l.Boxes)-1].ID)
	}
	w := layoutTimeline(history, 20*time.Millisecond, 40*time.Millisecond, 100)
	if w.Total != 2 || w.Boxes[0].ID != "i5" || w.Boxes[0].Top != 0 || w.Boxes[1].Top != 32 {
		t.Errorf("window: %+v", w.Boxes)
	}
	// A completion whose invocation is before the window stands alone.
	w = layoutTimeline(history, 25*time.Millisecond, 0, 100)
	if w.Boxes[0].ID != "i5" || w.Boxes[0].Height != 16 {
		t.Errorf("window from mid-operation: first box %+v", w.Boxes[0])
	}
	var buf bytes.Buffer
	if err := writeTimelineHTML(&buf, "t", l, 0, 0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Showing only 3 of 10 operations in this history.") {
		t.Errorf("no truncation warning")
	}
	if n := strings.Count(buf.String(), `<div class="op `); n != 3 {
		t.Errorf("%d boxes in the page, want 3", n)
	}
}

// Values are escaped, and long ones cut.
func TestTimelineEscapes(t *testing.T) {
	long := `"` + strings.Repeat("x", 300) + `"`
	l := layoutTimeline([]Op{op(0, 0, "invoke", "0", "echo", `"<script>"`), op(1, 1, "ok", "0", "echo", long)}, 0, 0, 10)
	var buf bytes.Buffer
	if err := writeTimelineHTML(&buf, "<t>", l, 0, 0); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if strings.Contains(page, "<script>") || strings.Contains(page, "<t>") {
		t.Errorf("unescaped value in the page")
	}
	if !strings.Contains(page, strings.Repeat("x", bodyRunes-2)+"…") {
		t.Errorf("long value not cut to %d characters", bodyRunes)
	}
}
