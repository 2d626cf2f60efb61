package plots

import (
	"bufio"
	"fmt"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Jepsen's perf plots are 900x400 pixel PNGs (perf.clj's preamble); gonum
// measures in points and renders PNGs at 96 dpi.
const (
	perfWidthPx, perfHeightPx = 900, 400
	pixel                     = vg.Inch / 96
)

// perf.clj's colours: type->color for outcomes, qs->colors (gnuplot's
// named red, orange, purple, blue, green, grey, from the highest quantile
// down), and partition-package's nemesis colour with nemesis-alpha 0.6.
var (
	outcomeColor = map[string]color.Color{
		"ok":   rgb(0x81BFFC),
		"info": rgb(0xFFA400),
		"fail": rgb(0xFF1E90),
	}
	quantileColors = []color.Color{rgb(0xFF0000), rgb(0xFFA500), rgb(0xC080FF), rgb(0x0000FF), rgb(0x00C000), rgb(0xA0A0A0)}
	nemesisColor   = rgb(0xE9DCA0)
	nemesisFill    = color.NRGBA{R: 0xE9, G: 0xDC, B: 0xA0, A: 153}
)

func rgb(v uint32) color.Color {
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 255}
}

// fGlyph gives each f its own point shape, as perf.clj's fs->points gives
// each a gnuplot point type (open square, circle, triangle, ...).
func fGlyph(i int) draw.GlyphDrawer {
	shapes := []draw.GlyphDrawer{draw.BoxGlyph{}, draw.RingGlyph{}, draw.PyramidGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}, draw.TriangleGlyph{}}
	return shapes[i%len(shapes)]
}

// LatencyQuantileLevels are the quantiles of perf.clj's quantiles-graph.
var LatencyQuantileLevels = []float64{0.5, 0.95, 0.99, 1}

// minLatencyMs keeps latencies positive on the log axis.
const minLatencyMs = 1e-3

// LatencyRaw writes perf.clj's point-graph: every completed operation's
// latency (ms, log scale) against its invocation time, one series per f and
// outcome, the series with fewer points drawn on top. It reports false, and
// writes nothing, when there is no operation to draw (Jepsen's :no-points).
func LatencyRaw(perf Perf, path string) (bool, error) {
	fs := perf.Fs()
	type series struct {
		name string
		f    int
		typ  string
		xys  plotter.XYs
		sc   *plotter.Scatter
	}
	var all []*series
	for fi, f := range fs {
		for _, typ := range Outcomes {
			s := &series{name: f + " " + typ, f: fi, typ: typ}
			for _, op := range perf.Ops {
				if op.F == f && op.Type == typ {
					s.xys = append(s.xys, plotter.XY{X: Seconds(op.Invoke), Y: math.Max(minLatencyMs, Millis(op.Complete-op.Invoke))})
				}
			}
			if len(s.xys) > 0 {
				all = append(all, s)
			}
		}
	}
	if len(all) == 0 {
		return false, nil
	}
	p := newPerfPlot(perf.Title+" latency", "Latency (ms)")
	legend := newLegend()
	addNemesis(p, &legend, perf)
	for _, s := range all {
		sc, err := plotter.NewScatter(s.xys)
		if err != nil {
			return false, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: outcomeColor[s.typ], Radius: vg.Points(2.5), Shape: fGlyph(s.f)}
		s.sc = sc
	}
	// perf.clj's draw-fewer-on-top?: the biggest series first.
	drawOrder := append([]*series(nil), all...)
	sort.SliceStable(drawOrder, func(i, j int) bool { return len(drawOrder[i].xys) > len(drawOrder[j].xys) })
	for _, s := range drawOrder {
		p.Add(s.sc)
	}
	for _, s := range all {
		legend.Add(s.name, s.sc)
	}
	logY(p)
	return true, save(p, legend, path)
}

