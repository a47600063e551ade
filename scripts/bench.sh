#!/usr/bin/env bash
# make bench: criterion benchmarks (floor, pipeline, one invocation against an in-process stub
# DynamoDB), then the release bootstrap end to end under a Runtime API emulator against DynamoDB
# Local (scripts/bench-e2e.py). Not part of `make test`: figures, not pass/fail, except the
# pipeline/floor ratio (<= 2).
#   BENCH_REQUESTS (default 1000 per instance), BENCH_INSTANCES (8), BENCH_COLD (15 starts),
#   BENCH_RUNS (5 repetitions of each CPU figure; the median and range are printed),
#   BENCH_COMPARE (another bootstrap, measured in alternation with this one),
#   BENCH_COST_REQUESTS (300 webhooks per format for the cost table: dollars per million accepted
#   webhooks from the write units DynamoDB reports, the bytes logged, and billed milliseconds).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/tools.sh
source scripts/env.sh

cargo bench --bench pipeline --bench invocation -- --noplot
python3 scripts/bench-report.py

cargo build --release --bin webhook-receiver
trap 'scripts/service.sh stop dynamodb' EXIT
endpoint=$(scripts/service.sh start dynamodb)
.cache/iac/bin/python scripts/create-tables.py "$endpoint" 2>/dev/null
python3 scripts/bench-e2e.py target/release/webhook-receiver "$endpoint" \
  --requests "${BENCH_REQUESTS:-1000}" --instances "${BENCH_INSTANCES:-8}" --cold "${BENCH_COLD:-15}" \
  --runs "${BENCH_RUNS:-5}" --cost-requests "${BENCH_COST_REQUESTS:-300}" \
  ${BENCH_COMPARE:+--compare "$BENCH_COMPARE"}
