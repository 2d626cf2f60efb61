package process

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// Stdout is split into lines as Java's BufferedReader.readLine splits it in
// Maelstrom: "\n", "\r\n" and a lone "\r" each end a line.
func TestPumpStdoutSplitsLinesAsJava(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []string
	}{
		{"newlines", "a\nb\n", []string{"a", "b"}},
		{"no final newline", "a\nb", []string{"a", "b"}},
		{"CRLF", "a\r\nb\r\n", []string{"a", "b"}},
		{"lone CR", "a\rb\n", []string{"a", "b"}},
		{"CR CR LF is a line and an empty one", "a\r\r\n", []string{"a", ""}},
		{"final CR", "a\r", []string{"a"}},
		{"empty lines", "\n\r\n", []string{"", ""}},
		{"nothing", "", nil},
	} {
		var got []string
		p := &Node{}
		p.pumps.Add(1)
		p.pumpStdout(strings.NewReader(tc.in), func(line []byte) { got = append(got, string(line)) })
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %q gave lines %q, want %q", tc.name, tc.in, got, tc.want)
		}
		if tail := p.stdoutTail.strings(); len(tc.want) > 0 && !reflect.DeepEqual(tail, tc.want) {
			t.Errorf("%s: crash-report tail %q, want %q", tc.name, tail, tc.want)
		}
	}
}

// The crash report's tail is the last tailLines lines, oldest first, however
// many came before.
func TestTailKeepsTheLastLines(t *testing.T) {
	for _, n := range []int{0, 1, tailLines - 1, tailLines, tailLines + 1, 3*tailLines + 5} {
		var in strings.Builder
		var want []string
		for i := range n {
			fmt.Fprintf(&in, "line %d\n", i)
			if i >= n-tailLines {
				want = append(want, fmt.Sprintf("line %d", i))
			}
		}
		p := &Node{}
		p.pumps.Add(1)
		p.pumpStdout(strings.NewReader(in.String()), func([]byte) {})
		if got := p.stdoutTail.strings(); !reflect.DeepEqual(got, want) {
			t.Errorf("%d lines: tail %q, want %q", n, got, want)
		}
	}
}
