package history

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// sample is a small history with every field history.edn writes: client
// ops (a timeout, an error reply, a final read, the workbench's trace
// fields) and a nemesis's partition and heal.
func sample() History {
	return History{
		{Type: Invoke, Process: 0, F: "read", Final: true, Node: "n1", Client: "c3", MsgID: 7},
		{Type: Info, Process: NemesisProcess, F: "start-partition", Value: "majority"},
		{Type: Info, Process: NemesisProcess, F: "start-partition",
			Value: []any{"isolated", map[string][]string{"n1": {"n3", "n2"}, "n2": {"n1"}, "n3": {"n1"}}}},
		{Type: OK, Process: 0, F: "read", Value: []any{json.Number("1"), json.Number("2")}, Final: true, Node: "n1", Client: "c3", MsgID: 7},
		{Type: Invoke, Process: 1, F: "broadcast", Value: int64(3)},
		{Type: Info, Process: 1, F: "broadcast", Value: int64(3), Error: "net-timeout"},
		{Type: Invoke, Process: 2, F: "broadcast", Value: int64(4)},
		{Type: Fail, Process: 2, F: "broadcast", Value: int64(4), Error: []any{"not-supported", "no \"broadcast\" here"}},
		{Type: Info, Process: NemesisProcess, F: "stop-partition", Value: "network-healed"},
	}.stamp()
}

// stamp gives each entry its index and a time of index ms.
func (h History) stamp() History {
	for i := range h {
		h[i].Index, h[i].Time = i, time.Duration(i)*time.Millisecond
	}
	return h
}

// history.edn is jepsen.store's prn of each op; history.txt jepsen.util's
// prn-op; both with Maelstrom's keywords.
func TestWriteEDNAndText(t *testing.T) {
	var ednOut, txt bytes.Buffer
	if err := WriteEDN(&ednOut, sample(), nil); err != nil {
		t.Fatal(err)
	}
	if err := WriteText(&txt, sample(), nil); err != nil {
		t.Fatal(err)
	}
	wantEDN := `{:index 0, :time 0, :type :invoke, :process 0, :f :read, :value nil, :final? true, :node "n1", :client "c3", :msg-id 7}
{:index 1, :time 1000000, :type :info, :process :nemesis, :f :start-partition, :value :majority}
{:index 2, :time 2000000, :type :info, :process :nemesis, :f :start-partition, :value [:isolated {"n1" #{"n3" "n2"}, "n2" #{"n1"}, "n3" #{"n1"}}]}
{:index 3, :time 3000000, :type :ok, :process 0, :f :read, :value [1 2], :final? true, :node "n1", :client "c3", :msg-id 7}
{:index 4, :time 4000000, :type :invoke, :process 1, :f :broadcast, :value 3}
{:index 5, :time 5000000, :type :info, :process 1, :f :broadcast, :value 3, :error :net-timeout}
{:index 6, :time 6000000, :type :invoke, :process 2, :f :broadcast, :value 4}
{:index 7, :time 7000000, :type :fail, :process 2, :f :broadcast, :value 4, :error [:not-supported "no \"broadcast\" here"]}
{:index 8, :time 8000000, :type :info, :process :nemesis, :f :stop-partition, :value :network-healed}
`
	wantText := "0\t:invoke\t:read\tnil\n" +
		":nemesis\t:info\t:start-partition\t:majority\n" +
		":nemesis\t:info\t:start-partition\t[:isolated {\"n1\" #{\"n3\" \"n2\"}, \"n2\" #{\"n1\"}, \"n3\" #{\"n1\"}}]\n" +
		"0\t:ok\t:read\t[1 2]\n" +
		"1\t:invoke\t:broadcast\t3\n" +
		"1\t:info\t:broadcast\t3\t:net-timeout\n" +
		"2\t:invoke\t:broadcast\t4\n" +
		"2\t:fail\t:broadcast\t4\t[:not-supported no \"broadcast\" here]\n" +
		":nemesis\t:info\t:stop-partition\t:network-healed\n"
	if ednOut.String() != wantEDN {
		t.Errorf("history.edn:\n%s\nwant\n%s", ednOut.String(), wantEDN)
	}
	if txt.String() != wantText {
		t.Errorf("history.txt:\n%s\nwant\n%s", txt.String(), wantText)
	}
}

// Both stored forms read back as the history written, numbers as the
// json.Number a client records.
func TestReadBothForms(t *testing.T) {
	want := sample()
	for i, op := range want {
		if n, ok := op.Value.(int64); ok {
			want[i].Value = json.Number(strconv.FormatInt(n, 10))
		}
	}
	want[2].Value = []any{"isolated", map[string]any{"n1": []any{"n3", "n2"}, "n2": []any{"n1"}, "n3": []any{"n1"}}}
	var jsonl, ednOut bytes.Buffer
	if err := WriteJSONL(&jsonl, sample()); err != nil {
		t.Fatal(err)
	}
	if err := WriteEDN(&ednOut, sample(), nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		data   []byte
		format Format
	}{{jsonl.Bytes(), JSONL}, {ednOut.Bytes(), EDN}} {
		got, format, err := Parse(tc.data, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.format, err)
		}
		if format != tc.format {
			t.Errorf("read %s as %s", tc.format, format)
		}
		if tc.format == EDN {
			// A set reads as a sorted list.
			want[2].Value = []any{"isolated", map[string]any{"n1": []any{"n2", "n3"}, "n2": []any{"n1"}, "n3": []any{"n1"}}}
		}
		if !reflect.DeepEqual(got, want) {
			for i := range got {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("%s entry %d: %#v\nwant %#v", tc.format, i, got[i], want[i])
				}
			}
		}
	}
}

// Jepsen's ops need only :type and :process: :index defaults to the
// position, :time to -1 (jepsen.history's), and a vector of ops reads as
// one op per line does.
func TestReadEDNDefaults(t *testing.T) {
	got, err := ReadEDN([]byte("[{:type :invoke, :process 0, :f :read}\n {:type :ok, :process 0, :f :read, :value [1]}]"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := History{
		{Index: 0, Time: -1, Type: Invoke, Process: 0, F: "read"},
		{Index: 1, Time: -1, Type: OK, Process: 0, F: "read", Value: []any{json.Number("1")}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%#v\nwant %#v", got, want)
	}
}

// A value the workload's reader refuses is an error on its line.
func TestReadEDNValueErrors(t *testing.T) {
	refuse := func(op Op) (any, error) {
		if op.Type == OK {
			return nil, errString("not a list")
		}
		return op.Value, nil
	}
	_, err := ReadEDN([]byte("{:type :invoke, :process 0, :f :read}\n{:type :ok, :process 0, :f :read, :value 5}\n"), refuse)
	if pe, ok := err.(*ParseError); !ok || pe.Line != 2 || pe.Reason != ":value 5: not a list" {
		t.Errorf("error %#v", err)
	}
}

type errString string

func (e errString) Error() string { return string(e) }
