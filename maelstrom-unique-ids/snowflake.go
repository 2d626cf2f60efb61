package main

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Snowflake id layout: 41 bits of milliseconds since epoch, 10 bits of node
// index, 12 bits of sequence within the millisecond. Ids from different
// nodes differ in the node bits; ids from one node differ in time or
// sequence, because the generator never reuses a (millisecond, sequence)
// pair: when the sequence runs out, or the clock steps back, it waits.
const (
	nodeBits     = 10
	sequenceBits = 12
	timeBits     = 41

	maxNodes    = 1 << nodeBits
	maxSequence = 1<<sequenceBits - 1
	maxMillis   = 1<<timeBits - 1
)

// Epoch is the start of the generator's clock: 2024-01-01 UTC, which leaves
// 41 bits of milliseconds (about 69 years) ahead.
var Epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Snowflake generates unique 63-bit ids for one node. It is safe for
// concurrent use and needs no other node, so it stays available under
// partitions.
type Snowflake struct {
	node  uint64
	now   func() time.Time
	sleep func(time.Duration)

	mu       sync.Mutex
	lastMS   int64 // millisecond of the last id
	sequence uint64
}

// NewSnowflake returns a generator for the node with the given index in
// node_ids.
func NewSnowflake(nodeIndex int) (*Snowflake, error) {
	if nodeIndex < 0 || nodeIndex >= maxNodes {
		return nil, fmt.Errorf("node index %d does not fit in %d bits", nodeIndex, nodeBits)
	}
	return &Snowflake{node: uint64(nodeIndex), now: time.Now, sleep: time.Sleep, lastMS: -1}, nil
}

// ErrClockOverflow means the clock is beyond what 41 bits of milliseconds hold.
var ErrClockOverflow = errors.New("snowflake: clock is past the end of the id space")

// Next returns a fresh id.
func (s *Snowflake) Next() (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := s.millis()
	for ms < s.lastMS {
		// The wall clock stepped back: wait until it passes the last
		// millisecond we used rather than risk reusing an id.
		s.sleep(time.Duration(s.lastMS-ms) * time.Millisecond)
		ms = s.millis()
	}
	if ms == s.lastMS {
		if s.sequence == maxSequence {
			// 4096 ids in this millisecond already: wait for the next one.
			for ms <= s.lastMS {
				s.sleep(100 * time.Microsecond)
				ms = s.millis()
			}
			s.sequence = 0
		} else {
			s.sequence++
		}
	} else {
		s.sequence = 0
	}
	if ms > maxMillis {
		return 0, ErrClockOverflow
	}
	s.lastMS = ms
	return uint64(ms)<<(nodeBits+sequenceBits) | s.node<<sequenceBits | s.sequence, nil
}

// NextString returns a fresh id in decimal. Ids are sent as strings so that
// no JSON reader can round them through a float.
func (s *Snowflake) NextString() (string, error) {
	id, err := s.Next()
	if err != nil {
		return "", err
	}
	return strconv.FormatUint(id, 10), nil
}

func (s *Snowflake) millis() int64 { return s.now().Sub(Epoch).Milliseconds() }

// Decode splits an id into its parts (for tests and debugging).
func Decode(id uint64) (ms int64, nodeIndex int, sequence int) {
	return int64(id >> (nodeBits + sequenceBits)), int(id >> sequenceBits & (maxNodes - 1)), int(id & maxSequence)
}
