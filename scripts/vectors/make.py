"""The senders' test vectors, made and checked by each provider's own library.

    make.py write   writes tests/vectors/<sender>.json (deterministic: fixed keys and times)
    make.py check   checks that each committed vector is what the library makes, and that the
                    library's own verifier agrees with each case's verdict

A vector file: {"sender", "made_by", "secret", "cases": [{"name", "headers", "body", "now",
"verdict"}]}, where verdict is "accept" or the receiver's 401 code. tests/it/senders.rs runs
every case through the receiver's verifier for that sender (tolerance 300 s).
Python's libraries here; Shopify's, GitHub's, Linear's and Zoom's (npm) are driven by npm.mjs,
run from here.
"""

import datetime
import json
import pathlib
import subprocess
import sys
from importlib.metadata import version
from unittest import mock

import base64
import contextlib
import io
import hashlib
import hmac
import importlib

import urllib.parse

import asyncio

import discord_interactions
from twitchAPI.eventsub.webhook import EventSubWebhook
from mailgun.security import SecurityGuard
from sendgrid.helpers.eventwebhook import EventWebhook
import hubspot.utils.signature as hubspot_signature
from hubspot.exceptions import InvalidSignatureTimestampError
from square.utils.webhooks_helper import verify_signature as square_verify_signature
import telnyx.lib.webhook_verification as telnyx_verification
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from twilio.request_validator import RequestValidator, get_signature_algorithm
import nacl.exceptions
import nacl.signing
import slack_sdk.signature
import standardwebhooks.webhooks
import stripe
from paddle_billing.Notifications import PaddleSignature, Secret, Verifier as PaddleVerifier
from workos.webhooks import _verification as workos_verification

# The module, not the class the package exports under the same name.
paddle_verifier_module = importlib.import_module("paddle_billing.Notifications.Verifier")

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "vectors"
T = 1_795_867_200  # 2026-11-28T12:00:00Z
TOLERANCE = 300


