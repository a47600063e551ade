#!/usr/bin/env bash
# make test: installs what is missing, starts DynamoDB Local and moto's Secrets Manager, runs every
# test, stops them, and prints how long each phase took (also on failure), so a slow run says
# where its time went. The table is kept in .cache/test-phases.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache

PHASES=()
START=$SECONDS
# phase NAME CMD...: runs CMD, timed under NAME.
phase() {
  local name="$1" began=$SECONDS
  shift
  echo "test: -- $name" >&2
  "$@"
  PHASES+=("$(printf '%-34s %5d s' "$name" $((SECONDS - began)))")
}
report() {
  local status=$?
  scripts/service.sh stop dynamodb >/dev/null 2>&1 || true
  scripts/service.sh stop secretsmanager >/dev/null 2>&1 || true
  {
    echo "make test: $([ $status -eq 0 ] && echo passed || echo FAILED) in $((SECONDS - START)) s"
    printf '  %s\n' "${PHASES[@]}"
  } | tee .cache/test-phases.txt >&2
  exit $status
}
trap report EXIT

phase "tools (scripts/tools.sh)" scripts/tools.sh
source scripts/env.sh
phase "dependency policy (cargo-deny)" scripts/deps-check.sh
phase "lint (fmt, clippy)" make -s lint
endpoint=$(scripts/service.sh start dynamodb)
export AWS_ENDPOINT_URL_DYNAMODB="$endpoint"
export AWS_ENDPOINT_URL_SECRETS_MANAGER="$(scripts/service.sh start secretsmanager)"
echo "DynamoDB Local at $endpoint, Secrets Manager (moto) at $AWS_ENDPOINT_URL_SECRETS_MANAGER" >&2

# Unit and integration tests, and every fuzz regression replayed through the targets' own
# checks (tests/it/fuzz_regressions.rs).
if cargo nextest --version >/dev/null 2>&1; then
  phase "unit + integration (nextest)" cargo nextest run --no-fail-fast
else
  phase "unit + integration (cargo test)" cargo test --no-fail-fast
fi
phase "end to end (cargo lambda)" scripts/e2e.sh "$endpoint"
# The operator's redrive script, against DynamoDB Local and moto's EventBridge and SQS.
phase "redrive (DynamoDB Local, moto)" env DYNAMODB_ENDPOINT="$endpoint" \
  MOTO_ENDPOINT="$AWS_ENDPOINT_URL_SECRETS_MANAGER" .cache/iac/bin/python -m pytest -q -p no:cacheprovider tests/redrive
# The senders' test vectors are what each provider's own library makes and accepts.
phase "vectors (providers' libraries)" .cache/vectors/bin/python scripts/vectors/make.py check
phase "IaC (lint, checkov, sam build)" scripts/iac-checks.sh
# The fuzz targets themselves build with nightly (`make fuzz` builds and runs them); CI builds
# them on every pass, a newcomer's first run does not (their checks and regressions ran above).
if [ "${CI:-}" = true ] || [ "${FUZZ_BUILD:-}" = 1 ]; then
  phase "fuzz targets build (nightly)" scripts/fuzz.sh build
fi
