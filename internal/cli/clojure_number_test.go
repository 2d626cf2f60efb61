package cli

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseClojureNumber(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		bad  bool
	}{
		{in: "10", want: 10},
		{in: "0", want: 0},
		{in: "-3", want: -3},
		{in: "+3", want: 3},
		{in: "10N", want: 10},
		{in: "0x1F", want: 31},
		{in: "017", want: 15}, // octal, as the reader reads it
		{in: "2r101", want: 5},
		{in: "36rZ", want: 35},
		{in: "9/10", want: 0.9},
		{in: "1/2", want: 0.5},
		{in: "-1/4", want: -0.25},
		{in: "0.9", want: 0.9},
		{in: "5.", want: 5},
		{in: "1e-1", want: 0.1},
		{in: "0.9M", want: 0.9},
		{in: "09", bad: true},
		{in: ".5", bad: true},
		{in: "1/0", bad: true},
		{in: "37r1", bad: true},
		{in: "2r2", bad: true},
		{in: "abc", bad: true},
		{in: "", bad: true},
		{in: "1,5", bad: true},
	} {
		got, err := parseClojureNumber(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("%q: got %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: got %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseAvailability(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{in: "", want: ""},
		{in: "total", want: "total"},
		{in: ":total", want: "total"},
		{in: "9/10", want: "0.9"},
		{in: "1/2", want: "0.5"},
		{in: "0.99", want: "0.99"},
		{in: "1", want: "1"},
		{in: "0", want: "0"},
		{in: "2", err: "between 0 and 1"},
		{in: "3/2", err: "between 0 and 1"},
		{in: "most", err: "between 0 and 1"},
	} {
		got, err := parseAvailability(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: got %q, %v; want an error with %q", tc.in, got, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%q: got %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestParseNemesisInterval(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "10", want: 10 * time.Second},
		{in: "1/2", want: 500 * time.Millisecond},
		{in: "0.25", want: 250 * time.Millisecond},
		{in: "0", bad: true},
		{in: "-1", bad: true},
		{in: "1e300", bad: true},
		{in: "soon", bad: true},
	} {
		got, err := parseNemesisInterval(tc.in)
		if tc.bad != (err != nil) || (!tc.bad && got != tc.want) {
			t.Errorf("%q: got %v, %v; want %v (error: %v)", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

// TestParseConsistencyModels: Maelstrom splits only at " , "; "a,b" is one
// model there (an unknown one, so Elle's verdict is unknown), which we reject
// with the spelling Maelstrom understands.
func TestParseConsistencyModels(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  string
	}{
		{in: "strict-serializable", want: []string{"strict-serializable"}},
		{in: "read-committed , serializable", want: []string{"read-committed", "serializable"}},
		{in: "read-committed   ,  serializable", want: []string{"read-committed", "serializable"}},
		{in: "read-committed,serializable", err: `write it as "read-committed , serializable"`},
		{in: "read-committed ,serializable", err: `"read-committed ,serializable" would be one unknown model`},
		{in: " read-committed", err: "one unknown model"},
		{in: "", err: "one unknown model"},
	} {
		got, err := parseConsistencyModels(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: got %q, %v; want an error with %q", tc.in, got, err, tc.err)
		case tc.err == "" && (err != nil || !slices.Equal(got, tc.want)):
			t.Errorf("%q: got %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
