package view

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"gossip-glomers/internal/view/viewtest"
)

func selectLines(t *testing.T, lines []string, from, to time.Duration, max int) selection {
	t.Helper()
	sel, err := selectEvents(strings.NewReader(strings.Join(lines, "\n")), from, to, max)
	if err != nil {
		t.Fatal(err)
	}
	return sel
}

func eventIDs(sel selection) []string {
	var ids []string
	for _, e := range sel.Events {
		kind := "r"
		if e.Send {
			kind = "s"
		}
		ids = append(ids, fmt.Sprintf("%s%d", kind, e.ID))
	}
	return ids
}

var msecond = time.Millisecond

// The cap counts events after init (journal.clj's without-init, viz.clj's
// journal-limit); init events are drawn all the same. A time window keeps
// events in [from, to).
func TestSelectEvents(t *testing.T) {
	journal := viewtest.Sample().Journal
	for _, tc := range []struct {
		name     string
		from, to time.Duration
		max      int
		want     []string
		later    int
	}{
		{"everything", 0, 0, 100, []string{"s0", "r0", "s1", "r1", "s2", "r2", "s3", "s4", "r4", "r3", "s5", "s6", "r6", "s7", "r7"}, 0},
		{"init does not count towards the cap", 0, 0, 3, []string{"s0", "r0", "s1", "r1", "s2", "r2", "s3"}, 8},
		{"a window", 11 * msecond, 30 * msecond, 100, []string{"s3", "s4", "r4", "r3", "s5"}, 0},
		{"a window from a time on", 30 * msecond, 0, 100, []string{"s6", "r6", "s7", "r7"}, 0},
		{"a window capped", 10 * msecond, 0, 2, []string{"s2", "r2"}, 9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sel := selectLines(t, journal, tc.from, tc.to, tc.max)
			if got := eventIDs(sel); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("events %v, want %v", got, tc.want)
			}
			if sel.Later != tc.later {
				t.Errorf("later %d, want %d", sel.Later, tc.later)
			}
		})
	}
}

// A send is undelivered only if no delivery anywhere in the journal matches
// it: one delivered after the cap or the window is not.
func TestUndelivered(t *testing.T) {
	journal := viewtest.Sample().Journal
	all := selectLines(t, journal, 0, 0, 100)
	if want := map[int64]bool{5: true}; !reflect.DeepEqual(all.Undelivered, want) {
		t.Errorf("undelivered %v, want %v", all.Undelivered, want)
	}
	// Capped right after n0's first gossip is sent (s3): its delivery (r3)
	// is past the cap but still a delivery.
	capped := selectLines(t, journal, 0, 0, 3)
	if len(capped.Undelivered) != 0 {
		t.Errorf("capped: undelivered %v, want none", capped.Undelivered)
	}
	windowed := selectLines(t, journal, 0, 12*msecond, 100)
	if windowed.Undelivered[3] {
		t.Errorf("a send delivered after the window counts as undelivered")
	}
}

// Past the cap the journal is skimmed: the head of each line written by
// internal/network, or a full decode of any other shape.
func TestQuickEvent(t *testing.T) {
	for _, tc := range []struct {
		line    string
		typ     string
		at, id  int64
		skimmed bool
	}{
		{viewtest.Recv(1.5, 42, "n1", "n2", `{"type":"x"}`), "recv", 1500000, 42, true},
		{viewtest.Send(0, 7, "c1", "n2", `{}`), "send", 0, 7, true},
		{`{"time":5,"type":"recv","message":{"id":3}}`, "", 0, 0, false},
		{`{"type":"recv","time":5,"message":{"id":"3"}}`, "", 0, 0, false},
		{`{"type":"drop","time":5,"message":{"id":3}}`, "", 0, 0, false},
		{`{"type":"recv","time":99999999999999999999,"message":{"id":3}}`, "", 0, 0, false},
	} {
		typ, at, id, ok := quickEvent([]byte(tc.line))
		if ok != tc.skimmed || typ != tc.typ || at != tc.at || id != tc.id {
			t.Errorf("%s: %q %d %d %v, want %q %d %d %v", tc.line, typ, at, id, ok, tc.typ, tc.at, tc.id, tc.skimmed)
		}
	}
	// Either way, a delivery past the cap is seen.
	journal := []string{
		viewtest.Send(1, 1, "n1", "n2", `{"type":"a"}`),
		viewtest.Send(2, 2, "n1", "n2", `{"type":"b"}`),
		`{"time":3000000,"type":"recv","message":{"id":1,"src":"n1","dest":"n2","body":{}}}`,
		viewtest.Recv(4, 2, "n1", "n2", `{"type":"b"}`),
	}
	sel := selectLines(t, journal, 0, 0, 2)
	if len(sel.Undelivered) != 0 || sel.Later != 2 {
		t.Errorf("undelivered %v, later %d; want none, 2", sel.Undelivered, sel.Later)
	}
}

