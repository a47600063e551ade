#!/usr/bin/env bash
# End to end, as a user runs it: `cargo lambda watch` serving the function over DynamoDB Local
# with local.env's tenants, signed curls (the one `make run` prints, one per scheme, and the
# README's hand-signing examples run verbatim), `cargo lambda invoke --data-file` (what
# `make invoke` runs), the item read back, and the real binary failing init on bad configuration.
# Usage: scripts/e2e.sh DYNAMODB_ENDPOINT
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/lib.sh
endpoint="$1"
PORT=$(free_port)
log=.cache/e2e-watch.log
pass=0; fail=0

# The function inherits this environment from `cargo lambda watch` (its --env-file parser
# cannot read the JSON in WEBHOOK_TENANTS, and --env-var splits values on commas).
export AWS_ENDPOINT_URL_DYNAMODB="$endpoint"
.cache/iac/bin/python scripts/create-tables.py "$endpoint"
cargo build -q --features signing --bin webhook-sign --bin webhook-receiver
cargo lambda watch -A 127.0.0.1 -P "$PORT" >"$log" 2>&1 &
watch_pid=$!
trap 'kill $watch_pid 2>/dev/null || true' EXIT
wait_for_port "$PORT" "$watch_pid" || { cat "$log"; exit 1; }
export BASE="http://127.0.0.1:$PORT/lambda-url/webhook-receiver"

check() { # name, expected substring, actual
  if [[ "$3" == *"$2"* ]]; then pass=$((pass + 1)); echo "e2e: ok   $1" >&2
  else fail=$((fail + 1)); echo "e2e: FAIL $1: expected $2, got: $3" >&2; fi
}
send() { eval "$(target/debug/webhook-sign --curl "$BASE" "$1") --max-time 300"; }

check "curl create" '"status":"applied"' "$(send events/create.json)"
check "curl create again" '"status":"duplicate"' "$(send events/create.json)"
check "curl bad signature" '"error":"signature_invalid"' "$(send events/reject-signature-invalid.json)"
for scheme in stripe github slack shopify; do
  check "curl $scheme sample" '"status":"applied"' "$(send "events/$scheme-create.json")"
done
check "curl slack url_verification" '"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"' "$(send events/slack-url-verification.json)"
check "curl github ping" '"status":"ignored"' "$(send events/github-ping.json)"
check "curl stripe event to the inbox" '"status":"stored"' "$(send events/stripe-inbox-customer-created.json)"
check "curl stripe event again" '"status":"duplicate"' "$(send events/stripe-inbox-customer-created.json)"
for sample in paddle-subscription-created workos-user-created linear-issue-created twilio-message-received twilio-json-event; do
  check "curl $sample" '"status":"stored"' "$(send "events/$sample.json")"
done
# Discord wants 204 without a body; its PING too.
for sample in discord-application-authorized discord-ping; do
  check "curl $sample" 'HTTP 204' "$(eval "$(target/debug/webhook-sign --curl "$BASE" "events/$sample.json") --max-time 300 -o /dev/null -w 'HTTP %{http_code}'")"
done
check "curl clerk user.created" '"status":"applied"' "$(send events/clerk-user-created.json)"
check "curl clerk user.deleted" '"status":"applied"' "$(send events/clerk-user-deleted.json)"
target/debug/webhook-sign events/update.json >.cache/e2e-update.json
check "invoke update" 'applied' "$(cargo lambda invoke webhook-receiver -A 127.0.0.1 -P "$PORT" --data-file .cache/e2e-update.json 2>&1)"
# Items read back with boto3 (the IaC venv's), as DynamoDB JSON.
get_item() { # TABLE PK SK
  .cache/iac/bin/python - "$endpoint" "$@" <<'PY'
import json, sys, boto3
endpoint, table, pk, sk = sys.argv[1:]
client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="local", aws_secret_access_key="local")
item = client.get_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"S": sk}}).get("Item")
print(json.dumps(item, separators=(",", ":")))
PY
}
item=$(get_item app_clientA_events 'USER#usr_0a1b2c3d' 'META#latest')
check "item in DynamoDB Local" '"version":{"N":"2"}' "$item"
inbox=$(get_item app_stripe_inbox_events 'EVENT#evt_1QZ8Kt2eZvKYlo2CbGqLw0Hx' EVENT)
check "inbox item in DynamoDB Local" '"event_type":{"S":"customer.created"}' "$inbox"

