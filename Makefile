# Gossip Glomers: one target per challenge. `make` (or `make help`) lists them.
#
# Every target runs a built bin/glomers, never `go run`, so glomers' exit
# codes (0 valid, 1 invalid, 2 unknown, 254 bad arguments, 255 aborted)
# reach make, which reports them ("Error 254"). Node binaries are installed
# with `go install ./...` into $(BIN): $GOBIN if set, else $(go env GOPATH)/bin,
# where go install puts them and the official command lines expect them.

GO        ?= go
BIN       ?= $(or $(shell $(GO) env GOBIN),$(shell $(GO) env GOPATH)/bin)
GLOMERS   := bin/glomers
MAELSTROM ?=
EXTRA     ?=

# run: workload, binary, official flags
ifeq ($(MAELSTROM),)
run = $(GLOMERS) test -w $(1) --bin $(BIN)/$(2) $(3) $(EXTRA)
RUNNER = $(GLOMERS)
else
run = $(MAELSTROM) test -w $(1) --bin $(BIN)/$(2) $(3) $(EXTRA)
RUNNER =
endif

CHALLENGES := 1 2 3a 3b 3c 3d 3e 4 5a 5b 5c 6a 6b 6c
# Maelstrom's own tutorial exercises (doc/ in jepsen-io/maelstrom)
TUTORIAL   := g-set pn-counter txn-list-append lin-kv

.DEFAULT_GOAL := help
.PHONY: help install test test-short vet challenges maelstrom bench-broadcast bench-kafka bench-counter $(GLOMERS)
.PHONY: $(addprefix challenge-,$(CHALLENGES) $(TUTORIAL))

help:
	@echo 'Targets:'
	@echo '  make challenge-ID        run one challenge ($(CHALLENGES)) on the glomers workbench'
	@echo '                           with its official command line; EXTRA="--nemesis partition" adds flags'
	@echo '  make challenge-ID        also Maelstrom tutorial exercises ($(TUTORIAL))'
	@echo '  make MAELSTROM=.maelstrom/maelstrom/maelstrom challenge-ID   the same on real Maelstrom'
	@echo '  make challenges          every challenge on the workbench, then a results table'
	@echo '  make test                the test suite, exactly as README and CI run it'
	@echo '  make test-short          a quicker pass (challenge time limits cut to 5 s)'
	@echo '  make vet                 gofmt and go vet'
	@echo '  make install             install the node binaries into $(BIN)'
	@echo '  make bin/glomers         build the workbench'
	@echo '  make bench-broadcast     sweep broadcast batching intervals (writes bench/broadcast.md, .svg)'
	@echo '  make bench-kafka         maelstrom-kafka against its previous design and a lin-kv baseline (writes bench/kafka.md)'
	@echo '  make bench-counter       sweep maelstrom-counter commit gaps (writes bench/counter.md)'
	@echo '  make maelstrom           fetch real Maelstrom (needs network access and a JDK)'

# Phony, so go build (which knows what is up to date) always decides.
$(GLOMERS):
	$(GO) build -o $@ ./cmd/glomers

install:
	$(GO) install ./...

test:
	$(GO) test -race -timeout 60m ./...

test-short:
	$(GO) test -short ./...

vet:
	test -z "$$(gofmt -l .)" || { gofmt -l .; exit 1; }
	$(GO) vet ./...

challenges: $(GLOMERS)
	$(GLOMERS) challenges

maelstrom:
	./scripts/fetch-maelstrom.sh .maelstrom

challenge-1: install $(RUNNER)
	$(call run,echo,maelstrom-echo,--node-count 1 --time-limit 10)

challenge-2: install $(RUNNER)
	$(call run,unique-ids,maelstrom-unique-ids,--time-limit 30 --rate 1000 --node-count 3 --availability total --nemesis partition)

challenge-3a: install $(RUNNER)
	$(call run,broadcast,maelstrom-broadcast,--node-count 1 --time-limit 20 --rate 10)

challenge-3b: install $(RUNNER)
	$(call run,broadcast,maelstrom-broadcast,--node-count 5 --time-limit 20 --rate 10)

challenge-3c: install $(RUNNER)
	$(call run,broadcast,maelstrom-broadcast,--node-count 5 --time-limit 20 --rate 10 --nemesis partition)

challenge-3d: install $(RUNNER)
	$(call run,broadcast,maelstrom-broadcast,--node-count 25 --time-limit 20 --rate 100 --latency 100)

challenge-3e: install $(RUNNER)
	$(call run,broadcast,maelstrom-broadcast,--node-count 25 --time-limit 20 --rate 100 --latency 100)

challenge-4: install $(RUNNER)
	$(call run,g-counter,maelstrom-counter,--node-count 3 --rate 100 --time-limit 20 --nemesis partition)

challenge-5a: install $(RUNNER)
	$(call run,kafka,maelstrom-kafka,--node-count 1 --concurrency 2n --time-limit 20 --rate 1000)

challenge-5b: install $(RUNNER)
	$(call run,kafka,maelstrom-kafka,--node-count 2 --concurrency 2n --time-limit 20 --rate 1000)

challenge-5c: install $(RUNNER)
	$(call run,kafka,maelstrom-kafka,--node-count 2 --concurrency 2n --time-limit 20 --rate 1000)

challenge-6a: install $(RUNNER)
	$(call run,txn-rw-register,maelstrom-txn,--node-count 1 --time-limit 20 --rate 1000 --concurrency 2n --consistency-models read-uncommitted --availability total)

challenge-6b: install $(RUNNER)
	$(call run,txn-rw-register,maelstrom-txn,--node-count 2 --concurrency 2n --time-limit 20 --rate 1000 --consistency-models read-uncommitted --availability total --nemesis partition)

challenge-6c: install $(RUNNER)
	$(call run,txn-rw-register,maelstrom-txn,--node-count 2 --concurrency 2n --time-limit 20 --rate 1000 --consistency-models read-committed --availability total --nemesis partition)

challenge-g-set: install $(RUNNER)
	$(call run,g-set,maelstrom-g-set,--time-limit 30 --rate 10 --nemesis partition)

challenge-pn-counter: install $(RUNNER)
	$(call run,pn-counter,maelstrom-pn-counter,--time-limit 30 --rate 10 --nemesis partition)

challenge-txn-list-append: install $(RUNNER)
	$(call run,txn-list-append,maelstrom-txn-list-append,--time-limit 10 --node-count 2 --rate 100)

challenge-lin-kv: install $(RUNNER)
	$(call run,lin-kv,maelstrom-lin-kv,--node-count 3 --concurrency 4n --rate 30 --time-limit 60 --nemesis partition --nemesis-interval 10)

# Sweeps the broadcast batching interval at 3d/3e's parameters (with a
# partition run per setting) and writes bench/broadcast.md and bench/broadcast.svg.
bench-broadcast: $(GLOMERS)
	$(GLOMERS) bench-broadcast --partition --out-dir bench

# Runs challenge 5b's parameters for maelstrom-kafka and a lin-kv-per-send
# baseline side by side and writes bench/kafka.md.
bench-kafka: $(GLOMERS)
	$(GLOMERS) bench-kafka --seed 1 --out-dir bench

# Sweeps maelstrom-counter's commit gap at challenge 4's parameters and
# writes bench/counter.md.
bench-counter: $(GLOMERS)
	$(GLOMERS) bench-counter --out-dir bench
