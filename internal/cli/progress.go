package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// progressBoard shows, while challenges run concurrently, which are running
// and for how long. On a terminal it redraws a block of lines in place
// twice a second, with a line above it for each challenge that finishes;
// elsewhere (a file, a pipe, CI) it prints one line when a challenge starts
// and one when it finishes.
type progressBoard struct {
	out   io.Writer
	tty   bool
	start time.Time

	mu      sync.Mutex
	order   []*challengeRun // as scheduled
	started map[*challengeRun]time.Time
	logs    map[*challengeRun]string
	done    map[*challengeRun]bool
	drawn   int // lines of the block on screen

	quit chan struct{}
	wg   sync.WaitGroup
}

func newProgressBoard(out io.Writer, order []*challengeRun) *progressBoard {
	b := &progressBoard{
		out: out, start: time.Now(), order: order, quit: make(chan struct{}),
		started: map[*challengeRun]time.Time{}, logs: map[*challengeRun]string{}, done: map[*challengeRun]bool{},
	}
	if f, ok := out.(interface{ Fd() uintptr }); ok && term.IsTerminal(int(f.Fd())) {
		b.tty = true
		b.wg.Add(1)
		go b.redrawLoop()
	}
	return b
}

func (b *progressBoard) redrawLoop() {
	defer b.wg.Done()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			b.mu.Lock()
			b.redrawLocked()
			b.mu.Unlock()
		case <-b.quit:
			return
		}
	}
}

// startedRun records that r began, writing its output to log.
func (b *progressBoard) startedRun(r *challengeRun, log string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.started[r], b.logs[r] = time.Now(), log
	if b.tty {
		b.redrawLocked()
		return
	}
	kind := ""
	if r.heavy {
		kind = ", CPU-heavy"
	}
	fmt.Fprintf(b.out, "[%6s] started  %-10s %s (about %s%s), log %s\n",
		b.clock(), r.row.Challenge.ID, r.row.Challenge.Workload, r.expected.Round(time.Second), kind, log)
}

// finished records that r is over, with its outcome.
func (b *progressBoard) finished(r *challengeRun) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done[r] = true
	b.clearLocked()
	fmt.Fprintf(b.out, "[%6s] finished %-10s %s in %s: %s\n",
		b.clock(), r.row.Challenge.ID, r.row.Challenge.Workload, r.elapsed.Round(100*time.Millisecond), outcome(r.row))
	if b.tty {
		b.redrawLocked()
	}
}

// stop ends the redrawing and leaves the screen without the block.
func (b *progressBoard) stop() {
	close(b.quit)
	b.wg.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.clearLocked()
}

func (b *progressBoard) clock() string {
	return fmt.Sprintf("%.0fs", time.Since(b.start).Seconds())
}

// clearLocked erases the block from a terminal.
func (b *progressBoard) clearLocked() {
	if b.tty && b.drawn > 0 {
		fmt.Fprintf(b.out, "\033[%dF\033[J", b.drawn)
		b.drawn = 0
	}
}

// redrawLocked draws the block: a header, then each running challenge.
func (b *progressBoard) redrawLocked() {
	b.clearLocked()
	running, finished := 0, 0
	var lines []string
	for _, r := range b.order {
		at, ok := b.started[r]
		switch {
		case b.done[r]:
			finished++
		case ok:
			running++
			lines = append(lines, fmt.Sprintf("  %-10s %-16s %4.0fs / ~%.0fs", r.row.Challenge.ID, r.row.Challenge.Workload,
				time.Since(at).Seconds(), r.expected.Seconds()))
		}
	}
	waiting := len(b.order) - running - finished
	header := fmt.Sprintf("challenges: %d running, %d finished, %d waiting, %s elapsed", running, finished, waiting, b.clock())
	text := header + "\n" + strings.Join(lines, "\n")
	if len(lines) > 0 {
		text += "\n"
	}
	fmt.Fprint(b.out, text)
	b.drawn = 1 + len(lines)
}

// outcome is a finished challenge in a few words.
func outcome(row Row) string {
	switch {
	case row.Err != nil:
		return "aborted: " + oneLine(row.Err.Error())
	case row.Results == nil:
		return "no results"
	}
	s := verdictCell(row.Results)
	if s == "yes" {
		s = "valid"
	}
	if row.Challenge.Targets.Any() {
		ok, detail := TargetsMet(row.Challenge, row.Results)
		s += fmt.Sprintf(", targets met: %v (%s)", ok, detail)
	}
	return s
}
