# Gossip Glomers: one target per challenge.
#
#   make challenge-3d                          # run challenge 3d on the glomers workbench (no JVM)
#   make MAELSTROM=.maelstrom/maelstrom/maelstrom challenge-3d   # the same, on real Maelstrom
#   make challenges                            # every challenge on the workbench, with a results table
#   make test                                  # the test suite (what CI runs)
#   make maelstrom                             # fetch real Maelstrom (needs network access and a JDK)
#
# Challenge targets install the node binaries with `go install ./...` and run
# them from $(BIN), exactly where the official command lines expect them.

GO       ?= go
BIN      ?= $(shell $(GO) env GOPATH)/bin
MAELSTROM ?=
GLOMERS  := $(GO) run ./cmd/glomers
EXTRA    ?=

# run: workload, binary, official flags
ifeq ($(MAELSTROM),)
run = $(GLOMERS) test -w $(1) --bin $(BIN)/$(2) $(3) $(EXTRA)
else
run = $(MAELSTROM) test -w $(1) --bin $(BIN)/$(2) $(3) $(EXTRA)
endif

.PHONY: install test test-short challenges maelstrom bench-broadcast bench-kafka vet
.PHONY: challenge-1 challenge-2 challenge-3a challenge-3b challenge-3c challenge-3d challenge-3e challenge-4 challenge-5a challenge-5b challenge-5c challenge-6a challenge-6b challenge-6c

install:
	$(GO) install ./...

test:
	$(GO) test -race ./...

test-short:
	$(GO) test -short ./...

vet:
	gofmt -l . && $(GO) vet ./...

challenges:
	$(GLOMERS) challenges

maelstrom:
	./scripts/fetch-maelstrom.sh .maelstrom

challenge-1: install
	$(call run,echo,maelstrom-echo,--node-count 1 --time-limit 10)

challenge-2: install
	$(call run,unique-ids,maelstrom-unique-ids,--time-limit 30 --rate 1000 --node-count 3 --availability total --nemesis partition)

challenge-3a: install
	$(call run,broadcast,maelstrom-broadcast,--node-count 1 --time-limit 20 --rate 10)

challenge-3b: install
	$(call run,broadcast,maelstrom-broadcast,--node-count 5 --time-limit 20 --rate 10)

challenge-3c: install
	$(call run,broadcast,maelstrom-broadcast,--node-count 5 --time-limit 20 --rate 10 --nemesis partition)

challenge-3d: install
	$(call run,broadcast,maelstrom-broadcast,--node-count 25 --time-limit 20 --rate 100 --latency 100)

challenge-3e: install
	$(call run,broadcast,maelstrom-broadcast,--node-count 25 --time-limit 20 --rate 100 --latency 100)

challenge-4: install
	$(call run,g-counter,maelstrom-counter,--node-count 3 --rate 100 --time-limit 20 --nemesis partition)

challenge-5a: install
	$(call run,kafka,maelstrom-kafka,--node-count 1 --concurrency 2n --time-limit 20 --rate 1000)

challenge-5b: install
	$(call run,kafka,maelstrom-kafka,--node-count 2 --concurrency 2n --time-limit 20 --rate 1000)

challenge-5c: install
	$(call run,kafka,maelstrom-kafka,--node-count 2 --concurrency 2n --time-limit 20 --rate 1000)

challenge-6a: install
	$(call run,txn-rw-register,maelstrom-txn,--node-count 1 --time-limit 20 --rate 1000 --concurrency 2n --consistency-models read-uncommitted --availability total)

challenge-6b: install
	$(call run,txn-rw-register,maelstrom-txn,--node-count 2 --concurrency 2n --time-limit 20 --rate 1000 --consistency-models read-uncommitted --availability total --nemesis partition)

challenge-6c: install
	$(call run,txn-rw-register,maelstrom-txn,--node-count 2 --concurrency 2n --time-limit 20 --rate 1000 --consistency-models read-committed --availability total --nemesis partition)

# Sweeps the broadcast batching interval at 3d/3e's parameters (with a
# partition run per setting) and writes bench/broadcast.md and bench/broadcast.svg.
bench-broadcast:
	$(GLOMERS) bench-broadcast --partition --out-dir bench

# Runs challenge 5b's parameters for maelstrom-kafka and a lin-kv-per-send
# baseline side by side and writes bench/kafka.md.
bench-kafka:
	$(GLOMERS) bench-kafka --seed 1 --out-dir bench
