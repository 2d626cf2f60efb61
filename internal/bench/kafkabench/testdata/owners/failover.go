package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	maelstrom "github.com/jepsen-io/maelstrom/demo/go"

	"gossip-glomers/internal/node"
)

// The lin-kv paths: committing through a key's record when a peer is cut
// off, and taking a key over from an owner that cannot be reached (see
// log.go).

// recordKey is the lin-kv key of a log key's record.
func recordKey(k string) string { return "kafka-log/" + k }

// refresh brings a key up to date from its lin-kv record.
func (b *Broker) refresh(ctx context.Context, k string) error {
	raw, exists, err := b.kv.Read(ctx, recordKey(k))
	if err != nil || !exists {
		return err
	}
	var rec Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	ks := b.key(k)
	if rec.Epoch < ks.epoch || (ks.owner == b.self && rec.Epoch == ks.epoch) {
		return nil // nothing newer than what we own
	}
	b.applyRecord(ks, rec, raw)
	return nil
}

// refreshKey reads a key's record and applies it (retrying lin-kv errors):
// it settles a deposed owner's waiting sends and ends staleness.
func (b *Broker) refreshKey(k string) {
	for i := 0; i < 20; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), b.cfg.KVTimeout)
		err := b.refresh(ctx, k)
		cancel()
		if err == nil {
			return
		}
		time.Sleep(b.cfg.RetryInterval)
	}
}

// initialRecord is the record of epoch 0, never written: lin-kv has no key.
func initialRecord(k string, nodes []string) Record {
	return Record{Epoch: 0, Owner: homeOwner(k, nodes), From: 0, Prev: -1, Log: []Entry{}}
}

// startKVCommit commits an owner's pending entries through lin-kv (one
// compare-and-set at a time per key).
func (b *Broker) startKVCommit(ks *keyState) {
	if ks.kvBusy || ks.owner != b.self || ks.frozen || ks.exposed >= len(ks.log) {
		return
	}
	ks.kvBusy = true
	go b.kvCommit(ks.key)
}

func (b *Broker) kvCommit(k string) {
	b.mu.Lock()
	ks := b.key(k)
	defer func() {
		ks.kvBusy, ks.kvTarget = false, 0
		b.mu.Unlock()
	}()
	for ks.owner == b.self && !ks.frozen && ks.exposed < len(ks.log) {
		from := len(ks.log)
		for _, p := range b.peers {
			from = min(from, ks.acked[p])
		}
		to := len(ks.log)
		// A peer without these entries must first stop trusting its copy.
		if wait := b.promiseWait(ks, to); wait > 0 {
			b.mu.Unlock()
			time.Sleep(wait)
			b.mu.Lock()
			continue
		}
		next := Record{Epoch: ks.epoch, Owner: b.self, From: from, Prev: prevEpoch(ks.log, from),
			Log: append([]Entry{}, ks.log[from:to]...)}
		var prev any = json.RawMessage(ks.rec)
		create := ks.rec == nil
		if create {
			prev = initialRecord(k, b.nodes)
		}
		epoch := ks.epoch
		ks.kvTarget = to
		b.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), b.cfg.KVTimeout)
		err := b.kv.CAS(ctx, recordKey(k), prev, next, create)
		cancel()
		var raw json.RawMessage
		var exists bool
		if errors.Is(err, errPrecondition) {
			ctx, cancel := context.WithTimeout(context.Background(), b.cfg.KVTimeout)
			raw, exists, err = b.kv.Read(ctx, recordKey(k))
			cancel()
		} else if err == nil {
			raw, _ = json.Marshal(next)
			exists = true
		}
		b.mu.Lock()
		if err != nil {
			b.mu.Unlock()
			time.Sleep(b.cfg.RetryInterval)
			b.mu.Lock()
			continue
		}
		if ks.epoch != epoch || ks.owner != b.self {
			return
		}
		var rec Record
		if !exists || json.Unmarshal(raw, &rec) != nil {
			ks.rec = nil
			continue
		}
		if rec.Epoch == epoch && rec.Owner == b.self {
			ks.rec = raw
			if wire, _ := json.Marshal(next); string(wire) == string(raw) {
				ks.kvLen = max(ks.kvLen, to)
				b.advance(ks)
			}
			continue
		}
		if rec.Epoch > epoch {
			// Taken over: settle from the new owner's record.
			b.applyRecord(ks, rec, raw)
			return
		}
		ks.rec = raw
	}
}

