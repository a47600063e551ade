"""The receiver end to end (see conftest.py). Tests run in file order: later ones read what
earlier ones wrote."""
import json
import re
import subprocess

import pytest

from conftest import ROOT, sh


def send(receiver, sample, curl_options=""):
    """Signs a sample now and curls it, exactly as `make send` does."""
    # Bytes, not text: text mode would turn a body's CRLF (SendGrid's) into LF after signing.
    curl = subprocess.run(
        ["target/debug/webhook-sign", "--curl", receiver["base"], f"events/{sample}"],
        cwd=ROOT, env=receiver["env"], capture_output=True, check=True,
    ).stdout.decode().strip()
    return sh(f"{curl} --max-time 300 {curl_options}", receiver["env"])


def test_create_then_duplicate_then_a_bad_signature(receiver):
    assert '"status":"applied"' in send(receiver, "create.json")
    assert '"status":"duplicate"' in send(receiver, "create.json")
    assert '"error":"signature_invalid"' in send(receiver, "reject-signature-invalid.json")


@pytest.mark.parametrize("scheme", ["stripe", "github", "slack", "shopify"])
def test_each_schemes_sample_is_applied(receiver, scheme):
    assert '"status":"applied"' in send(receiver, f"{scheme}-create.json")


def test_handshakes(receiver):
    assert '"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"' in send(
        receiver, "slack-url-verification.json"
    )
    assert '"status":"ignored"' in send(receiver, "github-ping.json")


def test_a_stripe_event_is_stored_once(receiver):
    assert '"status":"stored"' in send(receiver, "stripe-inbox-customer-created.json")
    assert '"status":"duplicate"' in send(receiver, "stripe-inbox-customer-created.json")


@pytest.mark.parametrize(
    "sample",
    [
        "paddle-subscription-created.json",
        "workos-user-created.json",
        "linear-issue-created.json",
        "twilio-message-received.json",
        "twilio-json-event.json",
        "gitlab-push.json",
        "zoom-meeting-started.json",
        "twitch-channel-follow.json",
        "twitch-revocation.json",
        "meta-whatsapp-message.json",
        "mailgun-delivered.json",
        "sendgrid-delivered.json",
        "hubspot-contact-created.json",
        "square-payment-created.json",
        "telnyx-call-initiated.json",
        "intercom-conversation-created.json",
        "typeform-form-response.json",
        "calendly-invitee-created.json",
        "pagerduty-incident-triggered.json",
    ],
)
def test_each_new_senders_sample_is_stored(receiver, sample):
    assert '"status":"stored"' in send(receiver, sample)


@pytest.mark.parametrize("sample", ["discord-application-authorized.json", "discord-ping.json"])
def test_discord_is_answered_204(receiver, sample):
    assert send(receiver, sample, "-o /dev/null -w 'HTTP %{http_code}'").strip().endswith("HTTP 204")


def test_zoom_url_validation_is_answered(receiver):
    assert '"encryptedToken":"' in send(receiver, "zoom-url-validation.json")


def test_twitch_challenge_is_answered_as_text(receiver):
    assert send(receiver, "twitch-verification.json").strip() == "pogchamp-kappa-360noscope-vohiyo"


def test_meta_get_check_is_answered_as_text(receiver):
    assert send(receiver, "meta-subscribe.json").strip() == "1158201444"


def test_clerk_user_created_then_deleted(receiver):
    assert '"status":"applied"' in send(receiver, "clerk-user-created.json")
    assert '"status":"applied"' in send(receiver, "clerk-user-deleted.json")


def test_invoke_like_make_invoke(receiver):
    signed = subprocess.run(
        ["target/debug/webhook-sign", "events/update.json"],
        cwd=ROOT, env=receiver["env"], capture_output=True, text=True, check=True,
    ).stdout
    (ROOT / ".cache/e2e-update.json").write_text(signed)
    out = sh(
        f"cargo lambda invoke webhook-receiver -A 127.0.0.1 -P {receiver['port']} "
        "--data-file .cache/e2e-update.json",
        receiver["env"],
    )
    assert "applied" in out, out


