#!/usr/bin/env bash
# Installs what the project needs, idempotently, under the git-ignored .cache/:
#   .cache/dynamodb-local/  the official DynamoDB Local jar (shipped inside an npm package)
#   .cache/venv/            cargo-lambda (from PyPI), pinned in requirements-dev.txt
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

if [ ! -x "$CACHE/venv/bin/cargo-lambda" ] || ! cmp -s requirements-dev.txt "$CACHE/venv/.requirements"; then
  echo "tools: installing Python tools into $CACHE/venv" >&2
  [ -x "$CACHE/venv/bin/python" ] || python3 -m venv "$CACHE/venv"
  "$CACHE/venv/bin/pip" install -q --disable-pip-version-check -r requirements-dev.txt
  cp requirements-dev.txt "$CACHE/venv/.requirements"
fi