// takeover makes this node the key's owner, through lin-kv. It returns nil
// when the key has an owner this node can reach (possibly itself).
func (b *Broker) takeover(ctx context.Context, k string) error {
	b.mu.Lock()
	ks := b.key(k)
	if ks.owner == b.self {
		b.mu.Unlock()
		return nil
	}
	if ch := ks.takeover; ch != nil {
		b.mu.Unlock()
		select {
		case <-ch:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	ch := make(chan struct{})
	ks.takeover, ks.frozen = ch, true
	b.frozen++
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		ks.takeover, ks.frozen = nil, false
		b.frozen--
		close(ch)
		b.mu.Unlock()
	}()
	deadline := time.Now().Add(b.cfg.SendTimeout)
	for attempt := 0; attempt < 5 && time.Now().Before(deadline); attempt++ {
		kctx, cancel := context.WithTimeout(ctx, b.cfg.KVTimeout)
		raw, exists, err := b.kv.Read(kctx, recordKey(k))
		cancel()
		if err != nil {
			continue
		}
		rec := initialRecord(k, b.nodes)
		if exists {
			if err := json.Unmarshal(raw, &rec); err != nil {
				return err
			}
		}
		b.mu.Lock()
		if rec.Epoch < ks.epoch {
			b.mu.Unlock()
			return fmt.Errorf("record of %s is older than epoch %d", k, ks.epoch)
		}
		prevOwner := ks.owner
		if rec.Epoch > ks.epoch && rec.Owner != b.self {
			b.learn(ks, rec.Epoch, rec.Owner)
		}
		if !agrees(ks.log, rec.From, rec.Prev) {
			b.mu.Unlock()
			return fmt.Errorf("log of %s does not reach its record's start", k)
		}
		if rec.Owner == b.self {
			// An earlier takeover of ours went through after all.
			ks.epoch = rec.Epoch
			b.absorb(ks, rec)
			b.ownAfterTakeover(ks, rec.From, raw)
			b.mu.Unlock()
			return nil
		}
		if rec.Owner != prevOwner && !b.isDown(rec.Owner) {
			b.mu.Unlock()
			return nil // someone we can reach owns it now
		}
		// The owner (and every peer) must first stop trusting its copy.
		if wait := b.promiseWait(nil, 0); wait > 0 {
			reachable := !b.isDown(prevOwner)
			b.mu.Unlock()
			if reachable {
				return nil // the owner answers again: forward to it
			}
			time.Sleep(wait)
			attempt--
			continue
		}
		b.absorb(ks, rec)
		union := append([]Entry(nil), ks.log...)
		next := Record{Epoch: rec.Epoch + 1, Owner: b.self, From: rec.From, Prev: rec.Prev, Log: union[rec.From:]}
		b.mu.Unlock()
		var prev any = raw
		if !exists {
			prev = rec
		}
		kctx, cancel = context.WithTimeout(ctx, b.cfg.KVTimeout)
		err = b.kv.CAS(kctx, recordKey(k), prev, next, !exists)
		cancel()
		if err != nil {
			continue
		}
		nraw, _ := json.Marshal(next)
		b.mu.Lock()
		ks.epoch = next.Epoch
		ks.log = union
		b.ownAfterTakeover(ks, next.From, nraw)
		b.mu.Unlock()
		return nil
	}
	return fmt.Errorf("could not take %s over", k)
}

// ownAfterTakeover makes this node the owner of a key whose log, all of it
// committed, the record raw holds from offset from on. Sends still waiting
// from an earlier epoch of ours are settled first.
func (b *Broker) ownAfterTakeover(ks *keyState, from int, raw json.RawMessage) {
	ks.exposed = len(ks.log)
	b.settle(ks, true)
	b.becomeOwner(ks, from)
	ks.rec, ks.kvLen = raw, len(ks.log)
	for _, l := range b.links {
		poke(l)
	}
}

// linKV speaks Maelstrom's lin-kv protocol over a Transport.
type linKV struct {
	t       Transport
	timeout time.Duration
}

func (kv linKV) store() node.KV {
	return node.NewKV(func(ctx context.Context, body map[string]any) (json.RawMessage, error) {
		return kv.t.RPC(ctx, "lin-kv", body, kv.timeout)
	})
}

func (kv linKV) Read(ctx context.Context, key string) (json.RawMessage, bool, error) {
	value, err := kv.store().Read(ctx, key)
	if maelstrom.ErrorCode(err) == maelstrom.KeyDoesNotExist {
		return nil, false, nil
	}
	return value, err == nil, err
}

func (kv linKV) CAS(ctx context.Context, key string, from, to any, create bool) error {
	err := kv.store().CAS(ctx, key, from, to, create)
	if code := maelstrom.ErrorCode(err); code == maelstrom.PreconditionFailed || code == maelstrom.KeyDoesNotExist {
		return fmt.Errorf("%w: %v", errPrecondition, err)
	}
	return err
}