def test_items_in_dynamodb_local(receiver, dynamodb):
    user = dynamodb.get_item(
        TableName="app_clientA_events",
        Key={"pk": {"S": "USER#usr_0a1b2c3d"}, "sk": {"S": "META#latest"}},
        ConsistentRead=True,
    )["Item"]
    assert user["version"] == {"N": "2"}
    event = dynamodb.get_item(
        TableName="app_stripe_inbox_events",
        Key={"pk": {"S": "EVENT#evt_1QZ8Kt2eZvKYlo2CbGqLw0Hx"}, "sk": {"S": "EVENT"}},
        ConsistentRead=True,
    )["Item"]
    assert event["event_type"] == {"S": "customer.created"}


def readme_examples():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"<!-- example: (\S+) -->\n```sh\n(.*?)\n```", text, re.S)


@pytest.mark.parametrize("name,block", readme_examples(), ids=lambda v: v if len(v) < 40 else "")
def test_readme_hand_signing_examples_as_written(receiver, name, block):
    env = {**receiver["env"], "BASE": receiver["base"]}
    out = sh(block, env)
    assert '"status":"applied"' in out, f"{name}: {out}"


def test_there_are_readme_examples():
    assert {name for name, _ in readme_examples()} >= {"standard-webhooks", "stripe", "github", "slack", "shopify"}


def init(env, **overrides):
    """The real binary with a configuration: its exit code and output (it fails before serving)."""
    done = subprocess.run(
        ["target/debug/webhook-receiver"], cwd=ROOT, env={**env, **overrides},
        capture_output=True, text=True, timeout=30,
    )
    return done.returncode, done.stdout + done.stderr


def test_a_bad_secret_fails_init_without_printing_it(receiver):
    bad = "not-a-whsec-secret-1234567"
    code, out = init(
        receiver["env"],
        WEBHOOK_TENANTS='{"clientA":{"table":"app_clientA_events","secret_env":"BAD_SECRET"}}',
        BAD_SECRET=bad,
    )
    assert code != 0
    assert "tenant `clientA`, field `secret_env`" in out
    assert bad not in out


def test_a_secret_pasted_into_secret_env_is_not_printed(receiver):
    secret = receiver["env"]["WEBHOOK_SECRET_CLIENTA"]
    tenants = {"clientA": {"table": "app_clientA_events", "secret_env": secret}}
    code, out = init(receiver["env"], WEBHOOK_TENANTS=json.dumps(tenants))
    assert code != 0
    assert "field `secret_env`: names an environment variable that is not set" in out
    for part in secret.split():
        assert part.removeprefix("whsec_").removeprefix("whpk_") not in out


def test_nine_secrets_fail_init(receiver):
    nine = " ".join(f"rotation-secret-number-{i}" for i in range(1, 10))
    tenants = {"gh": {"table": "app_gh_events", "secret_env": "NINE", "scheme": "github", "format": "inbox"}}
    code, out = init(receiver["env"], WEBHOOK_TENANTS=json.dumps(tenants), NINE=nine)
    assert code != 0
    assert "tenant `gh`, field `secret_env`: lists 9 secrets; at most 8" in out


def test_an_inbox_ttl_inside_the_replay_window_fails_init(receiver):
    tenants = {"clientA": {"table": "app_clientA_events", "secret_env": "WEBHOOK_SECRET_CLIENTA"}}
    code, out = init(receiver["env"], WEBHOOK_TENANTS=json.dumps(tenants), WEBHOOK_INBOX_TTL_SECONDS="1")
    assert code != 0
    assert "WEBHOOK_INBOX_TTL_SECONDS: must exceed twice the largest tolerance (300 s)" in out


def test_a_missing_secret_arn_fails_init(receiver):
    if "AWS_ENDPOINT_URL_SECRETS_MANAGER" not in receiver["env"]:
        pytest.skip("no Secrets Manager endpoint (make test starts moto's)")
    missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook/missing-AbCdEf"
    tenants = {"clientA": {"table": "app_clientA_events", "secret_arn": missing}}
    code, out = init(receiver["env"], WEBHOOK_TENANTS=json.dumps(tenants))
    assert code != 0
    assert "field `secret_arn`: could not be read: ResourceNotFoundException" in out