# The README's hand-signing examples, exactly as written there.
for name in $(sed -n 's/^<!-- example: \(.*\) -->$/\1/p' README.md); do
  block=$(awk -v name="$name" '
    $0 == "<!-- example: " name " -->" { want = 1; next }
    want && /^```sh$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }' README.md)
  check "README example $name" '"status":"applied"' "$(bash -c "$block" 2>&1)"
done

# Cold start with a bad configuration: the real binary exits before serving, with one message
# that names the tenant and field and does not print the secret.
bad_secret="not-a-whsec-secret-$RANDOM"
set +e
init=$(WEBHOOK_TENANTS='{"clientA":{"table":"app_clientA_events","secret_env":"BAD_SECRET"}}' \
  BAD_SECRET="$bad_secret" timeout 20 target/debug/webhook-receiver 2>&1)
init_rc=$?
set -e
check "bad config fails init" "tenant \`clientA\`, field \`secret_env\`" "$init (exit $init_rc)"
if [ "$init_rc" -ne 0 ] && [[ "$init" != *"$bad_secret"* ]]; then pass=$((pass + 1)); echo "e2e: ok   init exits non-zero without printing the secret" >&2
else fail=$((fail + 1)); echo "e2e: FAIL init: exit $init_rc, output: $init" >&2; fi

# A secret pasted where the variable's name belongs is never printed.
set +e
init=$(WEBHOOK_TENANTS="{\"clientA\":{\"table\":\"app_clientA_events\",\"secret_env\":\"$WEBHOOK_SECRET_CLIENTA\"}}" \
  timeout 20 target/debug/webhook-receiver 2>&1)
set -e
if [[ "$init" == *'field `secret_env`: names an environment variable that is not set'* && "$init" != *"${WEBHOOK_SECRET_CLIENTA#whsec_}"* ]]; then
  pass=$((pass + 1)); echo "e2e: ok   a secret pasted into secret_env is not printed" >&2
else fail=$((fail + 1)); echo "e2e: FAIL pasted secret: $init" >&2; fi

# Nine rotation secrets (each costs an HMAC per request) and an inbox TTL inside the replay
# window fail init with one line that names what to fix.
nine=$(for i in 1 2 3 4 5 6 7 8 9; do printf 'rotation-secret-number-%s ' "$i"; done)
set +e
init=$(WEBHOOK_TENANTS='{"gh":{"table":"app_gh_events","secret_env":"NINE","scheme":"github","format":"inbox"}}' \
  NINE="$nine" timeout 20 target/debug/webhook-receiver 2>&1)
set -e
check "nine secrets fail init" 'tenant `gh`, field `secret_env`: lists 9 secrets; at most 8' "$init"
set +e
init=$(WEBHOOK_TENANTS="{\"clientA\":{\"table\":\"app_clientA_events\",\"secret_env\":\"WEBHOOK_SECRET_CLIENTA\"}}" \
  WEBHOOK_INBOX_TTL_SECONDS=1 timeout 20 target/debug/webhook-receiver 2>&1)
set -e
check "an inbox TTL inside the replay window fails init" 'WEBHOOK_INBOX_TTL_SECONDS: must exceed twice the largest tolerance (300 s)' "$init"

if [ -n "${AWS_ENDPOINT_URL_SECRETS_MANAGER:-}" ]; then
  missing='arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook/missing-AbCdEf'
  set +e
  init=$(WEBHOOK_TENANTS="{\"clientA\":{\"table\":\"app_clientA_events\",\"secret_arn\":\"$missing\"}}" \
    timeout 30 target/debug/webhook-receiver 2>&1)
  set -e
  check "missing secret_arn fails init" 'field `secret_arn`: could not be read: ResourceNotFoundException' "$init"
fi

echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
