package broadcast

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

func names(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("n%d", i)
	}
	return out
}

func TestTopology(t *testing.T) {
	tests := []struct {
		name string
		topo string
		n    int
		want map[string][]string
	}{
		{"grid 5 (spec example)", "grid", 5, map[string][]string{
			"n0": {"n3", "n1"}, "n1": {"n4", "n2", "n0"}, "n2": {"n1"}, "n3": {"n0", "n4"}, "n4": {"n1", "n3"}}},
		{"default is grid", "", 5, map[string][]string{
			"n0": {"n3", "n1"}, "n1": {"n4", "n2", "n0"}, "n2": {"n1"}, "n3": {"n0", "n4"}, "n4": {"n1", "n3"}}},
		{"grid 1", "grid", 1, map[string][]string{"n0": {}}},
		{"grid 4 (2x2)", "grid", 4, map[string][]string{
			"n0": {"n2", "n1"}, "n1": {"n3", "n0"}, "n2": {"n0", "n3"}, "n3": {"n1", "n2"}}},
		{"line 1 is empty", "line", 1, map[string][]string{}},
		{"line 2", "line", 2, map[string][]string{"n0": {"n1"}, "n1": {"n0"}}},
		{"line 4", "line", 4, map[string][]string{
			"n0": {"n1"}, "n1": {"n0", "n2"}, "n2": {"n1", "n3"}, "n3": {"n2"}}},
		{"total 3", "total", 3, map[string][]string{
			"n0": {"n1", "n2"}, "n1": {"n0", "n2"}, "n2": {"n0", "n1"}}},
		{"total 1", "total", 1, map[string][]string{"n0": {}}},
		{"tree2 5 (spec example)", "tree2", 5, map[string][]string{
			"n0": {"n1", "n2"}, "n1": {"n0", "n3", "n4"}, "n2": {"n0"}, "n3": {"n1"}, "n4": {"n1"}}},
		{"tree is tree2", "tree", 5, map[string][]string{
			"n0": {"n1", "n2"}, "n1": {"n0", "n3", "n4"}, "n2": {"n0"}, "n3": {"n1"}, "n4": {"n1"}}},
		{"tree1 node", "tree3", 1, map[string][]string{"n0": {}}},
		{"tree3 6", "tree3", 6, map[string][]string{
			"n0": {"n1", "n2", "n3"}, "n1": {"n0", "n4", "n5"}, "n2": {"n0"}, "n3": {"n0"}, "n4": {"n1"}, "n5": {"n1"}}},
		{"tree4 7", "tree4", 7, map[string][]string{
			"n0": {"n1", "n2", "n3", "n4"}, "n1": {"n0", "n5", "n6"}, "n2": {"n0"}, "n3": {"n0"}, "n4": {"n0"},
			"n5": {"n1"}, "n6": {"n1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Topology(tt.topo, names(tt.n))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestGrid25 checks corners and the middle of the 5x5 grid of challenges 3d/3e.
func TestGrid25(t *testing.T) {
	got, err := Topology("grid", names(25))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 25 {
		t.Fatalf("%d nodes in topology", len(got))
	}
	for node, want := range map[string][]string{
		"n0":  {"n5", "n1"},
		"n4":  {"n9", "n3"},
		"n12": {"n17", "n7", "n13", "n11"},
		"n20": {"n15", "n21"},
		"n24": {"n19", "n23"},
	} {
		if !reflect.DeepEqual(got[node], want) {
			t.Errorf("%s: got %v, want %v", node, got[node], want)
		}
	}
}

// TestTreeTiers checks a deeper tree: tier 3 of tree2 is chunked onto tier 2.
func TestTreeTiers(t *testing.T) {
	got, err := Topology("tree2", names(10))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"n0": {"n1", "n2"},
		"n1": {"n0", "n3", "n4"}, "n2": {"n0", "n5", "n6"},
		"n3": {"n1", "n7", "n8"}, "n4": {"n1", "n9"}, "n5": {"n2"}, "n6": {"n2"},
		"n7": {"n3"}, "n8": {"n3"}, "n9": {"n4"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestTopologyUnknown(t *testing.T) {
	if _, err := Topology("ring", names(3)); err == nil {
		t.Fatal("unknown topology accepted")
	}
}

// TestTopologyEncodesEmptyLists: a node with no neighbours gets [], not null
// (Maelstrom's schema is {NodeId [NodeId]}).
func TestTopologyEncodesEmptyLists(t *testing.T) {
	got, _ := Topology("grid", names(1))
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"n0":[]}` {
		t.Errorf("encoded %s", b)
	}
}