def at(seconds):
    """A patch that makes the libraries' clocks read `seconds`."""
    fixed = datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)

    class Clock(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return fixed

    return mock.patch.multiple(
        "time", time=lambda: float(seconds)
    ), mock.patch.object(standardwebhooks.webhooks, "datetime", Clock)


def case(name, headers, body, now, verdict):
    return {"name": name, "headers": headers, "body": body, "now": now, "verdict": verdict}


# --- Stripe ------------------------------------------------------------------------------------
STRIPE_SECRET = "whsec_vector_stripe_endpoint_secret"
STRIPE_OTHER = "whsec_vector_stripe_rotated_secret"
STRIPE_BODY = '{"id":"evt_1QZ8Kt2eZvKYlo2CbGqLw0Hx","object":"event","type":"customer.created","created":1795867140}'


def stripe_vector():
    sign = stripe.WebhookSignature.generate_signature_header
    good = sign(STRIPE_BODY, STRIPE_SECRET, timestamp=T)
    other = sign(STRIPE_BODY, STRIPE_OTHER, timestamp=T)
    # During a rotation Stripe sends one v1 per active secret.
    both = other + "," + good.split(",", 1)[1]
    h = lambda v: {"stripe-signature": v}
    return {
        "sender": "stripe",
        "made_by": f"stripe {version('stripe')} (PyPI): WebhookSignature.generate_signature_header",
        "secret": STRIPE_SECRET,
        "cases": [
            case("signed", h(good), STRIPE_BODY, T, "accept"),
            case("two v1 during a rotation", h(both), STRIPE_BODY, T + 60, "accept"),
            case("at the edge of the tolerance", h(good), STRIPE_BODY, T + TOLERANCE, "accept"),
            case("tampered byte", h(good), STRIPE_BODY.replace("created", "creatEd"), T, "signature_invalid"),
            case("another key", h(other), STRIPE_BODY, T, "signature_invalid"),
            case("stale", h(good), STRIPE_BODY, T + TOLERANCE + 1, "timestamp_out_of_tolerance"),
        ],
    }


def stripe_verifies(secret, c):
    clock, _ = at(c["now"])
    with clock:
        try:
            stripe.WebhookSignature.verify_header(
                c["body"], c["headers"].get("stripe-signature"), secret, tolerance=TOLERANCE
            )
            return True
        except stripe.SignatureVerificationError:
            return False


# --- Slack -------------------------------------------------------------------------------------
SLACK_SECRET = "vector0slack0signing0secret0value"
SLACK_BODY = '{"token":"Z","team_id":"T1DC2JH3J","type":"event_callback","event_id":"Ev0PV52K21","event_time":1795867140,"event":{"type":"message","text":"hi"}}'


class SlackClock(slack_sdk.signature.Clock):
    def __init__(self, now):
        self._now = now

    def now(self):
        return float(self._now)


def slack_vector():
    signer = slack_sdk.signature.SignatureVerifier(SLACK_SECRET, SlackClock(T))
    other = slack_sdk.signature.SignatureVerifier(SLACK_SECRET.upper(), SlackClock(T))
    ts = str(T)

    def h(verifier, body=SLACK_BODY):
        return {
            "x-slack-request-timestamp": ts,
            "x-slack-signature": verifier.generate_signature(timestamp=ts, body=body),
        }

    return {
        "sender": "slack",
        "made_by": f"slack_sdk {version('slack_sdk')} (PyPI): SignatureVerifier.generate_signature",
        "secret": SLACK_SECRET,
        "cases": [
            case("signed", h(signer), SLACK_BODY, T, "accept"),
            case("tampered byte", h(signer), SLACK_BODY.replace("hi", "hI"), T, "signature_invalid"),
            case("another key", h(other), SLACK_BODY, T, "signature_invalid"),
            case("stale", h(signer), SLACK_BODY, T + TOLERANCE + 1, "timestamp_out_of_tolerance"),
            case("from the future", h(signer), SLACK_BODY, T - TOLERANCE - 1, "timestamp_out_of_tolerance"),
        ],
    }


def slack_verifies(secret, c):
    v = slack_sdk.signature.SignatureVerifier(secret, SlackClock(c["now"]))
    return v.is_valid(
        body=c["body"],
        timestamp=c["headers"]["x-slack-request-timestamp"],
        signature=c["headers"]["x-slack-signature"],
    )


# --- Standard Webhooks -------------------------------------------------------------------------
SW_SECRET = "whsec_dmVjdG9yLXN0YW5kYXJkLXdlYmhvb2tzLWtleSE="
SW_OTHER = "whsec_YW5vdGhlci1zdGFuZGFyZC13ZWJob29rcy1rZXk="
SW_ID = "msg_2ZxY1vectorStandardWebhooks"
SW_BODY = '{"type":"invoice.paid","timestamp":"2026-11-28T12:00:00Z","data":{"id":"inv_1"}}'


def sw_vector():
    when = datetime.datetime.fromtimestamp(T, tz=datetime.timezone.utc)
    sig = standardwebhooks.webhooks.Webhook(SW_SECRET).sign(msg_id=SW_ID, timestamp=when, data=SW_BODY)
    other = standardwebhooks.webhooks.Webhook(SW_OTHER).sign(msg_id=SW_ID, timestamp=when, data=SW_BODY)

    def h(signature, msg_id=SW_ID):
        return {"webhook-id": msg_id, "webhook-timestamp": str(T), "webhook-signature": signature}

    return {
        "sender": "standard-webhooks",
        "made_by": f"standardwebhooks {version('standardwebhooks')} (PyPI): Webhook.sign",
        "secret": SW_SECRET,
        "cases": [
            case("signed", h(sig), SW_BODY, T, "accept"),
            case("two entries during a rotation", h(other + " " + sig), SW_BODY, T, "accept"),
            case("tampered byte", h(sig), SW_BODY.replace("paid", "Paid"), T, "signature_invalid"),
            case("another message id", h(sig, "msg_2ZxY1vectorOther"), SW_BODY, T, "signature_invalid"),
            case("another key", h(other), SW_BODY, T, "signature_invalid"),
            case("stale", h(sig), SW_BODY, T + TOLERANCE + 1, "timestamp_out_of_tolerance"),
        ],
    }


def sw_verifies(secret, c):
    clock, dt = at(c["now"])
    with clock, dt:
        try:
            standardwebhooks.webhooks.Webhook(secret).verify(c["body"], c["headers"])
            return True
        except standardwebhooks.webhooks.WebhookVerificationError:
            return False


# --- Standard Webhooks v1a (Ed25519) -----------------------------------------------------------
V1A_SEED = hashlib.sha256(b"vector standard webhooks v1a seed").digest()
V1A_OTHER_SEED = hashlib.sha256(b"vector standard webhooks v1a other seed").digest()


def v1a_vector():
    key = nacl.signing.SigningKey(V1A_SEED)
    other = nacl.signing.SigningKey(V1A_OTHER_SEED)
    whpk = "whpk_" + base64.b64encode(bytes(key.verify_key)).decode()
    ts = str(T)

    def entry(signing_key, msg_id=SW_ID, body=SW_BODY):
        signed = f"{msg_id}.{ts}.{body}".encode()
        return "v1a," + base64.b64encode(signing_key.sign(signed).signature).decode()

    def h(signature, msg_id=SW_ID):
        return {"webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": signature}

    return {
        "sender": "standard-webhooks",
        "made_by": f"PyNaCl {version('PyNaCl')} (PyPI): SigningKey.sign (Standard Webhooks v1a)",
        "secret": whpk,
        "cases": [
            case("signed", h(entry(key)), SW_BODY, T, "accept"),
            case("beside a v1 entry", h("v1,AAAA " + entry(key)), SW_BODY, T, "accept"),
            case("tampered byte", h(entry(key)), SW_BODY.replace("paid", "Paid"), T, "signature_invalid"),
            case("another message id", h(entry(key), "msg_2ZxY1vectorOther"), SW_BODY, T, "signature_invalid"),
            case("another key", h(entry(other)), SW_BODY, T, "signature_invalid"),
            case("stale", h(entry(key)), SW_BODY, T + TOLERANCE + 1, "timestamp_out_of_tolerance"),
        ],
    }


def v1a_verifies(secret, c):
    """PyNaCl's verify over `{id}.{timestamp}.{body}`, any v1a entry; the time as the spec says."""
    if abs(c["now"] - int(c["headers"]["webhook-timestamp"])) > TOLERANCE:
        return False
    key = nacl.signing.VerifyKey(base64.b64decode(secret.removeprefix("whpk_")))
    signed = f'{c["headers"]["webhook-id"]}.{c["headers"]["webhook-timestamp"]}.{c["body"]}'.encode()
    for entry in c["headers"]["webhook-signature"].split():
        if entry.startswith("v1a,"):
            try:
                key.verify(signed, base64.b64decode(entry[4:]))
                return True
            except (nacl.exceptions.BadSignatureError, ValueError):
                pass
    return False


# --- Paddle ------------------------------------------------------------------------------------
PADDLE_SECRET = "pdl_ntfset_01hvector00paddle00secret_vectorSecretValue"
PADDLE_OTHER = "pdl_ntfset_01hvector00paddle00rotated_vectorRotatedValue"
PADDLE_BODY = '{"event_id":"evt_01hv8x2acma2gz33q5b7ewcyb2","event_type":"subscription.created","occurred_at":"2026-11-28T11:59:00.000000Z","notification_id":"ntf_01hv8x2af6swzc2dyxhh7cj4hx","data":{"id":"sub_01hv8x29kz0t586xy6zn1a62ny"}}'


def paddle_vector():
    def h1(secret):
        return PaddleSignature.calculate_hmac(secret, f"{T}:{PADDLE_BODY}".encode()).hexdigest()

    def h(*hashes):
        return {"paddle-signature": ";".join([f"ts={T}"] + [f"h1={x}" for x in hashes])}

    return {
        "sender": "paddle",
        "made_by": f"paddle-python-sdk {version('paddle-python-sdk')} (PyPI): PaddleSignature.calculate_hmac",
        "secret": PADDLE_SECRET,
        "cases": [
            case("signed", h(h1(PADDLE_SECRET)), PADDLE_BODY, T, "accept"),
            case("two h1 during a rotation", h(h1(PADDLE_OTHER), h1(PADDLE_SECRET)), PADDLE_BODY, T, "accept"),
            case("tampered byte", h(h1(PADDLE_SECRET)), PADDLE_BODY.replace("created", "Created"), T, "signature_invalid"),
            case("another key", h(h1(PADDLE_OTHER)), PADDLE_BODY, T, "signature_invalid"),
            case("stale", h(h1(PADDLE_SECRET)), PADDLE_BODY, T + TOLERANCE + 1, "timestamp_out_of_tolerance"),
        ],
    }


class PaddleRequest:
    def __init__(self, c):
        self.headers = {"Paddle-Signature": c["headers"]["paddle-signature"]}
        self.body = c["body"].encode()


def paddle_verifies(secret, c):
    with mock.patch.object(paddle_verifier_module, "time", lambda: float(c["now"])):
        return bool(PaddleVerifier(maximum_variance=TOLERANCE).verify(PaddleRequest(c), Secret(secret)))


# --- WorkOS ------------------------------------------------------------------------------------
WORKOS_SECRET = "vector-workos-endpoint-secret-value"
WORKOS_BODY = '{"id":"event_01HV8X2ACMA2GZ33Q5B7EWCYB2","event":"user.created","data":{"id":"user_01HV8X2A"},"created_at":"2026-11-28T11:59:00.000Z"}'
WORKOS_T_MS = T * 1000 + 123


def workos_vector():
    # WorkOS's library verifies but does not sign: its verify_header's own computation, here.
    def h(secret, t_ms=WORKOS_T_MS):
        digest = hmac.new(secret.encode(), f"{t_ms}.{WORKOS_BODY}".encode(), hashlib.sha256).hexdigest()
        return {"workos-signature": f"t={t_ms}, v1={digest}"}

    return {
        "sender": "workos",
        "made_by": f"workos {version('workos')} (PyPI): webhooks verify_header (signed as it computes)",
        "secret": WORKOS_SECRET,
        "cases": [
            case("signed", h(WORKOS_SECRET), WORKOS_BODY, T, "accept"),
            case("tampered byte", h(WORKOS_SECRET), WORKOS_BODY.replace("user.created", "user.deleted"), T, "signature_invalid"),
            case("another key", h("another-workos-secret-value"), WORKOS_BODY, T, "signature_invalid"),
            case("stale, in milliseconds", h(WORKOS_SECRET), WORKOS_BODY, T + TOLERANCE + 1, "timestamp_out_of_tolerance"),
        ],
    }


def workos_verifies(secret, c):
    clock, _ = at(c["now"])
    with clock:
        try:
            workos_verification.verify_header(
                event_body=c["body"].encode(),
                event_signature=c["headers"]["workos-signature"],
                secret=secret,
                tolerance=TOLERANCE,
            )
            return True
        except ValueError:
            return False


# --- Discord -----------------------------------------------------------------------------------
DISCORD_SEED = hashlib.sha256(b"vector discord application seed").digest()
DISCORD_OTHER_SEED = hashlib.sha256(b"vector discord other seed").digest()
DISCORD_BODY = '{"version":1,"application_id":"1234567890123456789","type":1,"event":{"type":"APPLICATION_AUTHORIZED","timestamp":"2026-11-28T11:59:00.123456","data":{"integration_type":0,"user":{"id":"80351110224678912","username":"nelly"}}}}'


def discord_vector():
    key = nacl.signing.SigningKey(DISCORD_SEED)
    other = nacl.signing.SigningKey(DISCORD_OTHER_SEED)
    ts = str(T)

    def h(signing_key, body=DISCORD_BODY):
        signature = signing_key.sign(ts.encode() + body.encode()).signature.hex()
        return {"x-signature-ed25519": signature, "x-signature-timestamp": ts}

    return {
        "sender": "discord",
        "made_by": f"PyNaCl {version('PyNaCl')} (PyPI): SigningKey.sign, checked by discord-interactions {version('discord-interactions')}",
        "secret": bytes(key.verify_key).hex(),
        "cases": [
            case("signed", h(key), DISCORD_BODY, T, "accept"),
            case("tampered byte", h(key), DISCORD_BODY.replace("nelly", "Nelly"), T, "signature_invalid"),
            case("another key", h(other), DISCORD_BODY, T, "signature_invalid"),
            case("stale", h(key), DISCORD_BODY, T + TOLERANCE + 1, "timestamp_out_of_tolerance"),
        ],
    }


def discord_verifies(secret, c):
    """discord-interactions' verify_key; it checks no time, so the tolerance is SPEC 12's."""
    ts = c["headers"]["x-signature-timestamp"]
    if abs(c["now"] - int(ts)) > TOLERANCE:
        return False
    # The library prints the exception of a refused signature; that is not this script's output.
    with contextlib.redirect_stdout(io.StringIO()):
        return discord_interactions.verify_key(
            c["body"].encode(), c["headers"]["x-signature-ed25519"], ts, secret
        )


# --- Twilio ------------------------------------------------------------------------------------
TWILIO_TOKEN = "vector0twilio0auth0token00000000"
TWILIO_URL = "https://webhooks.example.com/webhooks/twilio-inbox"
TWILIO_FORM = {
    "AccountSid": "AC0123456789abcdef0123456789abcdef",
    "Body": "Hola, ¿qué tal?",
    "From": "+14155550100",
    "MessageSid": "SM0123456789abcdef0123456789abcdef",
    "To": "+14155550199",
}
TWILIO_JSON = '{"AccountSid":"AC0123456789abcdef0123456789abcdef","EventType":"com.twilio.messaging.message.delivered"}'
FORM_TYPE = "application/x-www-form-urlencoded"
SETTINGS = "x-twilio-webhooks-signature-settings"


def twilio_vector():
    v = RequestValidator(TWILIO_TOKEN)
    other = RequestValidator("another0twilio0auth0token0000000")
    form_body = urllib.parse.urlencode(TWILIO_FORM)
    port_url = TWILIO_URL.replace("webhooks.example.com", "webhooks.example.com:443")
    body_hash = v.compute_hash(TWILIO_JSON)
    json_query = f"bodySHA256={body_hash}"

    def c(name, signature, body, content_type, verdict, query=None, settings=None):
        headers = {"x-twilio-signature": signature, "content-type": content_type}
        if settings:
            headers[SETTINGS] = settings
        entry = case(name, headers, body, T, verdict)
        if query:
            entry["query"] = query
        return entry

    tampered = urllib.parse.urlencode({**TWILIO_FORM, "Body": "Hola"})
    reordered = urllib.parse.urlencode(dict(reversed(list(TWILIO_FORM.items()))))
    return {
        "sender": "twilio",
        "made_by": f"twilio {version('twilio')} (PyPI): RequestValidator.compute_signature",
        "secret": TWILIO_TOKEN,
        "public_url": TWILIO_URL,
        "cases": [
            c("form", v.compute_signature(TWILIO_URL, TWILIO_FORM), form_body, FORM_TYPE, "accept"),
            c("form, with a query", v.compute_signature(TWILIO_URL + "?a=1&b=2", TWILIO_FORM), form_body, FORM_TYPE, "accept", "a=1&b=2"),
            c("form, the URL signed with its default port", v.compute_signature(port_url, TWILIO_FORM), form_body, FORM_TYPE, "accept"),
            c("form, a tampered parameter", v.compute_signature(TWILIO_URL, TWILIO_FORM), tampered, FORM_TYPE, "signature_invalid"),
            c("form, another token", other.compute_signature(TWILIO_URL, TWILIO_FORM), form_body, FORM_TYPE, "signature_invalid"),
            c("form, its parameters in another order", v.compute_signature(TWILIO_URL, TWILIO_FORM), reordered, FORM_TYPE, "accept"),
            c("form, a SharedKey webhook's HMAC-SHA256", v.compute_signature(TWILIO_URL, TWILIO_FORM, "HMAC_SHA256"), form_body, FORM_TYPE, "accept", settings="key=vector,algorithm=HMAC_SHA256"),
            c("form, HMAC-SHA1 where SHA-256 is named", v.compute_signature(TWILIO_URL, TWILIO_FORM), form_body, FORM_TYPE, "signature_invalid", settings="key=vector,algorithm=HMAC_SHA256"),
            c("json, through bodySHA256", v.compute_signature(f"{TWILIO_URL}?{json_query}", {}), TWILIO_JSON, "application/json", "accept", json_query),
            c("json, a tampered body", v.compute_signature(f"{TWILIO_URL}?{json_query}", {}), TWILIO_JSON.replace("delivered", "failed"), "application/json", "signature_invalid", json_query),
        ],
    }


def twilio_verifies(secret, c):
    url = TWILIO_URL + (f"?{c['query']}" if c.get("query") else "")
    if c["headers"]["content-type"] == FORM_TYPE:
        params = dict(urllib.parse.parse_qsl(c["body"], keep_blank_values=True))
    else:
        params = c["body"]
    algorithm = get_signature_algorithm(c["headers"].get(SETTINGS))
    return RequestValidator(secret).validate(url, params, c["headers"]["x-twilio-signature"], algorithm)


# --- GitLab (no library: its documentation) ---------------------------------------------------
# GitLab's documentation, "Webhooks" > "Validate payloads by using a secret token": GitLab sends
# the secret token as it was entered in the `X-Gitlab-Token` header; nothing is signed. No GitLab
# library verifies webhooks, so the check is the documented comparison itself.
GITLAB_SECRET = "gitlab-vector-secret-token"
GITLAB_BODY = '{"object_kind":"push","event_name":"push","ref":"refs/heads/main","project_id":15}'
GITLAB_UUID = "3b8c2e4a-9f1d-4c6b-8a2e-5d7f0c1b9e33"


def gitlab_vector():
    def c(name, token, verdict):
        headers = {"x-gitlab-event-uuid": GITLAB_UUID}
        if token is not None:
            headers["x-gitlab-token"] = token
        return case(name, headers, GITLAB_BODY, T, verdict)

    return {
        "sender": "gitlab",
        "made_by": "GitLab's documentation (Webhooks: validate payloads by using a secret token; no library verifies them)",
        "secret": GITLAB_SECRET,
        "cases": [
            c("the token", GITLAB_SECRET, "accept"),
            c("another token", "gitlab-another-secret-token", "signature_invalid"),
            c("the token cut short", GITLAB_SECRET[:-1], "signature_invalid"),
            c("no token", None, "signature_missing"),
        ],
    }


def gitlab_verifies(secret, c):
    token = c["headers"].get("x-gitlab-token")
    return token is not None and hmac.compare_digest(token.encode(), secret.encode())


# --- Twitch EventSub ------------------------------------------------------------------------
TWITCH_SECRET = "vector-twitch-eventsub-secret"
TWITCH_ID = "befa7b53-d79d-478f-86b9-120f112b044e"
TWITCH_BODY = '{"subscription":{"id":"f1c2a387-161a-49f9-a165-0f21d7a4e1c4","type":"channel.follow","version":"2"},"event":{"user_login":"ünïcödé"}}'
TWITCH_TS = "2026-11-28T12:00:00.123456789Z"


def twitch_sign(secret, msg_id, ts, body):
    """The signature as twitchAPI's verifier computes it (it verifies, Twitch signs)."""
    mac = hmac.new(secret.encode(), (msg_id + ts + body).encode(), hashlib.sha256).hexdigest()
    return "sha256=" + mac


def twitch_vector():
    def c(name, signature, body, msg_id=TWITCH_ID, ts=TWITCH_TS, now=T, verdict="accept"):
        headers = {
            "twitch-eventsub-message-id": msg_id,
            "twitch-eventsub-message-timestamp": ts,
            "twitch-eventsub-message-type": "notification",
            "twitch-eventsub-message-signature": signature,
        }
        return case(name, headers, body, now, verdict)

    good = twitch_sign(TWITCH_SECRET, TWITCH_ID, TWITCH_TS, TWITCH_BODY)
    return {
        "sender": "twitch",
        "made_by": f"twitchAPI {version('twitchAPI')} (PyPI): EventSubWebhook._verify_signature (signed as it computes; it checks no time, so the tolerance is SPEC 13.2's)",
        "secret": TWITCH_SECRET,
        "cases": [
            c("signed", good, TWITCH_BODY),
            c("tampered byte", good, TWITCH_BODY.replace("follow", "Follow"), verdict="signature_invalid"),
            c("another id", good, TWITCH_BODY, msg_id="cefa7b53-d79d-478f-86b9-120f112b044e", verdict="signature_invalid"),
            c("another key", twitch_sign("vector-twitch-rotated-secret", TWITCH_ID, TWITCH_TS, TWITCH_BODY), TWITCH_BODY, verdict="signature_invalid"),
            c("stale", good, TWITCH_BODY, now=T + 301, verdict="timestamp_out_of_tolerance"),
        ],
    }


def twitch_verifies(secret, c):
    class Request:
        headers = {k.title(): v for k, v in c["headers"].items()}

        async def text(self):
            return c["body"]

    hook = object.__new__(EventSubWebhook)
    hook.secret = secret
    ok = asyncio.run(hook._verify_signature(Request()))
    ts = datetime.datetime.fromisoformat(c["headers"]["twitch-eventsub-message-timestamp"][:26] + "+00:00")
    return ok and abs(c["now"] - ts.timestamp()) <= TOLERANCE


# --- Meta (WhatsApp, Messenger, Instagram) -----------------------------------------------------
META_SECRET = "vector-meta-app-secret"
META_TOKEN = "vector-meta-verify-token"
META_BODY = '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"text":"ünïcödé"}}]}]}'


def meta_vector():
    """As Meta's documentation says (Graph API, Webhooks: "Validating payloads"): `sha256=` and the
    hex HMAC-SHA256 of the raw payload with the app secret. Meta publishes no verifier library."""
    def sig(secret, body):
        return "sha256=" + hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()

    def c(name, signature, body, verdict):
        headers = {} if signature is None else {"x-hub-signature-256": signature}
        return case(name, headers, body, T, verdict)

    good = sig(META_SECRET, META_BODY)
    return {
        "sender": "meta",
        "made_by": "Meta's documentation (Webhooks for the Graph API: Validating payloads, X-Hub-Signature-256; no library verifies them)",
        # The tenant's list: the app secret and the verify token (§13.2).
        "secret": f"{META_SECRET} verify_token:{META_TOKEN}",
        "cases": [
            c("signed", good, META_BODY, "accept"),
            c("tampered byte", good, META_BODY.replace("messages", "Messages"), "signature_invalid"),
            c("another key", sig("vector-meta-other-app-secret", META_BODY), META_BODY, "signature_invalid"),
            c("the sha1 form's prefix", "sha1=" + good[7:], META_BODY, "signature_invalid"),
            c("no signature", None, META_BODY, "signature_missing"),
        ],
    }


def meta_verifies(secret, c):
    app_secret = secret.split()[0]
    got = c["headers"].get("x-hub-signature-256", "")
    want = "sha256=" + hmac.new(app_secret.encode(), c["body"].encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(got, want)


# --- Mailgun ----------------------------------------------------------------------------------
MAILGUN_KEY = "vector-mailgun-webhook-signing-key"
MAILGUN_TOKEN = "5a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de"


def mailgun_body(timestamp, token, signature, event="delivered"):
    """A webhook as Mailgun posts it (application/json): the signature object beside event-data."""
    return json.dumps(
        {
            "signature": {"timestamp": timestamp, "token": token, "signature": signature},
            "event-data": {"event": event, "timestamp": 1795867140.329574, "recipient": "ünïcödé@example.com"},
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def mailgun_vector():
    """Signed as Mailgun's documentation says (hex HMAC-SHA256 of timestamp + token with the
    webhook signing key); checked by the `mailgun` library's SecurityGuard.verify_webhook."""
    def sig(key, timestamp, token):
        return hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()

    def c(name, body, now=T, verdict="accept"):
        return case(name, {"content-type": "application/json"}, body, now, verdict)

    ts = str(T)
    good = sig(MAILGUN_KEY, ts, MAILGUN_TOKEN)
    other_token = "6a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de"
    return {
        "sender": "mailgun",
        "made_by": f"mailgun {version('mailgun')} (PyPI): SecurityGuard.verify_webhook (max_age_seconds = SPEC 13.2's tolerance)",
        "secret": MAILGUN_KEY,
        "cases": [
            c("signed", mailgun_body(ts, MAILGUN_TOKEN, good)),
            # Mailgun signs no event: another event under the same signature is accepted.
            c("the event is not signed", mailgun_body(ts, MAILGUN_TOKEN, good, event="failed")),
            c("another token", mailgun_body(ts, other_token, good), verdict="signature_invalid"),
            c("another key", mailgun_body(ts, MAILGUN_TOKEN, sig("vector-mailgun-other-signing-key", ts, MAILGUN_TOKEN)), verdict="signature_invalid"),
            c("stale", mailgun_body(ts, MAILGUN_TOKEN, good), now=T + 301, verdict="timestamp_out_of_tolerance"),
            c("no signature object", '{"event-data":{"event":"delivered"}}', verdict="signature_missing"),
        ],
    }


def mailgun_verifies(secret, c):
    try:
        s = json.loads(c["body"])["signature"]
    except (KeyError, ValueError):
        return False
    with mock.patch("time.time", return_value=float(c["now"])):
        return SecurityGuard.verify_webhook(secret, s["token"], s["timestamp"], s["signature"], max_age_seconds=TOLERANCE)


# --- SendGrid (Event Webhook, signed) -----------------------------------------------------------
# A fixed key, signed deterministically (RFC 6979) so the file is the same each time.
SENDGRID_KEY = ec.derive_private_key(int.from_bytes(hashlib.sha256(b"vector sendgrid key").digest(), "big"), ec.SECP256R1())
SENDGRID_OTHER = ec.derive_private_key(int.from_bytes(hashlib.sha256(b"vector sendgrid other").digest(), "big"), ec.SECP256R1())
SENDGRID_BODY = '[{"email":"ünïcödé@example.com","event":"delivered","sg_event_id":"ZGVsaXZlcmVkLTAtMjQ5NDk4NzI","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0","timestamp":1795867140},{"email":"b@example.com","event":"open","sg_event_id":"b3BlbmVkLTEtMjQ5NDk4NzI","timestamp":1795867150}]\r\n'
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def sendgrid_public(key):
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def sendgrid_sign(key, ts, body):
    sig = key.sign((ts + body).encode(), ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    return base64.b64encode(sig).decode()


def sendgrid_vector():
    def c(name, signature, body=SENDGRID_BODY, ts=str(T), now=T, verdict="accept"):
        headers = {"content-type": "application/json", "x-twilio-email-event-webhook-timestamp": ts}
        if signature is not None:
            headers["x-twilio-email-event-webhook-signature"] = signature
        return case(name, headers, body, now, verdict)

    good = sendgrid_sign(SENDGRID_KEY, str(T), SENDGRID_BODY)
    r, s_ = decode_dss_signature(base64.b64decode(good))
    # The same signature with the other s (n - s): ECDSA accepts both, and signers differ.
    flipped = base64.b64encode(encode_dss_signature(r, P256_N - s_)).decode()
    return {
        "sender": "sendgrid",
        "made_by": f"sendgrid {version('sendgrid')} (PyPI): EventWebhook.verify_signature (signed with cryptography's ECDSA P-256; it checks no time, so the tolerance is SPEC 13.2's)",
        "secret": sendgrid_public(SENDGRID_KEY),
        "cases": [
            c("signed", good),
            c("the other s", flipped),
            c("tampered byte", good, body=SENDGRID_BODY.replace("open", "opan"), verdict="signature_invalid"),
            c("another time", good, ts=str(T + 1), now=T + 1, verdict="signature_invalid"),
            c("another key", sendgrid_sign(SENDGRID_OTHER, str(T), SENDGRID_BODY), verdict="signature_invalid"),
            c("stale", good, now=T + 301, verdict="timestamp_out_of_tolerance"),
            c("no signature", None, verdict="signature_missing"),
        ],
    }


def sendgrid_verifies(secret, c):
    signature = c["headers"].get("x-twilio-email-event-webhook-signature")
    if signature is None:
        return False
    ts = c["headers"]["x-twilio-email-event-webhook-timestamp"]
    ok = EventWebhook(secret).verify_signature(c["body"], signature, ts)
    return ok and abs(c["now"] - int(ts)) <= TOLERANCE


# --- HubSpot (signature v3) -----------------------------------------------------------------------
HUBSPOT_SECRET = "vector-hubspot-app-client-secret"
HUBSPOT_URL = "https://webhooks.example.com/webhooks/hubspot-inbox"
HUBSPOT_BODY = '[{"eventId":1795867140,"subscriptionId":7,"portalId":62515,"appId":54321,"occurredAt":1795867140000,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":123,"changeSource":"CRM","propertyName":"firstname","propertyValue":"Ünïcödé"}]'
HUBSPOT_T_MS = str(T * 1000 + 123)
# HubSpot's documentation (Webhooks: validating requests, signature v3) lists the escapes it
# decodes in the URI before signing; the library takes the URI already decoded.
HUBSPOT_DECODED = {"%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$",
                   "%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";"}


def hubspot_uri(query):
    uri = HUBSPOT_URL + (f"?{query}" if query else "")
    for escape, char in HUBSPOT_DECODED.items():
        uri = uri.replace(escape, char).replace(escape.lower(), char)
    return uri


def hubspot_vector():
    def sig(secret, query=None, body=HUBSPOT_BODY, t=HUBSPOT_T_MS):
        return hubspot_signature.Signature.get_signature(secret, body, "v3", hubspot_uri(query), "POST", t)

    def c(name, signature, body=HUBSPOT_BODY, query=None, now=T, verdict="accept"):
        headers = {"content-type": "application/json", "x-hubspot-request-timestamp": HUBSPOT_T_MS}
        if signature is not None:
            headers["x-hubspot-signature-v3"] = signature
        out = case(name, headers, body, now, verdict)
        if query is not None:
            out["query"] = query
        return out

    good = sig(HUBSPOT_SECRET)
    query = "portal=62515&from=a%3Ab%2Cc%20d"
    return {
        "sender": "hubspot",
        "made_by": f"hubspot-api-client {version('hubspot-api-client')} (PyPI): hubspot.utils.signature.Signature (v3), the URI decoded as HubSpot's documentation lists",
        "secret": HUBSPOT_SECRET,
        "public_url": HUBSPOT_URL,
        "cases": [
            c("signed", good),
            c("signed with a query, its listed escapes decoded", sig(HUBSPOT_SECRET, query), query=query),
            c("a query the signature does not cover", good, query="portal=62515", verdict="signature_invalid"),
            c("tampered byte", good, body=HUBSPOT_BODY.replace("firstname", "lastname"), verdict="signature_invalid"),
            c("another key", sig("vector-hubspot-other-client-secret"), verdict="signature_invalid"),
            c("stale", good, now=T + 301, verdict="timestamp_out_of_tolerance"),
            c("no signature", None, verdict="signature_missing"),
        ],
    }


def hubspot_verifies(secret, c):
    signature = c["headers"].get("x-hubspot-signature-v3")
    if signature is None:
        return False
    ts = c["headers"]["x-hubspot-request-timestamp"]
    fixed = datetime.datetime.fromtimestamp(c["now"], tz=datetime.timezone.utc)

    class Clock(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return fixed

    with mock.patch.object(hubspot_signature, "datetime", Clock):
        try:
            ok = hubspot_signature.Signature.is_valid(
                signature, secret, c["body"], hubspot_uri(c.get("query")), "POST", "v3", ts
            )
        except InvalidSignatureTimestampError:
            return False
    # The library refuses only the past; SPEC 13.2's tolerance holds both ways.
    return ok and abs(c["now"] * 1000 - int(ts)) <= TOLERANCE * 1000


# --- Square ------------------------------------------------------------------------------------
SQUARE_KEY = "vector-square-signature-key"
SQUARE_URL = "https://webhooks.example.com/webhooks/square-inbox"
SQUARE_BODY = '{"merchant_id":"6SSW7HV8K2ST5","type":"payment.created","event_id":"13b867cf-db3d-4b1c-90b6-2f32a9d78124","created_at":"2026-11-28T11:59:00.123Z","data":{"note":"Ünïcödé"}}'


def square_vector():
    """Signed as Square's documentation says (base64 HMAC-SHA256 of the notification URL and the
    body); checked by squareup's webhooks helper."""
    def sig(key, url=SQUARE_URL, body=SQUARE_BODY):
        return base64.b64encode(hmac.new(key.encode(), (url + body).encode(), hashlib.sha256).digest()).decode()

    def c(name, signature, body=SQUARE_BODY, query=None, verdict="accept"):
        headers = {"content-type": "application/json"}
        if signature is not None:
            headers["x-square-hmacsha256-signature"] = signature
        out = case(name, headers, body, T, verdict)
        if query is not None:
            out["query"] = query
        return out

    good = sig(SQUARE_KEY)
    return {
        "sender": "square",
        "made_by": f"squareup {version('squareup')} (PyPI): square.utils.webhooks_helper.verify_signature (no time is signed)",
        "secret": SQUARE_KEY,
        "public_url": SQUARE_URL,
        "cases": [
            c("signed", good),
            c("signed with a query", sig(SQUARE_KEY, SQUARE_URL + "?a=1"), query="a=1"),
            c("a query the signature does not cover", good, query="a=1", verdict="signature_invalid"),
            c("tampered byte", good, body=SQUARE_BODY.replace("created", "Created"), verdict="signature_invalid"),
            c("another key", sig("vector-square-other-signature-key"), verdict="signature_invalid"),
            c("no signature", None, verdict="signature_missing"),
        ],
    }


def square_verifies(secret, c):
    signature = c["headers"].get("x-square-hmacsha256-signature")
    if signature is None:
        return False
    url = SQUARE_URL + (f"?{c['query']}" if c.get("query") else "")
    return square_verify_signature(request_body=c["body"], signature_header=signature, signature_key=secret, notification_url=url)


# --- Telnyx ------------------------------------------------------------------------------------
TELNYX_KEY = nacl.signing.SigningKey(hashlib.sha256(b"vector telnyx key").digest())
TELNYX_OTHER = nacl.signing.SigningKey(hashlib.sha256(b"vector telnyx other key").digest())
TELNYX_BODY = '{"data":{"event_type":"call.initiated","id":"0ccc7b54-4df3-4bca-a65a-3da1ecc777f0","occurred_at":"2026-11-28T11:59:59.123456Z","payload":{"from":"+18005550199"},"record_type":"event"},"meta":{"attempt":1}}'


def telnyx_vector():
    """Signed with PyNaCl as Telnyx signs (Ed25519 of `{timestamp}|{body}`); checked by the
    telnyx library's verify_webhook_signature."""
    def sig(key, ts=str(T), body=TELNYX_BODY):
        return base64.b64encode(key.sign((ts + "|" + body).encode()).signature).decode()

    def c(name, signature, body=TELNYX_BODY, ts=str(T), now=T, verdict="accept"):
        headers = {"content-type": "application/json", "telnyx-timestamp": ts}
        if signature is not None:
            headers["telnyx-signature-ed25519"] = signature
        return case(name, headers, body, now, verdict)

    good = sig(TELNYX_KEY)
    return {
        "sender": "telnyx",
        "made_by": f"telnyx {version('telnyx')} (PyPI): telnyx.lib.webhook_verification.verify_webhook_signature (signed with PyNaCl)",
        "secret": base64.b64encode(bytes(TELNYX_KEY.verify_key)).decode(),
        "cases": [
            c("signed", good),
            c("tampered byte", good, body=TELNYX_BODY.replace("initiated", "Initiated"), verdict="signature_invalid"),
            c("another time", good, ts=str(T + 1), now=T + 1, verdict="signature_invalid"),
            c("another key", sig(TELNYX_OTHER), verdict="signature_invalid"),
            c("stale", good, now=T + 301, verdict="timestamp_out_of_tolerance"),
            c("no signature", None, verdict="signature_missing"),
        ],
    }


def telnyx_verifies(secret, c):
    with mock.patch.object(telnyx_verification.time, "time", return_value=float(c["now"])):
        try:
            telnyx_verification.verify_webhook_signature(c["body"], c["headers"], secret)
        except telnyx_verification.WebhookVerificationError:
            return False
    return True


# --- Intercom, Typeform, Calendly, PagerDuty: their documentation (none publishes a verifier) ----
def hmac_of(key, message, digest=hashlib.sha256):
    return hmac.new(key.encode(), message.encode(), digest)


INTERCOM_SECRET = "vector-intercom-client-secret"
INTERCOM_BODY = '{"type":"notification_event","id":"notif_ccd8a4d2-cf55-4d6d-9ad3-5f1aeba76b1e","topic":"conversation.user.created","created_at":1795867140,"data":{"item":{"type":"conversation","id":"147","body":"Ünïcödé"}}}'


def intercom_vector():
    """Intercom's documentation (Webhooks: signed notifications): `X-Hub-Signature: sha1=` and
    the hex HMAC-SHA1 of the body with the app's client secret."""
    def c(name, signature, body=INTERCOM_BODY, verdict="accept"):
        headers = {"content-type": "application/json"}
        if signature is not None:
            headers["x-hub-signature"] = signature
        return case(name, headers, body, T, verdict)

    good = "sha1=" + hmac_of(INTERCOM_SECRET, INTERCOM_BODY, hashlib.sha1).hexdigest()
    return {
        "sender": "intercom",
        "made_by": "Intercom's documentation (Webhooks: Signed notifications, X-Hub-Signature; no library verifies them)",
        "secret": INTERCOM_SECRET,
        "cases": [
            c("signed", good),
            c("tampered byte", good, body=INTERCOM_BODY.replace("147", "148"), verdict="signature_invalid"),
            c("another key", "sha1=" + hmac_of("vector-intercom-other-secret", INTERCOM_BODY, hashlib.sha1).hexdigest(), verdict="signature_invalid"),
            c("the SHA-256 form", "sha256=" + hmac_of(INTERCOM_SECRET, INTERCOM_BODY).hexdigest(), verdict="signature_invalid"),
            c("no signature", None, verdict="signature_missing"),
        ],
    }


def intercom_verifies(secret, c):
    want = "sha1=" + hmac_of(secret, c["body"], hashlib.sha1).hexdigest()
    return hmac.compare_digest(c["headers"].get("x-hub-signature", ""), want)


TYPEFORM_SECRET = "vector-typeform-webhook-secret"
TYPEFORM_BODY = '{"event_id":"01KB9XW3P6N6S8Y7W2C1B5JH3Q","event_type":"form_response","form_response":{"form_id":"lT4Z3j","submitted_at":"2026-11-28T11:59:00Z","answers":[{"type":"text","text":"Ünïcödé"}]}}'


def typeform_vector():
    """Typeform's documentation (Webhooks: Secure your webhooks): `Typeform-Signature: sha256=`
    and the base64 HMAC-SHA256 of the payload with the webhook's secret."""
    def sig(secret, body=TYPEFORM_BODY):
        return "sha256=" + base64.b64encode(hmac_of(secret, body).digest()).decode()

    def c(name, signature, body=TYPEFORM_BODY, verdict="accept"):
        headers = {"content-type": "application/json"}
        if signature is not None:
            headers["typeform-signature"] = signature
        return case(name, headers, body, T, verdict)

    good = sig(TYPEFORM_SECRET)
    return {
        "sender": "typeform",
        "made_by": "Typeform's documentation (Webhooks: Secure your webhooks, Typeform-Signature; no library verifies them)",
        "secret": TYPEFORM_SECRET,
        "cases": [
            c("signed", good),
            c("tampered byte", good, body=TYPEFORM_BODY.replace("lT4Z3j", "lT4Z3k"), verdict="signature_invalid"),
            c("another key", sig("vector-typeform-other-secret"), verdict="signature_invalid"),
            c("hex instead of base64", "sha256=" + hmac_of(TYPEFORM_SECRET, TYPEFORM_BODY).hexdigest(), verdict="signature_invalid"),
            c("no signature", None, verdict="signature_missing"),
        ],
    }


def typeform_verifies(secret, c):
    want = "sha256=" + base64.b64encode(hmac_of(secret, c["body"]).digest()).decode()
    return hmac.compare_digest(c["headers"].get("typeform-signature", ""), want)


CALENDLY_KEY = "vector-calendly-webhook-signing-key"
CALENDLY_BODY = '{"created_at":"2026-11-28T11:59:00.000000Z","created_by":"https://api.calendly.com/users/AAAA","event":"invitee.created","payload":{"name":"Ünïcödé"}}'


def calendly_vector():
    """Calendly's documentation (Webhook signatures): `Calendly-Webhook-Signature: t=<s>,v1=<hex>`,
    the hex HMAC-SHA256 of `{t}.{body}` with the webhook signing key."""
    def sig(key, t=T, body=CALENDLY_BODY):
        return f"t={t},v1=" + hmac_of(key, f"{t}.{body}").hexdigest()

    def c(name, signature, body=CALENDLY_BODY, now=T, verdict="accept"):
        headers = {"content-type": "application/json"}
        if signature is not None:
            headers["calendly-webhook-signature"] = signature
        return case(name, headers, body, now, verdict)

    good = sig(CALENDLY_KEY)
    return {
        "sender": "calendly",
        "made_by": "Calendly's documentation (Webhook signatures, Calendly-Webhook-Signature; no library verifies them)",
        "secret": CALENDLY_KEY,
        "cases": [
            c("signed", good),
            c("tampered byte", good, body=CALENDLY_BODY.replace("created", "Created"), verdict="signature_invalid"),
            c("another time", good.replace(f"t={T}", f"t={T + 1}"), verdict="signature_invalid"),
            c("another key", sig("vector-calendly-other-signing-key"), verdict="signature_invalid"),
            c("stale", good, now=T + 301, verdict="timestamp_out_of_tolerance"),
            c("no signature", None, verdict="signature_missing"),
        ],
    }


def calendly_verifies(secret, c):
    header = c["headers"].get("calendly-webhook-signature", "")
    items = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if "t" not in items or "v1" not in items:
        return False
    want = hmac_of(secret, f"{items['t']}.{c['body']}").hexdigest()
    return hmac.compare_digest(items["v1"], want) and abs(c["now"] - int(items["t"])) <= TOLERANCE


PAGERDUTY_SECRET = "vector-pagerduty-webhook-secret"
PAGERDUTY_BODY = '{"event":{"id":"01DEN4HPBQAAAG05V5QQYBRZMF","event_type":"incident.triggered","resource_type":"incident","occurred_at":"2026-11-28T11:59:00.112Z","data":{"id":"PGR0VU2","title":"Ünïcödé"}}}'


def pagerduty_vector():
    """PagerDuty's documentation (Webhooks v3: verifying signatures): `X-PagerDuty-Signature`
    holds `v1=<hex HMAC-SHA256 of the body>` entries, comma-separated, one per secret."""
    def sig(secret):
        return "v1=" + hmac_of(secret, PAGERDUTY_BODY).hexdigest()

    def c(name, signature, body=PAGERDUTY_BODY, verdict="accept"):
        headers = {"content-type": "application/json"}
        if signature is not None:
            headers["x-pagerduty-signature"] = signature
        return case(name, headers, body, T, verdict)

    good, other = sig(PAGERDUTY_SECRET), sig("vector-pagerduty-other-secret")
    return {
        "sender": "pagerduty",
        "made_by": "PagerDuty's documentation (Webhooks v3: Verifying Signatures, X-PagerDuty-Signature; no library verifies them)",
        "secret": PAGERDUTY_SECRET,
        "cases": [
            c("signed", good),
            c("two secrets, ours second", f"{other},{good}"),
            c("another version beside ours", f"v2=abc,{good}"),
            c("tampered byte", good, body=PAGERDUTY_BODY.replace("PGR0VU2", "PGR0VU3"), verdict="signature_invalid"),
            c("another key", other, verdict="signature_invalid"),
            c("no signature", None, verdict="signature_missing"),
        ],
    }


def pagerduty_verifies(secret, c):
    want = "v1=" + hmac_of(secret, c["body"]).hexdigest()
    entries = [e.strip() for e in c["headers"].get("x-pagerduty-signature", "").split(",")]
    return any(hmac.compare_digest(e, want) for e in entries)


PYTHON = {
    "stripe": (stripe_vector, stripe_verifies),
    "slack": (slack_vector, slack_verifies),
    "standard-webhooks": (sw_vector, sw_verifies),
    "standard-webhooks-v1a": (v1a_vector, v1a_verifies),
    "paddle": (paddle_vector, paddle_verifies),
    "workos": (workos_vector, workos_verifies),
    "discord": (discord_vector, discord_verifies),
    "twilio": (twilio_vector, twilio_verifies),
    "gitlab": (gitlab_vector, gitlab_verifies),
    "twitch": (twitch_vector, twitch_verifies),
    "meta": (meta_vector, meta_verifies),
    "mailgun": (mailgun_vector, mailgun_verifies),
    "sendgrid": (sendgrid_vector, sendgrid_verifies),
    "hubspot": (hubspot_vector, hubspot_verifies),
    "square": (square_vector, square_verifies),
    "telnyx": (telnyx_vector, telnyx_verifies),
    "intercom": (intercom_vector, intercom_verifies),
    "typeform": (typeform_vector, typeform_verifies),
    "calendly": (calendly_vector, calendly_verifies),
    "pagerduty": (pagerduty_vector, pagerduty_verifies),
}


NPM = ["github", "shopify", "linear", "zoom"]


def npm(sender, mode):
    """npm.mjs, run beside the packages it imports (ES modules resolve from their own folder)."""
    home = ROOT / ".cache" / "vectors-node"
    script = home / "npm.mjs"
    script.write_text((ROOT / "scripts" / "vectors" / "npm.mjs").read_text())
    run = subprocess.run(
        ["node", str(script), sender, mode, str(ROOT)], check=True, capture_output=True, text=True
    )
    return run.stdout


def path(sender):
    return OUT / f"{sender}.json"


def text(vector):
    return json.dumps(vector, indent=2, ensure_ascii=False) + "\n"


def main(mode):
    failures = []
    for name, (make, verifies) in PYTHON.items():
        vector = make()
        sender = name
        if mode == "write":
            path(sender).write_text(text(vector))
            continue
        committed = json.loads(path(sender).read_text())
        if committed != vector:
            failures.append(f"{sender}: tests/vectors/{sender}.json is not what {vector['made_by']} makes")
        for c in committed["cases"]:
            if verifies(committed["secret"], c) != (c["verdict"] == "accept"):
                failures.append(f"{sender}: the library disagrees with case {c['name']!r}")
    for sender in NPM:
        if mode == "write":
            path(sender).write_text(npm(sender, "write"))
        else:
            failures += [line for line in npm(sender, "check").splitlines() if line.strip()]
    for f in failures:
        print("vectors:", f, file=sys.stderr)
    if failures:
        sys.exit(1)
    print(f"vectors: {len(PYTHON) + len(NPM)} files, every case as its provider's library says", file=sys.stderr)


if __name__ == "__main__":
    if sys.argv[1:] not in (["write"], ["check"]):
        sys.exit("usage: make.py write|check")
    main(sys.argv[1])