// LatencyQuantilesPlot writes perf.clj's quantiles-graph: per f, the 0.5,
// 0.95, 0.99 and 1 quantiles of latency (ms, log scale) in buckets of
// invocation time. The bucket is Jepsen's 30 s, or smaller for a short run
// (see BucketWidth). It reports false when there is nothing to draw.
func LatencyQuantilesPlot(perf Perf, path string) (bool, error) {
	if len(perf.Ops) == 0 {
		return false, nil
	}
	dt := BucketWidth(JepsenQuantileBucket, perf.End())
	p := newPerfPlot(fmt.Sprintf("%s latency quantiles (%s s buckets)", perf.Title, formatSeconds(dt)), "Latency (ms)")
	legend := newLegend()
	addNemesis(p, &legend, perf)
	levels := append([]float64(nil), LatencyQuantileLevels...)
	sort.Sort(sort.Reverse(sort.Float64Slice(levels)))
	qColor := map[float64]color.Color{}
	for i, q := range levels {
		qColor[q] = quantileColors[i%len(quantileColors)]
	}
	for fi, f := range perf.Fs() {
		var ops []Op
		for _, op := range perf.Ops {
			if op.F == f {
				ops = append(ops, op)
			}
		}
		byQ := LatencyQuantiles(ops, dt, LatencyQuantileLevels)
		for _, q := range LatencyQuantileLevels {
			xys := make(plotter.XYs, len(byQ[q]))
			for i, pt := range byQ[q] {
				xys[i] = plotter.XY{X: pt.X, Y: math.Max(minLatencyMs, pt.Y)}
			}
			l, pts, err := linePoints(xys, qColor[q], fGlyph(fi))
			if err != nil {
				return false, err
			}
			p.Add(l, pts)
			legend.Add(f+" "+strconv.FormatFloat(q, 'g', -1, 64), l, pts)
		}
	}
	logY(p)
	return true, save(p, legend, path)
}

// Rate writes perf.clj's rate-graph: completions per second by f and
// outcome, in buckets of completion time (Jepsen's 10 s, or smaller for a
// short run). It reports false when there is nothing to draw.
func Rate(perf Perf, path string) (bool, error) {
	if len(perf.Ops) == 0 {
		return false, nil
	}
	dt := BucketWidth(JepsenRateBucket, perf.End())
	rates := Rates(perf.Ops, dt, perf.End())
	p := newPerfPlot(fmt.Sprintf("%s rate (%s s buckets)", perf.Title, formatSeconds(dt)), "Throughput (hz)")
	legend := newLegend()
	addNemesis(p, &legend, perf)
	drawn := false
	for fi, f := range perf.Fs() {
		for _, typ := range Outcomes {
			pts := rates[f][typ]
			if allZero(pts) {
				continue // Jepsen draws these flat along the axis; they only hide each other
			}
			xys := make(plotter.XYs, len(pts))
			for i, pt := range pts {
				xys[i] = plotter.XY{X: pt.X, Y: pt.Y}
			}
			l, glyphs, err := linePoints(xys, outcomeColor[typ], fGlyph(fi))
			if err != nil {
				return false, err
			}
			p.Add(l, glyphs)
			legend.Add(f+" "+typ, l, glyphs)
			drawn = true
		}
	}
	if !drawn { // e.g. every completion fell in a last bucket Jepsen does not draw
		return false, nil
	}
	p.Y.Min = 0
	return true, save(p, legend, path)
}

func allZero(pts []Point) bool {
	for _, pt := range pts {
		if pt.Y != 0 {
			return false
		}
	}
	return true
}

func formatSeconds(s float64) string { return strconv.FormatFloat(s, 'g', -1, 64) }

func newPerfPlot(title, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "Time (s)"
	p.Y.Label.Text = ylabel
	return p
}

func newLegend() plot.Legend {
	l := plot.NewLegend()
	l.Top, l.Left = true, true
	l.TextStyle.Font.Size = vg.Points(9)
	return l
}

func linePoints(xys plotter.XYs, c color.Color, shape draw.GlyphDrawer) (*plotter.Line, *plotter.Scatter, error) {
	l, pts, err := plotter.NewLinePoints(xys)
	if err != nil {
		return nil, nil, err
	}
	l.Color = c
	pts.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(2.5), Shape: shape}
	return l, pts, nil
}

// logY puts the y axis on a log scale that spans whole decades, so it always
// has labelled ticks (as gnuplot's log autoscale does).
func logY(p *plot.Plot) {
	lo, hi := math.Max(p.Y.Min, minLatencyMs), math.Max(p.Y.Max, minLatencyMs)
	p.Y.Min = math.Pow(10, math.Floor(math.Log10(lo)))
	p.Y.Max = math.Pow(10, math.Ceil(math.Log10(hi)))
	if p.Y.Max <= p.Y.Min {
		p.Y.Max = p.Y.Min * 10
	}
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = decadeTicks{}
}

