#!/usr/bin/env bash
# make test: installs what is missing, starts DynamoDB Local and moto's Secrets Manager, runs every
# test, stops them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/tools.sh
source scripts/env.sh
scripts/deps-check.sh
trap 'scripts/service.sh stop dynamodb; scripts/service.sh stop secretsmanager' EXIT
endpoint=$(scripts/service.sh start dynamodb)
export AWS_ENDPOINT_URL_DYNAMODB="$endpoint"
export AWS_ENDPOINT_URL_SECRETS_MANAGER="$(scripts/service.sh start secretsmanager)"
echo "DynamoDB Local at $endpoint, Secrets Manager (moto) at $AWS_ENDPOINT_URL_SECRETS_MANAGER" >&2

if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --no-fail-fast
else
  cargo test --no-fail-fast
fi
scripts/e2e.sh "$endpoint"
# The senders' test vectors are what each provider's own library makes and accepts.
.cache/vectors/bin/python scripts/vectors/make.py check
scripts/iac-checks.sh
# The fuzz targets must keep building, and every input that once found a bug must pass
# (`make fuzz` runs the fuzzers themselves).
scripts/fuzz.sh build
