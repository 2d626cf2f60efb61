package main

import (
	"context"
	"encoding/json"
	"time"
)

// Replication to peers, leases and failure detection (see log.go).

func (b *Broker) timeout() time.Duration {
	t := 10*b.rtt + b.cfg.MinTimeout/2
	return min(max(t, b.cfg.MinTimeout), b.cfg.MaxTimeout)
}

func (b *Broker) observeRTT(d time.Duration) {
	if b.rtt == 0 {
		b.rtt = d
		return
	}
	b.rtt = (7*b.rtt + d) / 8
}

func (b *Broker) isDown(peer string) bool {
	l := b.links[peer]
	return l != nil && l.down
}

// gotReply notes a successful round trip to peer, begun at start.
func (b *Broker) gotReply(peer string, start time.Time, lease bool) {
	l := b.links[peer]
	if l == nil {
		return
	}
	l.down = false
	b.observeRTT(time.Since(start))
	if lease {
		if until := start.Add(b.cfg.Lease); until.After(l.leaseUntil) {
			l.leaseUntil = until
		}
	}
}

// grant decides whether answering peer's request vouches for this node:
// only while this node considers the peer reachable, takes nothing over, and
// has committed (or is committing) nothing the peer lacks.
func (b *Broker) grant(peer string) bool {
	l := b.links[peer]
	if l == nil || l.down || b.frozen > 0 {
		return false
	}
	for _, ks := range b.keys {
		if ks.owner == b.self && ks.acked[peer] < max(ks.exposed, ks.kvTarget) {
			return false
		}
	}
	l.promised = time.Now().Add(b.cfg.Lease + leaseMargin)
	return true
}

// fresh reports whether every peer vouches for itself: then nothing was
// committed or taken over behind this node's back.
func (b *Broker) fresh() bool {
	now := time.Now()
	for _, l := range b.links {
		if !now.Before(l.leaseUntil) {
			return false
		}
	}
	return true
}

// promiseWait is how long until this node's promises to the peers that lack
// entries before offset to (nil: all peers) have run out.
func (b *Broker) promiseWait(ks *keyState, to int) time.Duration {
	var wait time.Duration
	for _, p := range b.peers {
		if ks != nil && ks.acked[p] >= to {
			continue
		}
		wait = max(wait, time.Until(b.links[p].promised))
	}
	return wait
}