// decadeTicks labels every power of ten in range and marks 2..9 times it
// between (gonum's LogTicks leaves the lowest decade unlabelled).
type decadeTicks struct{}

func (decadeTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		base := math.Pow(10, e)
		for k := 1.0; k <= 9; k++ {
			v := k * base
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if k == 1 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// addNemesis shades the nemesis's activity as perf.clj's with-nemeses does:
// a band along the top twelfth of the plot for each interval, a vertical
// line at each nemesis entry, and a legend entry.
func addNemesis(p *plot.Plot, legend *plot.Legend, perf Perf) {
	if len(perf.Nemesis) == 0 {
		return
	}
	n := nemesisShading{intervals: NemesisIntervals(perf.Nemesis)}
	for _, op := range perf.Nemesis {
		n.times = append(n.times, Seconds(op.Time))
	}
	p.Add(n)
	legend.Add(partitionName, n)
}

// nemesisShading is a gonum plotter for the nemesis's activity.
type nemesisShading struct {
	intervals []Interval
	times     []float64 // seconds
}

// Plot draws the bands and lines; it does not widen the axes (Jepsen's
// ranges come from the data series alone).
func (n nemesisShading) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	clampX := func(x vg.Length) vg.Length { return max(c.Min.X, min(c.Max.X, x)) }
	height := c.Max.Y - c.Min.Y
	// perf.clj's nemesis-regions for the first nemesis: [1 - 0.0834, 1] of
	// the graph's height, less 0.00615 of padding at each end.
	top := c.Max.Y - height*0.00615
	bottom := c.Max.Y - height*0.0834 + height*0.00615
	for _, iv := range n.intervals {
		x0, x1 := clampX(trX(Seconds(iv.Start))), c.Max.X
		if !iv.Open {
			x1 = clampX(trX(Seconds(iv.Stop)))
		}
		if x1 <= x0 {
			continue
		}
		c.FillPolygon(nemesisFill, []vg.Point{{X: x0, Y: bottom}, {X: x1, Y: bottom}, {X: x1, Y: top}, {X: x0, Y: top}})
	}
	line := draw.LineStyle{Color: nemesisColor, Width: vg.Points(1)}
	for _, t := range n.times {
		if t < p.X.Min || t > p.X.Max {
			continue
		}
		x := trX(t)
		c.StrokeLine2(line, x, c.Min.Y, x, c.Max.Y)
	}
}

// Thumbnail is the legend's sample: a thick bar, as perf.clj's
// nemesis-series draws with linewidth 6.
func (n nemesisShading) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(draw.LineStyle{Color: nemesisColor, Width: vg.Points(5)}, c.Min.X, y, c.Max.X, y)
}

// save draws p with the legend outside, at the top right (perf.clj's "set
// key outside top right"), into a 900x400 pixel image; the format follows
// the file's extension.
func save(p *plot.Plot, legend plot.Legend, path string) error {
	w, h := vg.Length(perfWidthPx)*pixel, vg.Length(perfHeightPx)*pixel
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format == "png" {
		img := vgimg.New(w, h)
		drawWithLegend(p, legend, draw.New(img))
		// The plots are mostly flat colour: the fastest compression costs
		// little size and half the time of the default.
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		return writeFile(path, func(out io.Writer) error { return enc.Encode(out, img.Image()) })
	}
	c, err := draw.NewFormattedCanvas(w, h, format)
	if err != nil {
		return err
	}
	drawWithLegend(p, legend, draw.New(c))
	return writeFile(path, func(out io.Writer) error { _, err := c.WriteTo(out); return err })
}

func drawWithLegend(p *plot.Plot, legend plot.Legend, dc draw.Canvas) {
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	pad := vg.Points(8)
	legendWidth := legend.Rectangle(dc).Size().X + 2*pad
	p.Draw(draw.Crop(dc, 0, -legendWidth, 0, 0))
	legend.Draw(draw.Crop(dc, dc.Max.X-legendWidth+pad, 0, 0, -3*pad))
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(f)
	err = write(out)
	if err == nil {
		err = out.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
