package view

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"gossip-glomers/internal/network"
)

// The Lamport diagram's geometry, after viz.clj's layout: events one
// y-step apart (time flows down by event, not by clock), node columns
// spread over a fixed width. Ours adds a left gutter with the time of
// every 50th event, and widens the diagram when there are so many columns
// that 1200 pixels would crowd them.
const (
	lamportWidth      = 1200.0
	minColumnSpacing  = 40.0
	lamportYStep      = 20.0
	lamportGutter     = 70.0
	lamportRightSpace = 50.0 // viz.clj's width + 50
	labelRunes        = 48   // viz.clj's truncate-string of the label
	titleRunes        = 500  // hover text: the body, cut (messages.jsonl has it whole)
	nodeLabelEvery    = 50   // viz.clj's node-labels: every 50 steps

	// MaxLamportEvents is viz.clj's journal-limit: the diagram draws the
	// first 10,000 events after init.
	MaxLamportEvents = 10000
)

// viz.clj's message->color: errors pink, messages with a client at either
// end light blue, the rest black.
const (
	colorError  = "#FF1E90"
	colorClient = "#81BFFC"
	colorServer = "#000"
	// Jepsen's partition colour (jepsen.nemesis.combined's
	// partition-package), for the partition bands.
	colorPartition = "#E9DCA0"
	// viz.clj's truncated-notice colour.
	colorNotice = "#D96918"
)

type lamportLayout struct {
	Width, Height float64
	Columns       []lamportColumn
	Steps         int // events drawn; event k is at step k+1
	Arrows        []lamportArrow
	Rows          []lamportRow  // node-name rows, every 50 steps
	Bands         []lamportBand // partitions
	Later         int           // events of the window past the cap
	Max           int           // the cap
	From, To      time.Duration
}

type lamportColumn struct {
	Name string
	X    float64
}

// lamportArrow is a delivered message from its send to its receipt, or an
// undelivered one (Lost) from its send towards its destination.
type lamportArrow struct {
	X0, Y0, X1, Y1 float64
	Color          string
	Label          string
	Title          string
	Lost           bool
}

// lamportRow repeats the node names (black on the first row, grey after,
// as viz.clj's node-labels) with the time of the event below it.
type lamportRow struct {
	Y     float64
	First bool
	Time  time.Duration
}

// lamportBand shades the events that happened while a partition was on.
type lamportBand struct {
	Y0, Y1 float64
	Label  string
	Title  string
}

// partition is one partition from the history: the nemesis's grudge
// (dest -> the sources it drops) from Start until Stop (Open: never healed).
type partition struct {
	Shape       string
	Grudge      map[string][]string
	Start, Stop time.Duration
	Open        bool
}

// drops reports whether the partition was dropping src -> dest at time t.
func (p partition) drops(src, dest string, t time.Duration) bool {
	if t < p.Start || (!p.Open && t >= p.Stop) {
		return false
	}
	for _, s := range p.Grudge[dest] {
		if s == src {
			return true
		}
	}
	return false
}

// partitions reads the partitions from the nemesis's history entries: a
// start-partition entry names the shape, the next one carries
// ["isolated", grudge] (as the runner's nemesis records them); the next
// stop-partition entry heals it.
func partitions(history []Op) []partition {
	var out []partition
	var open *partition
	shape := ""
	for _, op := range history {
		if !op.Nemesis() {
			continue
		}
		switch op.F {
		case "start-partition":
			var v []json.RawMessage
			if json.Unmarshal(op.Value, &v) == nil && len(v) == 2 {
				var grudge map[string][]string
				if json.Unmarshal(v[1], &grudge) == nil {
					if open != nil { // partitions add up; close the previous band
						open.Stop, open.Open = op.Time, false
						out = append(out, *open)
					}
					open = &partition{Shape: shape, Grudge: grudge, Start: op.Time, Open: true}
				}
				continue
			}
			var s string
			if json.Unmarshal(op.Value, &s) == nil {
				shape = s
			}
		case "stop-partition":
			if open != nil {
				open.Stop, open.Open = op.Time, false
				out = append(out, *open)
				open = nil
			}
		}
	}
	if open != nil {
		out = append(out, *open)
	}
	return out
}

