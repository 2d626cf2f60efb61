package network

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"gossip-glomers/internal/wire"
)

// A journal read back counts what the live journal counted.
func TestReadStatsMatchesTheLiveCounts(t *testing.T) {
	var out bytes.Buffer
	j := NewJournal(time.Now(), &out)
	n := New(Latency{}, rand.New(rand.NewPCG(1, 1)), j)
	sinks := map[string]*sink{}
	for _, name := range []string{"n0", "n1", "c0", "lin-kv"} {
		sinks[name] = newSink()
		n.Register(name, sinks[name].deliver)
	}
	pairs := [][2]string{{"n0", "n1"}, {"c0", "n0"}, {"n1", "lin-kv"}, {"n1", "c0"}, {"n0", "n1"}}
	for _, p := range pairs {
		n.Send(msg(p[0], p[1]))
	}
	sinks["n1"].wait(t, 2)
	sinks["n0"].wait(t, 1)
	sinks["lin-kv"].wait(t, 1)
	sinks["c0"].wait(t, 1)
	n.Close()
	if err := j.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := ReadStats(&out)
	if err != nil {
		t.Fatal(err)
	}
	if want := j.Stats(); got != want {
		t.Errorf("read back %+v, live %+v", got, want)
	}
}

func TestReadStats(t *testing.T) {
	event := func(typ string, id int64, src, dest string) string {
		return `{"type":"` + typ + `","time":1,"message":` +
			string(wire.AppendMessage(nil, wire.Message{ID: id, Src: src, Dest: dest, Body: []byte(`{}`)})) + "}\n"
	}
	for _, tc := range []struct {
		name    string
		journal string
		want    Stats
		err     string
	}{
		{"empty", "", Stats{}, ""},
		{"a send and its delivery are one message",
			event("send", 0, "n0", "n1") + event("recv", 0, "n0", "n1"),
			Stats{All: GroupStats{1, 1, 1}, Servers: GroupStats{1, 1, 1}}, ""},
		{"a delivery whose send was cut off still counts its id",
			event("recv", 7, "c1", "n0") + "\n  \n" + event("send", 8, "n0", "c1"),
			Stats{All: GroupStats{1, 1, 2}, Clients: GroupStats{1, 1, 2}}, ""},
		{"ids off the dense range",
			event("send", -3, "n0", "n1") + event("send", 1<<40, "n0", "n1") + event("recv", 1<<40, "n0", "n1"),
			Stats{All: GroupStats{2, 1, 2}, Servers: GroupStats{2, 1, 2}}, ""},
		{"not an event", event("send", 0, "n0", "n1") + `{"type":"drop"}` + "\n", Stats{}, "line 2: not a journal event"},
		{"not JSON", "\n\nsend n0 n1\n", Stats{}, "line 3: not a journal event"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadStats(strings.NewReader(tc.journal))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}
