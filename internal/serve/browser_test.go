package serve

import (
	"context"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium starts Debian's headless Chromium for a test, or skips the test
// when it is not installed.
func chromium(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed; the browser tests need Debian's package: apt-get install -y chromium")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		// As root, in a container, on a machine with no network but
		// loopback: no sandbox, no GPU, nothing fetched in the background.
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
	)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelBrowser := chromedp.NewContext(ctx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// evaluate runs JavaScript in the page and decodes its value (JSON) into T.
func evaluate[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

func navigate(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("opening %s: %v", url, err)
	}
}

// In a real browser: the home page lists the runs with their verdicts, a
// run's page shows its verdict, links and plots, the Lamport diagram
// renders as SVG (whole, and for a time window), and the timeline shows
// its operations.
func TestInBrowser(t *testing.T) {
	ctx := chromium(t)
	srv := httptest.NewServer(newServer(t, sharedStore(t)))
	defer srv.Close()
	run := srv.URL + "/files/broadcast/20260102T030405.678Z/"

	navigate(t, ctx, srv.URL+"/")
	home := evaluate[struct {
		Rows      int      `json:"rows"`
		Verdicts  []string `json:"verdicts"`
		Colour    string   `json:"colour"`
		FirstLink string   `json:"firstLink"`
	}](t, ctx, `({
		rows: document.querySelectorAll("#runs tr.run").length,
		verdicts: Array.from(document.querySelectorAll("#runs td.verdict")).map(td => td.textContent),
		colour: getComputedStyle(document.querySelector("#runs td.verdict")).backgroundColor,
		firstLink: document.querySelector("#runs tr.run a").href,
	})`)
	if home.Rows != 3 || strings.Join(home.Verdicts, ",") != "valid,incomplete,invalid" {
		t.Errorf("home page: %d rows, verdicts %v", home.Rows, home.Verdicts)
	}
	if home.Colour != "rgb(109, 182, 254)" { // Jepsen's #6DB6FE
		t.Errorf("valid is coloured %s", home.Colour)
	}
	if home.FirstLink != run {
		t.Fatalf("the newest run links to %s, want %s", home.FirstLink, run)
	}

	navigate(t, ctx, home.FirstLink)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`Array.from(document.images).every(i => i.complete)`,
		chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("waiting for the plots: %v", err)
	}
	page := evaluate[struct {
		Verdict string   `json:"verdict"`
		Links   []string `json:"links"`
		Images  []string `json:"images"`
	}](t, ctx, `({
		verdict: document.querySelector("#verdict").textContent,
		links: Array.from(document.querySelectorAll("#views a, #files a")).map(a => a.getAttribute("href")),
		images: Array.from(document.images).map(i => i.naturalWidth + "x" + i.naturalHeight),
	})`)
	if page.Verdict != "valid" {
		t.Errorf("run page verdict %q", page.Verdict)
	}
	for _, want := range []string{"messages.svg", "timeline.html", "results.json", "history.jsonl", "messages.jsonl"} {
		if !strings.Contains(strings.Join(page.Links, " "), want) {
			t.Errorf("run page links %v, not %s", page.Links, want)
		}
	}
	if strings.Join(page.Images, " ") != "900x400 900x400 900x400" {
		t.Errorf("run page plots: %v, want three loaded 900x400 images", page.Images)
	}

	for _, tc := range []struct {
		query string
		want  int
	}{{"", 8}, {"?from=0.02&to=0.035", 3}} {
		navigate(t, ctx, run+"messages.svg"+tc.query)
		svg := evaluate[struct {
			Root     string  `json:"root"`
			Messages int     `json:"messages"`
			Width    float64 `json:"width"`
		}](t, ctx, `({
			root: document.documentElement.tagName,
			messages: document.querySelectorAll("g.msg").length,
			width: document.querySelector("g.msg").getBoundingClientRect().width,
		})`)
		if svg.Root != "svg" || svg.Messages != tc.want || svg.Width <= 0 {
			t.Errorf("messages.svg%s: root %q, %d messages (want %d), first %v pixels wide", tc.query, svg.Root, svg.Messages, tc.want, svg.Width)
		}
	}

	navigate(t, ctx, run+"timeline.html")
	timeline := evaluate[struct {
		Heights []float64 `json:"heights"`
		Text    string    `json:"text"`
		Title   string    `json:"title"`
	}](t, ctx, `({
		heights: Array.from(document.querySelectorAll(".op")).map(o => o.getBoundingClientRect().height),
		text: document.querySelector(".op.ok").textContent,
		title: document.querySelector(".op.ok").title,
	})`)
	if len(timeline.Heights) != 6 {
		t.Fatalf("timeline: %d operations, want 6", len(timeline.Heights))
	}
	if timeline.Heights[0] != 16 { // from its invocation's row to its completion's, the next one
		t.Errorf("first operation is %v pixels tall, want 16", timeline.Heights[0])
	}
	if timeline.Text != "0 broadcast 1" || !strings.Contains(timeline.Title, "Dur: 2 ms") {
		t.Errorf("first operation reads %q, hover %q", timeline.Text, timeline.Title)
	}
}
