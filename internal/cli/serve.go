package cli

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"gossip-glomers/internal/serve"
	"gossip-glomers/internal/view"
)

// newServeCmd is `glomers serve`, Maelstrom's `maelstrom serve`: a web
// server over the store.
func newServeCmd() *cobra.Command {
	var cfg serve.Config
	cmd := &cobra.Command{
		Use:   "serve [--store DIR] [--host H] [--port P]",
		Short: "Browse the store's runs in a web browser: verdicts, figures, Lamport diagrams, timelines, plots",
		Long: `Starts a web server (localhost only, unless --host says otherwise) that lists every run
under the store, newest first, and serves each run's index.html and files. The store is read on
every request, so new runs appear on reload. A run's messages.svg and timeline.html take a time
window: messages.svg?from=10&to=15 (seconds since the start of the run).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.Port < 0 || cfg.Port > 65535 {
				return usagef("--port %d is not a TCP port", cfg.Port)
			}
			if err := serve.ListenAndServe(cmd.Context(), cfg, cmd.OutOrStdout()); err != nil {
				return exitError{ExitAborted, err}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Store, "store", "store", "the store folder to browse")
	f.StringVar(&cfg.Host, "host", "localhost", "address to listen on (0.0.0.0 for every interface)")
	f.IntVar(&cfg.Port, "port", 8080, "port to listen on (0: any free one)")
	return cmd
}

// newViewCmd is `glomers view DIR`: draw a run's views again, optionally
// for a time window.
func newViewCmd() *cobra.Command {
	var from, to float64
	cmd := &cobra.Command{
		Use:   "view RUN-DIR [--viz-from S] [--viz-to S]",
		Short: "Draw a run's views again (messages.svg, timeline.html, plots, index.html), optionally for a time window",
		Long: `Writes messages.svg (the Lamport diagram), timeline.html, latency-raw.png,
latency-quantiles.png, rate.png and index.html into a run's folder (e.g. store/latest) from its
results.json, history.jsonl and messages.jsonl, which it does not change. --viz-from and --viz-to
(seconds since the start of the run) limit the diagram and the timeline to a window, e.g. the
last partition; the diagram still stops after 10,000 events, as Maelstrom's does.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
				return usagef("%s is not a run folder", dir)
			}
			opts, err := windowOptions(from, to)
			if err != nil {
				return err
			}
			if err := view.Render(dir, opts); err != nil {
				return exitError{ExitAborted, err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", filepath.Join(dir, view.IndexFile))
			return nil
		},
	}
	f := cmd.Flags()
	f.Float64Var(&from, "viz-from", 0, "draw from this many seconds into the run")
	f.Float64Var(&to, "viz-to", 0, "draw until this many seconds into the run (0: the end)")
	return cmd
}

// windowOptions turns --viz-from/--viz-to seconds into view options.
func windowOptions(from, to float64) (view.Options, error) {
	for _, v := range []float64{from, to} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return view.Options{}, usagef("--viz-from and --viz-to take a number of seconds")
		}
	}
	opts := view.Options{From: time.Duration(from * float64(time.Second)), To: time.Duration(to * float64(time.Second))}
	if err := opts.Validate(); err != nil {
		return view.Options{}, usagef("%v", err)
	}
	return opts, nil
}
