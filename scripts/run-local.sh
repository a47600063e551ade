#!/usr/bin/env bash
# make run: DynamoDB Local (in memory), the tables, and the function served by
# `cargo lambda watch` on 127.0.0.1:$PORT. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-9000}"
scripts/tools.sh
source scripts/env.sh
source scripts/lib.sh

endpoint=$(scripts/service.sh start dynamodb)
watch_pid=""
cleanup() {
  [ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null || true
  scripts/service.sh stop dynamodb
}
trap cleanup EXIT INT TERM
.cache/iac/bin/python scripts/create-tables.py "$endpoint"
cargo build -q --features signing --bin webhook-sign

# The function inherits this environment (local.env, dummy credentials, the endpoint) from
# `cargo lambda watch`; its --env-file parser cannot read the JSON in WEBHOOK_TENANTS.
export AWS_ENDPOINT_URL_DYNAMODB="$endpoint"
cargo lambda watch -A 127.0.0.1 -P "$PORT" &
watch_pid=$!

wait_for_port "$PORT" "$watch_pid" || exit 1
base="http://127.0.0.1:$PORT/lambda-url/webhook-receiver"
cat <<MSG

webhook-receiver is up: POST $base/webhooks/{tenant}
DynamoDB Local: $endpoint (tables from WEBHOOK_TENANTS in local.env)

Send a signed sample (signed just now, valid for 5 minutes; the first call compiles the function):
  $(target/debug/webhook-sign --curl "$base" events/create.json)

Or, in another terminal:  make send EVENT=events/update.json   |   make invoke EVENT=events/delete.json
MSG
wait "$watch_pid"