func TestBadJournal(t *testing.T) {
	for _, tc := range []struct{ journal, want string }{
		{`{"type":"send","time":1,"message":{"id":0,"src":"c0","dest":"n0","body":{}}}` + "\nnot json", "line 2"},
		{`{"type":"drop","time":1,"message":{"id":0}}`, `event type "drop"`},
	} {
		_, err := selectEvents(strings.NewReader(tc.journal), 0, 0, 10)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one mentioning %q", err, tc.want)
		}
	}
}

// Columns: clients, then nodes, by number (c2 before c10), services last,
// spread over viz.clj's 1200 pixels after the time gutter.
func TestLamportColumns(t *testing.T) {
	var events []Event
	for i, pair := range [][2]string{{"n10", "c10"}, {"seq-kv", "n2"}, {"c2", "n1"}, {"lin-kv", "n1"}} {
		events = append(events, Event{Send: true, ID: int64(i), Src: pair[0], Dest: pair[1]})
	}
	l := layoutLamport(selection{Events: events}, nil, 100, 0, 0)
	var names []string
	for i, c := range l.Columns {
		names = append(names, c.Name)
		if want := lamportGutter + (float64(i)+0.5)/7*lamportWidth; c.X != want {
			t.Errorf("column %s at x %v, want %v", c.Name, c.X, want)
		}
	}
	if want := []string{"c2", "c10", "n1", "n2", "n10", "lin-kv", "seq-kv"}; !reflect.DeepEqual(names, want) {
		t.Errorf("columns %v, want %v", names, want)
	}
	if want := lamportGutter + lamportWidth + 50; l.Width != want {
		t.Errorf("width %v, want %v", l.Width, want)
	}
	// viz.clj's height: y-step * (2 + 1 + 2 + 2 + steps).
	if want := 20.0 * (7 + 4); l.Height != want {
		t.Errorf("height %v, want %v", l.Height, want)
	}

	// Forty columns do not fit 1200 pixels: the diagram widens to 40 each.
	events = nil
	for i := range 20 {
		events = append(events, Event{Send: true, ID: int64(i), Src: fmt.Sprintf("c%d", i), Dest: fmt.Sprintf("n%d", i)})
	}
	if l := layoutLamport(selection{Events: events}, nil, 100, 0, 0); l.Width != lamportGutter+40*minColumnSpacing+50 {
		t.Errorf("40 columns: width %v", l.Width)
	}
}

