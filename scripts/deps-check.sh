#!/usr/bin/env bash
# The dependency policy (deny.toml), checked by cargo-deny over Cargo.lock as locked, offline:
#  - bans: one TLS stack in the function's dependencies (dev-dependencies excluded): not the AWS
#    SDK's legacy one (hyper 0.14, rustls 0.21, ring, …; it comes with the SDK crates' default
#    features), not OpenSSL;
#  - licenses: every crate, of every kind, usable under deny.toml's allowlist;
#  - sources: crates.io only.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v .cache/rust-tools/bin/cargo-deny >/dev/null || scripts/tools.sh
deny() { .cache/rust-tools/bin/cargo-deny --offline "$@"; }
# cargo-deny reads every package of Cargo.lock, for every platform; a build fetches only the
# host's, so a fresh machine fetches the rest first (from the registry, as the lock pins them).
cargo fetch --locked --quiet
deny --exclude-dev --log-level error check bans
deny --log-level error check licenses sources
echo "deps-check: one TLS stack, every license allowed, crates.io only (cargo-deny, deny.toml)" >&2