func poke(l *link) {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// owe queues an acknowledgement of key k to the peer of l.
func (b *Broker) owe(l *link, k string) {
	if len(l.acksOwed) == 0 && len(l.commitsOwed) == 0 {
		l.owedSince = time.Now()
	}
	l.acksOwed[k] = true
	poke(l)
}

// HandleSync applies a peer's items, acknowledgements and offsets.
func (b *Broker) HandleSync(src string, req Sync) SyncReply {
	b.mu.Lock()
	defer b.mu.Unlock()
	rep := SyncReply{Type: "kafka_sync_ok", Lease: b.grant(src)}
	for _, it := range req.Items {
		ack, nack := b.apply(b.key(it.Key), it)
		if nack != nil {
			rep.Nacks = append(rep.Nacks, *nack)
		} else {
			rep.Acks = append(rep.Acks, ack)
		}
	}
	b.takeAcks(src, req.Acks)
	b.takeCommits(req.Commits)
	return rep
}

func (b *Broker) takeCommits(commits map[string]int64) {
	for k, o := range commits {
		if cur, ok := b.offsets[k]; !ok || o > cur {
			b.offsets[k] = o
		}
	}
}

// takeAcks records a peer's acknowledgements of keys this node owns.
func (b *Broker) takeAcks(peer string, acks []Ack) {
	if l := b.links[peer]; l != nil && len(acks) > 0 {
		l.progressAt = time.Now()
	}
	for _, a := range acks {
		ks := b.keys[a.Key]
		if ks == nil || ks.owner != b.self || ks.epoch != a.Epoch {
			continue
		}
		if a.Len < 0 {
			ks.sent[peer] = min(ks.acked[peer], a.Have)
			poke(b.links[peer])
			continue
		}
		if a.Len > ks.acked[peer] {
			ks.acked[peer] = min(a.Len, len(ks.log))
			ks.sent[peer] = max(ks.sent[peer], ks.acked[peer])
			b.advance(ks)
		}
	}
}

// resendGaps rewinds replication to a peer whose log ended before an item
// began (an earlier message to it was lost).
func (b *Broker) resendGaps(peer string, items []Item, acks []Ack) {
	for _, it := range items {
		for _, a := range acks {
			ks := b.keys[a.Key]
			if a.Key == it.Key && a.Epoch == it.Epoch && a.Len < it.From && ks != nil && ks.owner == b.self {
				ks.sent[peer] = min(ks.sent[peer], max(ks.acked[peer], a.Len))
				poke(b.links[peer])
			}
		}
	}
}

// takeNacks handles refusals: a newer epoch deposes this node; the same
// epoch means the peer is taking the key over, so commit through lin-kv.
func (b *Broker) takeNacks(nacks []Nack) {
	for _, n := range nacks {
		ks := b.keys[n.Key]
		if ks == nil {
			continue
		}
		if n.Epoch > ks.epoch {
			b.learn(ks, n.Epoch, n.Owner)
			continue
		}
		if ks.owner == b.self {
			b.startKVCommit(ks)
		}
	}
}

// batch is what one sync carries to a peer.
func (b *Broker) batch(l *link) (Sync, bool) {
	s := Sync{Type: "kafka_sync"}
	size := 0
	for _, ks := range b.keys {
		if ks.owner != b.self || ks.frozen {
			continue
		}
		from, to := ks.sent[l.peer], len(ks.log)
		commitNews := len(b.nodes) > 2 && ks.exposed > ks.commitSent[l.peer]
		if from >= to && !commitNews {
			continue
		}
		for to > from && size+b.entriesBytes(ks.log[from:to]) > b.cfg.MaxBatchBytes {
			to = from + (to-from)/2
		}
		if to == from && from < len(ks.log) && len(s.Items) > 0 {
			break // full
		}
		if to == from && from < len(ks.log) {
			to = from + 1 // a single huge message goes alone
		}
		it := b.item(ks, from, to)
		size += b.entriesBytes(it.Log) + 64
		s.Items = append(s.Items, it)
		ks.sent[l.peer] = to
		ks.commitSent[l.peer] = ks.exposed
	}
	urgent := false
	for _, it := range s.Items {
		if len(it.Log) > 0 {
			urgent = true
		}
	}
	s.Acks, s.Commits = b.peekOwed(l)
	return s, urgent
}

// peekOwed lists the acknowledgements and consumer offsets owed to a peer.
func (b *Broker) peekOwed(l *link) ([]Ack, map[string]int64) {
	var acks []Ack
	for k := range l.acksOwed {
		if ks := b.keys[k]; ks != nil && ks.owner == l.peer {
			acks = append(acks, Ack{Key: k, Epoch: ks.epoch, Len: ks.matched})
		}
	}
	var commits map[string]int64
	if len(l.commitsOwed) > 0 {
		commits = map[string]int64{}
		for k := range l.commitsOwed {
			commits[k] = b.offsets[k]
		}
	}
	return acks, commits
}

// owed takes what is owed to a peer, to send now.
func (b *Broker) owed(l *link) ([]Ack, map[string]int64) {
	acks, commits := b.peekOwed(l)
	clear(l.acksOwed)
	clear(l.commitsOwed)
	return acks, commits
}

// reowe puts back what a failed message carried.
func (b *Broker) reowe(l *link, acks []Ack, commits map[string]int64) {
	if len(acks)+len(commits) > 0 && len(l.acksOwed) == 0 && len(l.commitsOwed) == 0 {
		l.owedSince = time.Now()
	}
	for _, a := range acks {
		l.acksOwed[a.Key] = true
	}
	for k := range commits {
		l.commitsOwed[k] = true
	}
}

// runLink is the replication loop to one peer: one sync in flight, the rest
// queued for the next; acknowledgements and offsets wait a little to ride
// along with entries.
func (b *Broker) runLink(ctx context.Context, l *link) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.wake:
		case <-timer.C:
		}
		for {
			b.loops.Add(1)
			b.mu.Lock()
			if l.down && time.Since(l.progressAt) < b.cfg.RetryInterval {
				wait := b.cfg.RetryInterval - time.Since(l.progressAt)
				b.mu.Unlock()
				timer.Reset(wait)
				break
			}
			s, urgent := b.batch(l)
			// An idle link renews its lease with an empty sync.
			renew := l.leaseUntil.Add(-b.cfg.Lease / 2)
			heartbeat := !time.Now().Before(renew)
			if !urgent && len(s.Items) == 0 && !heartbeat {
				due := renew
				if len(l.acksOwed) > 0 {
					due = l.owedSince.Add(b.cfg.AckDelay)
				} else if len(l.commitsOwed) > 0 {
					due = l.owedSince.Add(b.cfg.GossipDelay)
				}
				if wait := time.Until(minTime(due, renew)); wait > 0 {
					b.mu.Unlock()
					timer.Reset(wait)
					break
				}
			}
			clear(l.acksOwed)
			clear(l.commitsOwed)
			timeout := b.timeout()
			b.mu.Unlock()
			if len(s.Items) == 0 && !heartbeat {
				s.Type = "kafka_notify"
				if err := b.t.Send(l.peer, s); err != nil {
					b.linkFailed(l, s)
				}
				continue
			}
			start := time.Now()
			raw, err := b.t.RPC(ctx, l.peer, s, timeout)
			if ctx.Err() != nil {
				return
			}
			var rep SyncReply
			if err == nil {
				err = json.Unmarshal(raw, &rep)
			}
			if err != nil {
				b.linkFailed(l, s)
				continue
			}
			b.mu.Lock()
			b.gotReply(l.peer, start, rep.Lease)
			l.progressAt = time.Now()
			b.takeAcks(l.peer, rep.Acks)
			b.takeNacks(rep.Nacks)
			b.resendGaps(l.peer, s.Items, rep.Acks)
			b.mu.Unlock()
		}
	}
}