// Each delivered message is an arrow from its send's step to its
// delivery's, at y = 20 * (1.5 + step); an undelivered one is a lost
// arrow one step down to its destination, saying why it was lost.
func TestLamportArrows(t *testing.T) {
	run := viewtest.Sample()
	var history []Op
	for i, line := range run.History {
		var l historyLine
		mustUnmarshal(t, line, &l)
		p, _ := processName(l.Process)
		history = append(history, Op{Index: i, Time: time.Duration(l.Time), Type: l.Type, Process: p, F: l.F, Value: nullToNil(l.Value)})
	}
	sel := selectLines(t, run.Journal, 0, 0, 100)
	l := layoutLamport(sel, partitions(history), 100, 0, 0)
	x := map[string]float64{}
	for _, c := range l.Columns {
		x[c.Name] = c.X
	}
	y := func(step int) float64 { return 20 * (1.5 + float64(step)) }
	type drawn struct {
		From, To     string
		Y0, Y1       float64
		Color, Label string
		Lost         bool
	}
	var got []drawn
	for _, a := range l.Arrows {
		var from, to string
		for name, cx := range x {
			if cx == a.X0 {
				from = name
			}
			if cx == a.X1 {
				to = name
			}
		}
		got = append(got, drawn{from, to, a.Y0, a.Y1, a.Color, a.Label, a.Lost})
	}
	want := []drawn{
		{"c0", "n0", y(1), y(2), colorClient, `init {"node_id":"n0","node_ids":["n0","n1"]}`, false},
		{"n0", "c0", y(3), y(4), colorClient, "init_ok {}", false},
		{"c2", "n0", y(5), y(6), colorClient, `broadcast {"message":1}`, false},
		{"n0", "c2", y(8), y(9), colorClient, "broadcast_ok {}", false},
		{"n0", "n1", y(7), y(10), colorServer, `gossip {"values":[1]}`, false},
		{"n0", "n1", y(11), y(12), colorServer, `gossip {"values":[1]}`, true},
		{"c2", "n1", y(12), y(13), colorClient, "read {}", false},
		{"n1", "c2", y(14), y(15), colorClient, `read_ok {"messages":[1]}`, false},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("arrows:\n got %+v\nwant %+v", got, want)
	}
	for _, a := range l.Arrows {
		if a.Lost && !strings.Contains(a.Title, "n1 was dropping messages from n0") {
			t.Errorf("lost arrow's title %q does not say the partition dropped it", a.Title)
		}
	}
	// The partition (history: 20 ms to 40 ms) covers the events from the
	// first at or after 20 ms (step 11) to the last before 40 ms (step 15).
	if len(l.Bands) != 1 {
		t.Fatalf("bands %+v, want one", l.Bands)
	}
	if b := l.Bands[0]; b.Y0 != y(11)-10 || b.Y1 != y(16)-10 || !strings.Contains(b.Label, "partition (halves) from 0.020 s to 0.040 s") {
		t.Errorf("band %+v", b)
	}
	// Node names every 50 steps: here only the first row, with the time.
	if want := []lamportRow{{Y: y(0) - 10, First: true, Time: time.Millisecond}}; !reflect.DeepEqual(l.Rows, want) {
		t.Errorf("rows %+v, want %+v", l.Rows, want)
	}
}

func TestMessageLabel(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"type":"echo","msg_id":3,"echo":"hi"}`, `echo {"echo":"hi"}`},
		{`{"type":"error","in_reply_to":3,"code":11,"text":"temporarily unavailable"}`, "error temporarily unavailable"},
		{`{"type":"broadcast_ok","in_reply_to":3}`, "broadcast_ok {}"},
		{`{"type":"read_ok","messages":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]}`, `read_ok {"messages":[1,2,3,4,5,6,7,8,9,10,11,12…`},
		{`[1,2]`, "[1,2]"},
	} {
		e := Event{Body: []byte(tc.body), Type: bodyType([]byte(tc.body))}
		got := messageLabel(e)
		if got != tc.want {
			t.Errorf("label of %s = %q, want %q", tc.body, got, tc.want)
		}
		if n := len([]rune(got)); n > labelRunes {
			t.Errorf("label %q has %d characters", got, n)
		}
	}
	if c := newArrow(Event{Src: "n1", Dest: "n2", Type: "error", Body: []byte(`{"type":"error"}`)}, 0, 0, 1, 1).Color; c != colorError {
		t.Errorf("an error between nodes is %s, want %s", c, colorError)
	}
}

// The SVG is well-formed XML with one group per message, and says how many
// events it left out.
func TestLamportSVG(t *testing.T) {
	sel := selectLines(t, viewtest.Sample().Journal, 0, 0, 3)
	var buf bytes.Buffer
	if err := writeLamportSVG(&buf, layoutLamport(sel, nil, 3, 0, 0)); err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(&buf)
	groups, texts := 0, []string{}
	inText := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if el.Name.Local == "g" {
				for _, a := range el.Attr {
					if a.Name.Local == "class" && strings.HasPrefix(a.Value, "msg") {
						groups++
					}
				}
			}
			inText = el.Name.Local == "text"
		case xml.CharData:
			if inText {
				texts = append(texts, string(el))
			}
		case xml.EndElement:
			inText = false
		}
	}
	if groups != 3 { // init, init_ok, broadcast: the gossip's delivery is past the cap
		t.Errorf("%d message groups, want 3", groups)
	}
	if !strings.Contains(strings.Join(texts, "|"), "8 later network events not shown") {
		t.Errorf("no truncation notice in %q", texts)
	}
}

func mustUnmarshal(t *testing.T, line string, v any) {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(line))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		t.Fatal(err)
	}
}
