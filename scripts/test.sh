#!/usr/bin/env bash
# make test: installs what is missing, starts DynamoDB Local, runs every test, stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/tools.sh
source scripts/env.sh
endpoint=$(scripts/ddb-local.sh start)
trap 'scripts/ddb-local.sh stop' EXIT
export AWS_ENDPOINT_URL_DYNAMODB="$endpoint"
echo "DynamoDB Local at $endpoint" >&2

if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --no-fail-fast
else
  cargo test --no-fail-fast
fi
scripts/e2e.sh "$endpoint"