// linkFailed marks the peer down, requeues what the sync carried and
// commits pending entries through lin-kv.
func (b *Broker) linkFailed(l *link, s Sync) {
	b.mu.Lock()
	defer b.mu.Unlock()
	l.down = true
	l.progressAt = time.Now()
	b.reowe(l, s.Acks, s.Commits)
	for _, ks := range b.keys {
		if ks.owner != b.self {
			continue
		}
		ks.sent[l.peer] = ks.acked[l.peer]
		ks.commitSent[l.peer] = 0
		if ks.exposed < len(ks.log) {
			b.startKVCommit(ks)
		}
	}
	poke(l)
}

// watchdog retransmits what a peer never acknowledged and commits long-
// pending entries through lin-kv.
func (b *Broker) watchdog(ctx context.Context) {
	tick := time.NewTicker(b.cfg.MinTimeout)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		b.mu.Lock()
		stale := 2 * b.timeout()
		for _, ks := range b.keys {
			if ks.owner != b.self || ks.frozen || ks.pendingAt.IsZero() || time.Since(ks.pendingAt) < stale {
				continue
			}
			for _, p := range b.peers {
				if ks.acked[p] < len(ks.log) {
					ks.sent[p] = ks.acked[p] // resend from what it acknowledged
					poke(b.links[p])
				}
			}
			b.startKVCommit(ks)
		}
		b.mu.Unlock()
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
