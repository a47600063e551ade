#!/usr/bin/env bash
# Fails if the AWS SDK's legacy TLS stack (hyper 0.14, rustls 0.21, ring, rustls-webpki 0.101,
# which carry open advisories and are never used at run time) is back in the function's
# dependency graph: it comes with the SDK crates' default features. Offline: reads Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
banned='^(hyper v0\.14\.|rustls v0\.21\.|ring v|rustls-webpki v0\.101\.|hyper-rustls v0\.24\.)'
found=$(cargo tree --offline -e normal --prefix none --format '{p}' 2>/dev/null | sed 's/ (.*//' | sort -u | grep -E "$banned" || true)
if [ -n "$found" ]; then
  echo "deps-check: the legacy TLS stack is back in the function's dependencies:" >&2
  echo "$found" >&2
  echo "deps-check: turn off the AWS crates' default features (see Cargo.toml)" >&2
  exit 1
fi
echo "deps-check: one TLS stack (no hyper 0.14, rustls 0.21, ring, rustls-webpki 0.101)" >&2
