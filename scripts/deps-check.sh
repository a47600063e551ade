#!/usr/bin/env bash
# The dependency policy, over Cargo.lock as locked (fetched first, then read offline):
#  - bans: the AWS SDK's legacy TLS stack (hyper 0.14, rustls 0.21, ring, rustls-webpki 0.101,
#    which carry open advisories and are never used at run time; it comes with the SDK crates'
#    default features) and OpenSSL (one TLS stack: rustls) in the function's dependencies;
#  - licenses: every crate usable under the allowlist in scripts/licenses.py.
set -euo pipefail
cd "$(dirname "$0")/.."
# The checks read every package of Cargo.lock, for every platform; a build fetches only the
# host's, so a fresh machine fetches the rest first (from the registry, as the lock pins them).
cargo fetch --locked --quiet
banned='^(hyper v0\.14\.|rustls v0\.21\.|ring v|rustls-webpki v0\.101\.|hyper-rustls v0\.24\.|openssl v|openssl-sys v)'
found=$(cargo tree --offline -e normal --prefix none --format '{p}' 2>/dev/null | sed 's/ (.*//' | sort -u | grep -E "$banned" || true)
if [ -n "$found" ]; then
  echo "deps-check: the legacy TLS stack is back in the function's dependencies:" >&2
  echo "$found" >&2
  echo "deps-check: turn off the AWS crates' default features (see Cargo.toml)" >&2
  exit 1
fi
echo "deps-check: one TLS stack (no hyper 0.14, rustls 0.21, ring, rustls-webpki 0.101, OpenSSL)" >&2
python3 scripts/licenses.py
