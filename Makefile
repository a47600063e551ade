# webhook-receiver. `make run` and `make test` are the two commands a new machine needs.
SHELL := bash
.DEFAULT_GOAL := help
PORT ?= 9000
EVENT ?= events/create.json
# Build for the host by default; ARCH=arm64 needs the aarch64 Rust standard library installed.
ARCH ?= $(shell uname -m | sed 's/aarch64/arm64/')
BASE_URL ?= http://127.0.0.1:$(PORT)/lambda-url/webhook-receiver
ENV := source scripts/env.sh &&

FUZZ_SECONDS ?= 60

.PHONY: help tools run invoke send test lint build fuzz bench local-env template

help:
	@echo "make run      DynamoDB Local + tables + the function on 127.0.0.1:$(PORT) (cargo lambda watch)"
	@echo "make send     sign EVENT (default $(EVENT)) now, curl it to the running receiver, print the answer and its status"
	@echo "make invoke   sign EVENT now and send it with cargo lambda invoke"
	@echo "make test     every test (installs tools, starts and stops DynamoDB Local itself)"
	@echo "make lint     cargo fmt --check and clippy -D warnings"
	@echo "make build    release build with cargo lambda (ARCH=$(ARCH))"
	@echo "make bench    criterion benchmarks + the release bootstrap end to end (CPU, RSS, cold start)"
	@echo "make fuzz     every cargo-fuzz target for FUZZ_SECONDS=$(FUZZ_SECONDS) each (nightly toolchain)"
	@echo "make local-env  rewrite local.env from the senders' declarations (after adding a sender)"
	@echo "make template   rewrite template.yaml's tenant parts from tenants.json (after adding a tenant)"

tools:
	@scripts/tools.sh

run:
	@PORT=$(PORT) scripts/run-local.sh

invoke: tools
	@$(ENV) cargo run -q --features signing --bin webhook-sign -- $(EVENT) > .cache/signed-event.json && \
	  cargo lambda invoke webhook-receiver -A 127.0.0.1 -P $(PORT) --data-file .cache/signed-event.json

send: tools
	@$(ENV) eval "$$(cargo run -q --features signing --bin webhook-sign -- --curl $(BASE_URL) $(EVENT)) -w '\nHTTP %{http_code}\n'"

test:
	@scripts/test.sh

lint:
	cargo fmt --all -- --check
	cargo fmt --manifest-path fuzz/Cargo.toml -- --check
	cargo clippy --all-targets -- -D warnings
	# The function as it ships: without the `signing` feature (no signing, no demo secrets).
	cargo clippy --lib --bin webhook-receiver -- -D warnings

build: tools
	@$(ENV) cargo lambda build --release --$(subst x86_64,x86-64,$(ARCH)) --bin webhook-receiver

fuzz: tools
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh run

bench:
	@scripts/bench.sh

local-env:
	@cargo run -q --features signing --bin webhook-sign -- --local-env > local.env

template:
	@python3 scripts/tenants.py