// columnLess is viz.clj's all-nodes order (maelstrom.util/sort-clients):
// names like c3 or n12 by letters then number, others (services) last.
func columnLess(a, b string) bool {
	type key struct {
		special bool
		prefix  string
		num     int64
		name    string
	}
	keyOf := func(s string) key {
		if m := columnPattern.FindStringSubmatch(s); m != nil {
			if n, err := strconv.ParseInt(m[2], 10, 64); err == nil {
				return key{prefix: m[1], num: n}
			}
		}
		return key{special: true, name: s}
	}
	ka, kb := keyOf(a), keyOf(b)
	if ka.special != kb.special {
		return !ka.special
	}
	if ka.prefix != kb.prefix {
		return ka.prefix < kb.prefix
	}
	if ka.num != kb.num {
		return ka.num < kb.num
	}
	return ka.name < kb.name
}

var columnPattern = regexp.MustCompile(`(\w+?)(\d+)`)

func lamportY(step float64) float64 { return lamportYStep * (1.5 + step) }

// layoutLamport places a selection of the journal: one column per
// endpoint in it, one step per event, an arrow per message whose send and
// delivery are both drawn, a dashed one per drawn send never delivered.
func layoutLamport(sel selection, parts []partition, maxEvents int, from, to time.Duration) lamportLayout {
	l := lamportLayout{Steps: len(sel.Events), Later: sel.Later, Max: maxEvents, From: from, To: to}
	seen := map[string]bool{}
	var names []string
	for _, e := range sel.Events {
		for _, n := range []string{e.Src, e.Dest} {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	sort.SliceStable(names, func(i, j int) bool { return columnLess(names[i], names[j]) })
	width := math.Max(lamportWidth, minColumnSpacing*float64(len(names)))
	x := map[string]float64{}
	for i, n := range names {
		x[n] = lamportGutter + (float64(i)+0.5)/float64(len(names))*width
		l.Columns = append(l.Columns, lamportColumn{Name: n, X: x[n]})
	}
	l.Width = lamportGutter + width + lamportRightSpace
	// viz.clj: + 2 (ys start at 1.5), + 1 (node lines run one step on),
	// + 2 (truncation notice), + 2 (whitespace).
	l.Height = lamportYStep * float64(2+1+2+2+l.Steps)

	for s := 0; s < l.Steps; s += nodeLabelEvery {
		l.Rows = append(l.Rows, lamportRow{Y: lamportY(float64(s) - 0.5), First: s == 0, Time: sel.Events[max(s-1, 0)].Time})
	}

	type sent struct {
		node string
		step int
	}
	sends := map[int64]sent{}
	for k, e := range sel.Events {
		step := k + 1
		if e.Send {
			sends[e.ID] = sent{e.Src, step}
			if sel.Undelivered[e.ID] {
				a := newArrow(e, x[e.Src], lamportY(float64(step)), x[e.Dest], lamportY(float64(step+1)))
				a.Lost = true
				a.Title += "\n\nnever delivered: " + lostReason(e, parts)
				l.Arrows = append(l.Arrows, a)
			}
			continue
		}
		from, ok := sends[e.ID]
		if !ok {
			continue // sent before the window
		}
		l.Arrows = append(l.Arrows, newArrow(e, x[from.node], lamportY(float64(from.step)), x[e.Dest], lamportY(float64(step))))
	}

	for _, p := range parts {
		first, last := stepAt(sel.Events, p.Start), l.Steps+1
		if !p.Open {
			last = stepAt(sel.Events, p.Stop)
		}
		if last <= 1 || first > l.Steps || last <= first {
			continue // outside what is drawn
		}
		label := "partition"
		if p.Shape != "" {
			label += " (" + p.Shape + ")"
		}
		label += " from " + seconds(p.Start)
		if !p.Open {
			label += " to " + seconds(p.Stop)
		}
		grudge, _ := json.Marshal(p.Grudge)
		l.Bands = append(l.Bands, lamportBand{
			Y0: lamportY(float64(first) - 0.5), Y1: lamportY(float64(last) - 0.5),
			Label: label, Title: label + "\nnode: the sources whose messages it drops\n" + string(grudge),
		})
	}
	return l
}

// stepAt is the step of the first event at or after t (Steps+1 if none).
func stepAt(events []Event, t time.Duration) int {
	return sort.Search(len(events), func(k int) bool { return events[k].Time >= t }) + 1
}

func newArrow(e Event, x0, y0, x1, y1 float64) lamportArrow {
	color := colorServer
	switch {
	case e.Type == "error":
		color = colorError
	case network.IsClient(e.Src) || network.IsClient(e.Dest):
		color = colorClient
	}
	return lamportArrow{X0: x0, Y0: y0, X1: x1, Y1: y1, Color: color,
		Label: messageLabel(e),
		Title: truncate(fmt.Sprintf("%s → %s %s", e.Src, e.Dest, compactJSON(e.Body)), titleRunes),
	}
}

// messageLabel is viz.clj's label: the body's type, then the error's text
// for an error, else the rest of the body without type, msg_id and
// in_reply_to; cut to 48 characters.
func messageLabel(e Event) string {
	var body map[string]json.RawMessage
	if json.Unmarshal(e.Body, &body) != nil {
		return truncate(string(e.Body), labelRunes)
	}
	rest := ""
	if e.Type == "error" {
		var text string
		if json.Unmarshal(body["text"], &text) != nil {
			text = string(body["text"])
		}
		rest = text
	} else {
		delete(body, "type")
		delete(body, "msg_id")
		delete(body, "in_reply_to")
		b, _ := json.Marshal(body) // keys sorted, values compact
		rest = string(b)
	}
	return truncate(e.Type+" "+rest, labelRunes)
}

// lostReason says why a send was never delivered, as far as the history
// tells.
func lostReason(e Event, parts []partition) string {
	for _, p := range parts {
		if p.drops(e.Src, e.Dest, e.Time) {
			return fmt.Sprintf("%s was dropping messages from %s (partition from %s)", e.Dest, e.Src, seconds(p.Start))
		}
	}
	return "no partition was dropping it; the run ended, or its receiver was gone, before it arrived"
}

func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// truncate is viz.clj's truncate-string: at most n characters, the last
// one an ellipsis when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) + " s"
}

// writeLamportSVG writes the layout as SVG, with viz.clj's styles: 5-pixel
// bars with black arrowheads, labels above the line (turned upright when
// the arrow points left), each message's full text on hover.
func writeLamportSVG(w io.Writer, l lamportLayout) error {
	b := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" version="2.0" width="%s" height="%s">`+"\n", num(l.Width), num(l.Height))
	b.WriteString(`<style>
svg { font-family: Helvetica, Arial, sans-serif; font-size: 11px; }
rect { stroke-linecap: butt; stroke-width: 3; stroke: #fff; }
polygon { fill: #000; }
.label { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
.lost line { stroke-width: 2; stroke-dasharray: 6 4; }
.lost text.x { font-size: 16px; font-weight: bold; }
.band rect { stroke: none; fill: ` + colorPartition + `; fill-opacity: 0.35; }
.band text { fill: #8a7a2a; }
.time { fill: #888; }
</style>
<defs><polygon id="ahead" points="0 0, -12 4, -12 -4"/>
`)
	// The row of node names, drawn once and repeated every 50 steps.
	b.WriteString(`<g id="names">`)
	for _, c := range l.Columns {
		fmt.Fprintf(b, `<text x="%s" y="0" text-anchor="middle" alignment-baseline="middle">%s</text>`, num(c.X), esc(c.Name))
	}
	b.WriteString("</g></defs>\n")
	b.WriteString("<g class=\"bands\">\n")
	for _, band := range l.Bands {
		fmt.Fprintf(b, `<g class="band"><title>%s</title><rect x="0" y="%s" width="%s" height="%s"/><text x="4" y="%s">%s</text></g>`+"\n",
			esc(band.Title), num(band.Y0), num(l.Width), num(band.Y1-band.Y0), num(band.Y0+12), esc(band.Label))
	}
	b.WriteString("</g>\n<g class=\"node-labels\">\n")
	for _, row := range l.Rows {
		fill := "#aaa"
		if row.First {
			fill = "#000"
		}
		fmt.Fprintf(b, `<text class="time" x="4" y="%s" alignment-baseline="middle">%s</text><use href="#names" y="%s" fill="%s"/>`+"\n",
			num(row.Y), seconds(row.Time), num(row.Y), fill)
	}
	b.WriteString("</g>\n<g class=\"node-lines\">\n")
	for _, c := range l.Columns {
		fmt.Fprintf(b, `<line stroke="#ccc" x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n",
			num(c.X), num(lamportY(0)), num(c.X), num(lamportY(float64(l.Steps+1))))
	}
	b.WriteString("</g>\n<g class=\"messages\">\n")
	for _, a := range l.Arrows {
		writeArrow(b, a)
	}
	b.WriteString("</g>\n")
	if l.Later > 0 {
		y := lamportY(float64(l.Steps + 2))
		fmt.Fprintf(b, `<g class="truncated"><line x1="30" y1="%s" x2="%s" y2="%s" stroke-width="1" stroke="%s"/>`,
			num(y), num(l.Width-30), num(y), colorNotice)
		fmt.Fprintf(b, `<text x="%s" y="%s" fill="%s" text-anchor="middle">%d later network events not shown (the diagram stops after %d events, as Maelstrom's does); pick a time window with glomers view --viz-from/--viz-to, or in glomers serve</text></g>`+"\n",
			num(l.Width/2), num(lamportY(float64(l.Steps+3))), colorNotice, l.Later, l.Max)
	}
	b.WriteString("</svg>\n")
	return b.Flush()
}

// writeArrow draws one message the way viz.clj's message-line does: drawn
// horizontally from the origin, then rotated and moved into place.
func writeArrow(b *bufio.Writer, a lamportArrow) {
	length := math.Hypot(a.X1-a.X0, a.Y1-a.Y0)
	angle := math.Atan2(a.Y1-a.Y0, a.X1-a.X0) * 180 / math.Pi
	left := !(angle > -90 && angle < 90)
	flip := ""
	if left { // the text would be upside down
		flip = fmt.Sprintf(` transform="rotate(180 %s 0)"`, num(length/2))
	}
	class := "msg"
	if a.Lost {
		class = "msg lost"
	}
	fmt.Fprintf(b, `<g class="%s" transform="translate(%s %s) rotate(%s)">`, class, num(a.X0), num(a.Y0), num(angle))
	if a.Lost {
		fmt.Fprintf(b, `<line x1="0" y1="0" x2="%s" y2="0" stroke="%s"><title>%s</title></line><text class="x" x="%s" y="5" text-anchor="middle" fill="%s">×</text>`,
			num(length-6), a.Color, esc(a.Title), num(length), colorError)
	} else {
		fmt.Fprintf(b, `<rect x="0" y="-2.5" height="5" width="%s" fill="%s"><title>%s</title></rect><use href="#ahead" x="%s" y="0"/>`,
			num(math.Max(0, length-4)), a.Color, esc(a.Title), num(length))
	}
	fmt.Fprintf(b, `<text class="label" text-anchor="middle" x="%s" y="%s"%s>%s</text></g>`+"\n",
		num(length/2), num(-lamportYStep/5), flip, esc(a.Label))
}

// num writes a coordinate compactly (a tenth of a pixel is plenty).
func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

func esc(s string) string { return html.EscapeString(s) }
