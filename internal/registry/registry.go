// Package registry lists the workloads glomers knows, by Maelstrom's names.
package registry

import (
	"sort"

	"gossip-glomers/internal/workload"
	"gossip-glomers/internal/workload/broadcast"
	"gossip-glomers/internal/workload/echo"
	"gossip-glomers/internal/workload/gcounter"
	"gossip-glomers/internal/workload/gset"
	"gossip-glomers/internal/workload/kafka"
	"gossip-glomers/internal/workload/linkv"
	"gossip-glomers/internal/workload/pncounter"
	"gossip-glomers/internal/workload/txnlistappend"
	"gossip-glomers/internal/workload/txnrw"
	"gossip-glomers/internal/workload/uniqueids"
)

// Maelstrom's workload names, including those glomers does not implement, so
// that an unimplemented one gets a plain "not implemented yet" message.
var maelstromWorkloads = []string{
	"broadcast", "echo", "g-counter", "g-set", "kafka", "lin-kv",
	"pn-counter", "txn-list-append", "txn-rw-register", "unique-ids",
}

var workloads = map[string]func() *workload.Workload{
	"broadcast":       broadcast.New,
	"echo":            echo.New,
	"g-counter":       gcounter.New,
	"g-set":           gset.New,
	"kafka":           kafka.New,
	"lin-kv":          linkv.New,
	"pn-counter":      pncounter.New,
	"txn-list-append": txnlistappend.New,
	"txn-rw-register": txnrw.New,
	"unique-ids":      uniqueids.New,
}

// Lookup returns the named workload.
func Lookup(name string) (*workload.Workload, bool) {
	f, ok := workloads[name]
	if !ok {
		return nil, false
	}
	return f(), true
}

// Known reports whether Maelstrom has a workload by this name.
func Known(name string) bool {
	for _, w := range maelstromWorkloads {
		if w == name {
			return true
		}
	}
	return false
}

// Names lists the implemented workloads.
func Names() []string {
	var names []string
	for n := range workloads {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
