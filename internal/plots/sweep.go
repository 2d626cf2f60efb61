package plots

import (
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SweepPoint is one setting of the broadcast benchmark's batching sweep.
type SweepPoint struct {
	Label       string  // the interval, e.g. "100ms"
	MsgsPerOp   float64 // servers msgs-per-op
	Median, Max float64 // stable latency quantiles 0.5 and 1, ms
}

// BroadcastSweep draws msgs-per-op (x) against median and max stable
// latency (y), one point per setting, with challenge 3d's latency targets
// and the 3-msgs-per-op goal as reference lines. The format follows the
// file's extension.
func BroadcastSweep(points []SweepPoint, path string) error {
	pts := append([]SweepPoint(nil), points...)
	sort.Slice(pts, func(i, j int) bool { return pts[i].MsgsPerOp < pts[j].MsgsPerOp })

	p := plot.New()
	p.Title.Text = "maelstrom-broadcast at 3d/3e parameters: batching interval sweep"
	p.X.Label.Text = "servers msgs-per-op"
	p.Y.Label.Text = "stable latency (ms)"
	p.Add(plotter.NewGrid())

	median := make(plotter.XYs, len(pts))
	maxes := make(plotter.XYs, len(pts))
	labels := make([]string, len(pts))
	top, right := 650.0, 3.5
	for i, r := range pts {
		median[i] = plotter.XY{X: r.MsgsPerOp, Y: r.Median}
		maxes[i] = plotter.XY{X: r.MsgsPerOp, Y: r.Max}
		labels[i] = r.Label
		top = math.Max(top, r.Max*1.1)
		right = math.Max(right, r.MsgsPerOp*1.1)
	}
	for i, s := range []struct {
		name string
		xys  plotter.XYs
	}{{"median stable latency", median}, {"max stable latency", maxes}} {
		if len(s.xys) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(s.xys)
		if err != nil {
			return err
		}
		line.Color = plotutil.Color(i)
		points.Color = plotutil.Color(i)
		points.Shape = draw.CircleGlyph{}
		p.Add(line, points)
		p.Legend.Add(s.name, line, points)
	}
	if len(maxes) > 0 {
		lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: maxes, Labels: labels})
		if err != nil {
			return err
		}
		lbl.Offset = vg.Point{X: vg.Points(4), Y: vg.Points(4)}
		p.Add(lbl)
	}
	for i, ref := range []struct {
		name string
		y    float64
	}{{"3d median target (400 ms)", 400}, {"3d max target (600 ms)", 600}} {
		l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: ref.y}, {X: right, Y: ref.y}})
		if err != nil {
			return err
		}
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		l.Color = plotutil.Color(i) // the colour of the series it bounds
		p.Add(l)
		p.Legend.Add(ref.name, l)
	}
	goal, err := plotter.NewLine(plotter.XYs{{X: 3, Y: 0}, {X: 3, Y: top}})
	if err != nil {
		return err
	}
	goal.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	goal.Color = plotutil.Color(3)
	p.Add(goal)
	p.Legend.Add("goal: 3 msgs-per-op", goal)
	p.Legend.Left = true // the low-left corner is empty: few messages cost latency
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(10), vg.Points(10)
	p.X.Min, p.X.Max = 0, right
	p.Y.Min, p.Y.Max = 0, top
	return p.Save(8*vg.Inch, 5*vg.Inch, path)
}
