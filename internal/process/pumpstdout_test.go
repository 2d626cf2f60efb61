package process

import (
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
		if len(tc.want) > 0 && !reflect.DeepEqual(p.stdoutTail, tc.want) {
			t.Errorf("%s: crash-report tail %q, want %q", tc.name, p.stdoutTail, tc.want)
		}
	}
}
