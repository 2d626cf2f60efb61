package view

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"gossip-glomers/internal/plots"
)

// Options choose what part of a run the Lamport diagram and the timeline
// show. The zero value is Maelstrom's and Jepsen's: the whole run, capped
// at 10,000 events after init and 10,000 operations.
type Options struct {
	// From and To keep the journal events and history entries with
	// From <= time < To (times since the start of the run); To <= 0 means
	// to the end.
	From, To time.Duration
	// MaxEvents caps the Lamport diagram's events (init aside), MaxOps the
	// timeline's operations; 0 means MaxLamportEvents and MaxTimelineOps.
	MaxEvents, MaxOps int
}

// Validate rejects a window that cannot hold anything.
func (o Options) Validate() error {
	switch {
	case o.From < 0:
		return fmt.Errorf("the window starts at %v, before the run", o.From)
	case o.To > 0 && o.To <= o.From:
		return fmt.Errorf("the window ends (%v) before it starts (%v)", o.To, o.From)
	case o.MaxEvents < 0 || o.MaxOps < 0:
		return errors.New("caps must not be negative")
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.MaxEvents == 0 {
		o.MaxEvents = MaxLamportEvents
	}
	if o.MaxOps == 0 {
		o.MaxOps = MaxTimelineOps
	}
	return o
}

// Render writes a run folder's views (messages.svg, timeline.html, the
// perf plots and index.html) from its results.json, history.jsonl and
// messages.jsonl, which it only reads. A view that cannot be drawn (its
// input is missing or malformed) is skipped and named in the returned
// error; the others, and index.html, are written all the same.
func Render(dir string, opts Options) error {
	if err := opts.Validate(); err != nil {
		return err
	}
	opts = opts.withDefaults()
	history, historyErr := ReadHistory(filepath.Join(dir, HistoryFile))
	summary, summaryErr := LoadSummary(dir)
	title := workloadName(dir, summary)

	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	fail := func(what string, err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, fmt.Errorf("%s: %w", what, err))
	}
	// The three kinds of view are independent: draw them side by side.
	wg.Add(3)
	go func() {
		defer wg.Done()
		err := writeFileAtomic(filepath.Join(dir, LamportFile), func(w io.Writer) error {
			return writeLamport(w, dir, history, opts)
		})
		if err != nil {
			fail(LamportFile, err)
		}
	}()
	go func() {
		defer wg.Done()
		if historyErr != nil {
			fail(TimelineFile, historyErr)
			return
		}
		err := writeFileAtomic(filepath.Join(dir, TimelineFile), func(w io.Writer) error {
			return writeTimeline(w, title, history, opts)
		})
		if err != nil {
			fail(TimelineFile, err)
		}
	}()
	go func() {
		defer wg.Done()
		if historyErr != nil {
			fail("plots", historyErr)
			return
		}
		if err := writePlots(dir, title, history); err != nil {
			fail("plots", err)
		}
	}()
	wg.Wait()

	// index.html last: it links what the others wrote.
	err := writeFileAtomic(filepath.Join(dir, IndexFile), func(w io.Writer) error {
		return writeIndex(w, buildIndex(dir, summary, summaryErr, opts, errs))
	})
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", IndexFile, err))
	}
	if summaryErr != nil && !errors.Is(summaryErr, fs.ErrNotExist) {
		errs = append(errs, summaryErr) // a run without results.json (aborted) is no error
	}
	return errors.Join(errs...)
}

// WriteLamport writes a run's Lamport diagram to w (glomers serve draws a
// time window on request with it).
func WriteLamport(w io.Writer, dir string, opts Options) error {
	if err := opts.Validate(); err != nil {
		return err
	}
	// The history only adds the partition bands: draw without them if it
	// cannot be read.
	history, _ := ReadHistory(filepath.Join(dir, HistoryFile))
	return writeLamport(w, dir, history, opts.withDefaults())
}

func writeLamport(w io.Writer, dir string, history []Op, opts Options) error {
	sel, err := selectFile(filepath.Join(dir, JournalFile), opts.From, opts.To, opts.MaxEvents)
	if err != nil {
		return err
	}
	return writeLamportSVG(w, layoutLamport(sel, partitions(history), opts.MaxEvents, opts.From, opts.To))
}

// WriteTimeline writes a run's timeline to w.
func WriteTimeline(w io.Writer, dir string, opts Options) error {
	if err := opts.Validate(); err != nil {
		return err
	}
	history, err := ReadHistory(filepath.Join(dir, HistoryFile))
	if err != nil {
		return err
	}
	summary, _ := LoadSummary(dir)
	title := workloadName(dir, summary)
	return writeTimeline(w, title, history, opts.withDefaults())
}

func writeTimeline(w io.Writer, title string, history []Op, opts Options) error {
	l := layoutTimeline(history, opts.From, opts.To, opts.MaxOps)
	return writeTimelineHTML(w, title+" timeline", l, opts.From, opts.To)
}

// workloadName titles a run's views: results.json's workload, else the
// name of the folder the run is in (store/<workload>/<time>).
func workloadName(dir string, s *Summary) string {
	if s != nil && s.Workload != "" {
		return s.Workload
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	return filepath.Base(filepath.Dir(dir))
}

// writePlots draws the perf plots of the whole history; a plot with
// nothing to draw is not written (and any old one removed).
func writePlots(dir, title string, history []Op) error {
	perf := perfData(title, history)
	var errs []error
	for _, p := range []struct {
		file string
		draw func(plots.Perf, string) (bool, error)
	}{
		{LatencyRawFile, plots.LatencyRaw},
		{LatencyQuantilesFile, plots.LatencyQuantilesPlot},
		{RateFile, plots.Rate},
	} {
		path := filepath.Join(dir, p.file)
		tmp := path + ".tmp.png" // the plot's format follows the extension
		drawn, err := p.draw(perf, tmp)
		switch {
		case err != nil:
			os.Remove(tmp)
			errs = append(errs, fmt.Errorf("%s: %w", p.file, err))
		case drawn:
			if err := os.Rename(tmp, path); err != nil {
				errs = append(errs, err)
			}
		default:
			os.Remove(path)
		}
	}
	return errors.Join(errs...)
}

// perfData is the history as the perf plots take it: the client
// operations that completed, and the nemesis's entries.
func perfData(title string, history []Op) plots.Perf {
	perf := plots.Perf{Title: title}
	open := map[string]Op{}
	for _, op := range history {
		if op.Nemesis() {
			perf.Nemesis = append(perf.Nemesis, plots.NemesisOp{F: op.F, Time: op.Time})
			continue
		}
		if op.Type == "invoke" {
			open[op.Process] = op
			continue
		}
		if inv, ok := open[op.Process]; ok {
			delete(open, op.Process)
			perf.Ops = append(perf.Ops, plots.Op{F: inv.F, Type: op.Type, Invoke: inv.Time, Complete: op.Time})
		}
	}
	return perf
}

// writeFileAtomic writes a file through a temporary one, so that a reader
// (glomers serve) never sees half of it.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
