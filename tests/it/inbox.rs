//! `format: inbox` (SPEC §11) for every scheme over DynamoDB Local: real-shaped events stored as
//! received, under the sender's own event id where it signs one, once.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{json, Value};

use crate::support::*;
use webhook_receiver::signing::sign_as_demo;

/// An event for inbox tenant `slug`, shaped like its scheme's sample, with `body` and extra
/// headers, signed at the fixed clock.
fn inbox_event(slug: &str, body: &str, headers: &[(&str, &str)]) -> Value {
    let sample = match slug {
        "stripe-inbox" => "stripe-create.json",
        "github-inbox" => "github-create.json",
        "slack-inbox" => "slack-create.json",
        "shopify-inbox" => "shopify-create.json",
        _ => "create.json",
    };
    let mut ev = fixture(sample);
    ev["rawPath"] = json!(format!("/webhooks/{slug}"));
    ev["body"] = json!(body);
    for (name, value) in headers {
        ev["headers"][*name] = json!(value);
    }
    sign_as_demo(&mut ev, NOW_S).unwrap();
    ev
}

fn event_item_keys(item: &HashMap<String, AttributeValue>) -> Vec<&str> {
    let mut keys: Vec<&str> = item.keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

/// Every attribute an inbox item has (with an event type).
const ALL_ATTRIBUTES: [&str; 9] = [
    "body",
    "delivery_id",
    "event_time",
    "event_type",
    "expires_at",
    "payload_sha256",
    "pk",
    "received_at",
    "sk",
];

fn stripe_event(pending_webhooks: u32) -> String {
    json!({
        "id": "evt_1QZ8Kt2eZvKYlo2CbGqLw0Hx", "object": "event", "api_version": "2024-06-20",
        "created": 1_795_867_140,
        "data": {"object": {"id": "cus_R1nmT0Kq6XyWbd", "object": "customer", "email": "ana@example.com",
                            "metadata": {"#pk": "USER#evil", ":v": "1", "body": "not an attribute"}}},
        "livemode": false, "pending_webhooks": pending_webhooks,
        "request": {"id": "req_8Dn2bW3z1JZ6fK", "idempotency_key": "b6d8f6f1-5c2e-4f0e-9a5b-2d1c0e9f8a7b"},
        "type": "customer.created"
    })
    .to_string()
}

#[tokio::test]
async fn a_stripe_event_is_stored_as_received_under_its_own_id_once() {
    let t = TestApp::new().await;
    let reply = t.send("stripe-inbox-customer-created.json").await;
    assert_eq!(reply.result(), (200, "stored"), "{reply:?}");
    let body = fixture("stripe-inbox-customer-created.json")["body"]
        .as_str()
        .unwrap()
        .to_owned();
    let pk = "EVENT#evt_1QZ8Kt2eZvKYlo2CbGqLw0Hx";
    let item = t
        .item_in("stripe-inbox", pk, "EVENT")
        .await
        .expect("stored");
    assert_eq!(
        s(&item, "body").as_deref(),
        Some(body.as_str()),
        "byte for byte"
    );
    assert_eq!(
        s(&item, "delivery_id").as_deref(),
        Some("evt_1QZ8Kt2eZvKYlo2CbGqLw0Hx")
    );
    assert_eq!(s(&item, "event_type").as_deref(), Some("customer.created"));
    assert_eq!(num(&item, "event_time"), Some(1_795_867_140_000));
    assert_eq!(
        s(&item, "received_at").as_deref(),
        Some("2026-11-28T12:05:00Z")
    );
    assert_eq!(num(&item, "expires_at"), Some(NOW_S + 2_592_000));
    assert_eq!(s(&item, "payload_sha256").map(|h| h.len()), Some(64));
    // Payload keys such as `#pk`, `:v` and `body` never become attributes.
    assert_eq!(event_item_keys(&item), ALL_ATTRIBUTES.to_vec());

    // Stripe's retry differs in delivery bookkeeping: the same event, so a duplicate, and the
    // stored body is not overwritten.
    let retry = inbox_event("stripe-inbox", &stripe_event(2), &[]);
    assert_eq!(t.send_event(retry).await.result(), (200, "duplicate"));
    let again = t.item_in("stripe-inbox", pk, "EVENT").await.unwrap();
    assert_eq!(s(&again, "body").as_deref(), Some(body.as_str()));
    assert_eq!(t.item_count().await, 1);
}

#[tokio::test]
async fn a_slack_event_callback_is_stored_under_its_event_id() {
    let t = TestApp::new().await;
    let body = json!({
        "token": "XXYYZZ", "team_id": "T0001", "api_app_id": "A0KRD7HC3",
        "event": {"type": "team_join", "user": {"id": "W012A3CDE", "name": "ana", "real_name": "Ana"},
                  "event_ts": "1795867150.000100"},
        "type": "event_callback", "event_id": "Ev0PV52K21", "event_time": 1_795_867_150,
        "authorizations": [{"team_id": "T0001", "user_id": "U0001", "is_bot": true}]
    })
    .to_string();
    let ev = inbox_event("slack-inbox", &body, &[]);
    assert_eq!(t.send_event(ev.clone()).await.result(), (200, "stored"));
    let item = t
        .item_in("slack-inbox", "EVENT#Ev0PV52K21", "EVENT")
        .await
        .expect("stored");
    assert_eq!(s(&item, "event_type").as_deref(), Some("team_join"));
    assert_eq!(num(&item, "event_time"), Some(1_795_867_150_000));
    assert_eq!(s(&item, "body").as_deref(), Some(body.as_str()));
    // Slack retries the same event (a new signature, same event_id): a duplicate.
    assert_eq!(t.send_event(ev).await.result(), (200, "duplicate"));
    // Its endpoint check is still answered, not stored.
    let mut check = fixture("slack-url-verification.json");
    check["rawPath"] = json!("/webhooks/slack-inbox");
    sign_as_demo(&mut check, NOW_S).unwrap();
    let reply = t.send_event(check).await;
    assert_eq!(reply.status, 200);
    assert!(reply.body["challenge"].is_string(), "{reply:?}");
    assert_eq!(t.item_count().await, 1);
}

#[tokio::test]
async fn github_and_shopify_events_are_keyed_by_their_body_not_their_unsigned_headers() {
    let t = TestApp::new().await;
    let push =
        json!({"ref": "refs/heads/main", "before": "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
                      "after": "59b20b8d5c6ff8d09518454d4dd8b7a30f095ab5",
                      "repository": {"id": 35129377, "full_name": "octo-org/octo-repo"},
                      "pusher": {"name": "octocat"}, "commits": []})
        .to_string();
    let order = json!({"id": 820982911946154508_u64, "email": "jon@example.com"}).to_string();
    for (slug, body, type_header, kind, relabel, id_header) in [
        (
            "github-inbox",
            &push,
            "x-github-event",
            "push",
            "release",
            "x-github-delivery",
        ),
        (
            "shopify-inbox",
            &order,
            "x-shopify-topic",
            "customers/create",
            "customers/delete",
            "x-shopify-webhook-id",
        ),
    ] {
        let first_id = "d0b0c1a0-cc78-11e3-81ab-4c9367dc0958";
        let ev = inbox_event(slug, body, &[(type_header, kind), (id_header, first_id)]);
        assert_eq!(t.send_event(ev).await.result(), (200, "stored"), "{slug}");
        let key = format!("EVENT#sha256:{}", sha256_hex(body.as_bytes()));
        let item = t.item_in(slug, &key, "EVENT").await.expect("stored");
        assert_eq!(s(&item, "event_type").as_deref(), Some(kind));
        assert_eq!(s(&item, "sender_delivery_id").as_deref(), Some(first_id));
        assert_eq!(
            s(&item, "delivery_id"),
            Some(key["EVENT#".len()..].to_owned())
        );
        // Neither signs an event time: receipt time.
        assert_eq!(num(&item, "event_time"), Some(NOW_MS));
        let mut keys = event_item_keys(&item);
        keys.retain(|k| *k != "sender_delivery_id");
        assert_eq!(keys, ALL_ATTRIBUTES);

        // The issue's replay: the captured body under a fresh delivery id and a relabelled
        // event header (neither is signed) is the same event, not a new one.
        let replay = inbox_event(
            slug,
            body,
            &[
                (type_header, relabel),
                (id_header, "ffffffff-0000-4000-8000-000000000000"),
            ],
        );
        assert_eq!(
            t.send_event(replay).await.result(),
            (200, "duplicate"),
            "{slug}"
        );
        let again = t.item_in(slug, &key, "EVENT").await.unwrap();
        assert_eq!(again, item, "{slug}: nothing overwritten");
        // Only the body-keyed item exists.
        let count = t
            .client
            .scan()
            .table_name(t.table_of(slug))
            .send()
            .await
            .unwrap()
            .count;
        assert_eq!(count, 1, "{slug}");
    }

    // At an inbox tenant a ping is an event like any other: stored, not ignored.
    let mut ping = fixture("github-ping.json");
    ping["rawPath"] = json!("/webhooks/github-inbox");
    sign_as_demo(&mut ping, NOW_S).unwrap();
    assert_eq!(t.send_event(ping).await.result(), (200, "stored"));

    // An unsigned topic that is not a plain token is not kept.
    let other = json!({"id": 1, "email": "other@example.com"}).to_string();
    let ev = inbox_event(
        "shopify-inbox",
        &other,
        &[
            ("x-shopify-topic", "customers create <b>"),
            ("x-shopify-webhook-id", "b54557e4-0000"),
        ],
    );
    assert_eq!(t.send_event(ev).await.result(), (200, "stored"));
    let key = format!("EVENT#sha256:{}", sha256_hex(other.as_bytes()));
    let item = t.item_in("shopify-inbox", &key, "EVENT").await.unwrap();
    assert!(!item.contains_key("event_type"), "{item:?}");
}

#[tokio::test]
async fn a_standard_webhooks_event_uses_its_signed_id_and_time() {
    let t = TestApp::new().await;
    let body = json!({"type": "invoice.paid", "timestamp": "2026-11-28T12:04:00Z",
                      "data": {"invoice": "in_123", "amount": 4200}})
    .to_string();
    let ev = inbox_event(
        "standard-webhooks-inbox",
        &body,
        &[("webhook-id", "msg_inbox_0001")],
    );
    assert_eq!(t.send_event(ev.clone()).await.result(), (200, "stored"));
    let item = t
        .item_in("standard-webhooks-inbox", "EVENT#msg_inbox_0001", "EVENT")
        .await
        .expect("stored");
    assert_eq!(s(&item, "event_type").as_deref(), Some("invoice.paid"));
    assert_eq!(num(&item, "event_time"), Some(NOW_S * 1000));
    // The same delivery with another body: a duplicate, nothing overwritten.
    let other = inbox_event(
        "standard-webhooks-inbox",
        r#"{"type":"invoice.voided"}"#,
        &[("webhook-id", "msg_inbox_0001")],
    );
    assert_eq!(t.send_event(other).await.result(), (200, "duplicate"));
    let item = t
        .item_in("standard-webhooks-inbox", "EVENT#msg_inbox_0001", "EVENT")
        .await
        .unwrap();
    assert_eq!(s(&item, "body").as_deref(), Some(body.as_str()));
}

#[tokio::test]
async fn a_stripe_event_without_an_id_falls_back_to_the_body_hash() {
    let t = TestApp::new().await;
    let body = r#"{"object":"event","type":"customer.updated","created":1795867140}"#;
    let ev = inbox_event("stripe-inbox", body, &[]);
    assert_eq!(t.send_event(ev).await.result(), (200, "stored"));
    let pk = format!("EVENT#sha256:{}", sha256_hex(body.as_bytes()));
    assert!(
        t.item_in("stripe-inbox", &pk, "EVENT").await.is_some(),
        "{pk}"
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

#[tokio::test]
async fn malformed_bodies_and_ids_are_refused_and_nothing_is_written() {
    let t = TestApp::new().await;
    let cases: &[(&str, &str, u16, &str, Option<&str>)] = &[
        ("stripe-inbox", "[1, 2, 3]", 400, "invalid_json", None),
        (
            "standard-webhooks-inbox",
            r#"["an", "array"]"#,
            400,
            "invalid_json",
            None,
        ),
        ("github-inbox", "not json", 400, "invalid_json", None),
        (
            "slack-inbox",
            r#"{"a": 1} trailing"#,
            400,
            "invalid_json",
            None,
        ),
        (
            "stripe-inbox",
            r#"{"id": "evt_bad-id!", "type": "x"}"#,
            400,
            "invalid_payload",
            Some("id"),
        ),
        (
            "stripe-inbox",
            r#"{"id": 12345}"#,
            400,
            "invalid_payload",
            Some("id"),
        ),
        (
            "stripe-inbox",
            r#"{"id": null}"#,
            400,
            "invalid_payload",
            Some("id"),
        ),
        (
            "slack-inbox",
            r#"{"type": "event_callback", "event_id": null}"#,
            400,
            "invalid_payload",
            Some("event_id"),
        ),
        (
            "stripe-inbox",
            r#"{"id": "cus_not_an_event"}"#,
            400,
            "invalid_payload",
            Some("id"),
        ),
        (
            "stripe-inbox",
            r#"{"id": "evt_a", "id": "evt_b"}"#,
            400,
            "invalid_payload",
            Some("id"),
        ),
        (
            "slack-inbox",
            r#"{"type": "event_callback", "event_id": "not an id!"}"#,
            400,
            "invalid_payload",
            Some("event_id"),
        ),
    ];
    for (slug, body, status, code, path) in cases {
        let reply = t
            .send_event(inbox_event(slug, body, &[("x-github-event", "push")]))
            .await;
        assert_eq!(reply.result(), (*status, *code), "{slug}: {body}");
        if let Some(path) = path {
            assert_eq!(reply.body["details"][0]["path"], *path, "{slug}: {body}");
        }
        assert!(!reply.body.to_string().contains("not an id"));
    }
    assert_eq!(t.item_count().await, 0);
}

/// Only the key decides what an event is: a type given twice or a time too large to read is
/// left out (the type omitted, receipt time standing in), and the event is stored, not refused
/// (a 400 would make the sender retry and then drop it).
#[tokio::test]
async fn an_unreadable_type_or_time_is_left_out_not_refused() {
    let t = TestApp::new().await;
    let body =
        r#"{"id":"evt_1QZ8Kt2eZvKYlo2CUnreadable","type":"a.b","type":"c.d","created":1e400}"#;
    let reply = t.send_event(inbox_event("stripe-inbox", body, &[])).await;
    assert_eq!(reply.result(), (200, "stored"), "{reply:?}");
    let item = t
        .item_in(
            "stripe-inbox",
            "EVENT#evt_1QZ8Kt2eZvKYlo2CUnreadable",
            "EVENT",
        )
        .await
        .expect("stored");
    assert!(!item.contains_key("event_type"), "{item:?}");
    assert_eq!(num(&item, "event_time"), Some(NOW_MS));
    assert_eq!(s(&item, "body").as_deref(), Some(body));
}

/// Discord wants 204 without a body: stored events and its PING alike, the request id in
/// `X-Request-Id`; the outcome goes to the log line. A refusal is JSON as ever.
#[tokio::test]
async fn discord_is_answered_204_and_its_ping_writes_nothing() {
    let t = TestApp::new().await;
    let ev = signed("discord-application-authorized.json");
    let body = ev["body"].as_str().unwrap().to_owned();
    let (reply, outcome) = t.send_logged(ev.clone()).await;
    assert_eq!((reply.status, outcome), (204, "stored"), "{reply:?}");
    assert_eq!(reply.headers["x-request-id"], "req-test");
    assert_eq!(reply.raw, "");
    assert!(reply.headers.get("content-type").is_none(), "{reply:?}");
    let key = format!("EVENT#sha256:{}", sha256_hex(body.as_bytes()));
    let item = t
        .item_in("discord-inbox", &key, "EVENT")
        .await
        .expect("stored");
    assert_eq!(
        s(&item, "event_type").as_deref(),
        Some("APPLICATION_AUTHORIZED")
    );
    // Discord writes its event time without an offset: UTC.
    assert_eq!(num(&item, "event_time"), Some(1_795_867_140_123));
    let (again, outcome) = t.send_logged(ev).await;
    assert_eq!((again.status, outcome), (204, "duplicate"));

    let items = t.item_count().await;
    let (ping, outcome) = t.send_logged(signed("discord-ping.json")).await;
    assert_eq!((ping.status, outcome), (204, "ignored"));
    assert_eq!(
        (ping.raw.as_str(), &ping.headers["x-request-id"]),
        ("", &json!("req-test"))
    );
    assert_eq!(t.item_count().await, items, "a PING writes nothing");

    // Discord sends bad signatures on purpose and expects 401.
    let mut forged = signed("discord-ping.json");
    forged["headers"]["x-signature-ed25519"] = json!("00".repeat(64));
    let reply = t.send_event(forged).await;
    assert_eq!(reply.result(), (401, "signature_invalid"));
    assert_eq!(reply.body["request_id"], "req-test");
}

/// Twilio signs its public URL and its form parameters (or, for JSON, the body's hash in the
/// query): a form is stored exactly as received with `content_type` `form`, a JSON event with
/// `json`; a changed parameter, or a query Twilio did not sign, is 401; only a sender that sends
/// forms may send one (415 elsewhere).
#[tokio::test]
async fn twilio_forms_and_json_are_stored_as_received() {
    let t = TestApp::new().await;
    for (sample, content_type) in [
        ("twilio-message-received.json", "form"),
        ("twilio-json-event.json", "json"),
    ] {
        let ev = signed(sample);
        let body = ev["body"].as_str().unwrap().to_owned();
        assert_eq!(
            t.send_event(ev.clone()).await.result(),
            (200, "stored"),
            "{sample}"
        );
        let items = t.items_in("twilio-inbox").await;
        let item = items
            .iter()
            .find(|i| s(i, "body").as_deref() == Some(body.as_str()))
            .expect("stored as received");
        assert_eq!(s(item, "content_type").as_deref(), Some(content_type));
        assert_eq!(num(item, "event_time"), Some(NOW_MS));
        assert!(!item.contains_key("event_type"), "{item:?}");
        if content_type == "json" {
            // What was signed after the public URL keys it: for JSON, the query that carries
            // the body's hash.
            let query = ev["rawQueryString"].as_str().unwrap();
            assert!(query.contains(&sha256_hex(body.as_bytes())), "{query}");
            let key = format!(
                "EVENT#sha256:{}",
                sha256_hex(format!("?{query}").as_bytes())
            );
            assert_eq!(s(item, "pk").as_deref(), Some(key.as_str()));
        }
        assert_eq!(t.send_event(ev).await.result(), (200, "duplicate"));
    }
    assert_eq!(t.items_in("twilio-inbox").await.len(), 2);

    // A form's signature covers its parameters, not its bytes: the same parameters reordered,
    // re-encoded or repeated verify, and are the same delivery, never a new item.
    let original = signed("twilio-message-received.json");
    let body = original["body"].as_str().unwrap();
    let mut pairs: Vec<&str> = body.split('&').collect();
    pairs.reverse();
    let reordered = format!("{}&{}&", pairs.join("&"), pairs[0]);
    let mut replay = original.clone();
    replay["body"] = json!(reordered);
    assert_eq!(t.send_event(replay).await.result(), (200, "duplicate"));
    // Nor does a JSON request's signature carry a form of no parameters.
    let json_event = signed("twilio-json-event.json");
    for empty in ["", "&", "&&"] {
        let mut forged = json_event.clone();
        forged["headers"]["content-type"] = json!("application/x-www-form-urlencoded");
        forged["body"] = json!(empty);
        assert_eq!(
            t.send_event(forged).await.result(),
            (401, "signature_invalid"),
            "{empty:?}"
        );
    }
    assert_eq!(t.items_in("twilio-inbox").await.len(), 2);

    let mut tampered = signed("twilio-message-received.json");
    let body = tampered["body"].as_str().unwrap().replace("Hola", "Adios");
    tampered["body"] = json!(body);
    assert_eq!(
        t.send_event(tampered).await.result(),
        (401, "signature_invalid")
    );
    let mut requeried = signed("twilio-message-received.json");
    requeried["rawQueryString"] = json!("extra=1");
    assert_eq!(
        t.send_event(requeried).await.result(),
        (401, "signature_invalid")
    );
    let mut json_event = signed("twilio-json-event.json");
    json_event["rawQueryString"] = json!("");
    assert_eq!(
        t.send_event(json_event).await.result(),
        (401, "signature_invalid")
    );

    // A form to a sender that never sends one: 415, after the signature.
    let mut form = signed("stripe-inbox-customer-created.json");
    form["headers"]["content-type"] = json!("application/x-www-form-urlencoded");
    assert_eq!(
        t.send_event(form).await.result(),
        (415, "unsupported_media_type")
    );
}

/// Twilio's signed string runs the query and a form's parameters together, with no separator.
/// One captured request is one event however its text is moved between them: a JSON request's
/// query carried in a form's body, whole or split at any point, is 401; a form's query moved
/// into a parameter is the same delivery, `duplicate`. Nothing new is stored (SPEC §12, turn 4).
#[tokio::test]
async fn a_captured_twilio_request_is_one_event_however_it_is_split() {
    let t = TestApp::new().await;
    let json_event = signed("twilio-json-event.json");
    assert_eq!(
        t.send_event(json_event.clone()).await.result(),
        (200, "stored")
    );
    let query = json_event["rawQueryString"].as_str().unwrap().to_owned();
    let encode = |s: &str| s.replace('=', "%3D").replace('?', "%3F");
    let mut forgeries = 0;
    for at in 0..=query.len() {
        let (head, tail) = query.split_at(at);
        let mut forged = json_event.clone();
        forged["headers"]["content-type"] = json!("application/x-www-form-urlencoded");
        let (query, body) = if head.is_empty() {
            (String::new(), encode(&format!("?{tail}")))
        } else {
            (head.to_owned(), encode(tail))
        };
        forged["rawQueryString"] = json!(query);
        forged["body"] = json!(body);
        assert_eq!(
            t.send_event(forged).await.result(),
            (401, "signature_invalid"),
            "split at {at}"
        );
        forgeries += 1;
    }
    assert!(forgeries > 64, "{forgeries}");
    assert_eq!(t.items_in("twilio-inbox").await.len(), 1);

    // A form signed with a query: the query moved into a parameter (which sorts first) signs
    // the same string, and is the same delivery.
    let mut form = fixture("twilio-message-received.json");
    form["rawQueryString"] = json!("src=console");
    sign_as_demo(&mut form, NOW_S).unwrap();
    assert_eq!(t.send_event(form.clone()).await.result(), (200, "stored"));
    let mut moved = form.clone();
    moved["rawQueryString"] = json!("");
    moved["body"] = json!(format!(
        "%3Fsrc%3Dconsole=&{}",
        form["body"].as_str().unwrap()
    ));
    assert_eq!(t.send_event(moved).await.result(), (200, "duplicate"));
    let mut reencoded = form.clone();
    reencoded["body"] = json!(form["body"].as_str().unwrap().replace("%2C+", "%2C%20"));
    assert_eq!(t.send_event(reencoded).await.result(), (200, "duplicate"));
    assert_eq!(t.items_in("twilio-inbox").await.len(), 2);
}

#[tokio::test]
async fn an_inbox_put_reports_the_write_units_dynamodb_billed() {
    let t = TestApp::new().await;
    let event = signed("stripe-inbox-customer-created.json");
    let body_bytes = event["body"].as_str().unwrap().len() as f64;
    let (_, log) = t.handle_logged(event, "req-units").await;
    assert_eq!(log.outcome, "stored");
    // One PutItem: one unit per started KB of the item (the body and a few small attributes).
    let units = log.dynamodb_write_units.unwrap();
    assert!(
        units >= (body_bytes / 1024.0).ceil() && units <= (body_bytes / 1024.0).ceil() + 1.0,
        "{units} units for a {body_bytes}-byte body"
    );
}

/// Zoom signs no id: an event is keyed by its body, typed by `event`, timed by `event_ts` (ms).
/// Its `endpoint.url_validation` is answered with the token and the token's HMAC under the
/// tenant's secret token, and writes nothing; a token that could not be echoed safely is 400.
#[tokio::test]
async fn zoom_events_are_stored_and_its_url_validation_is_answered() {
    use hmac::{Hmac, KeyInit, Mac};
    let t = TestApp::new().await;
    let ev = signed("zoom-meeting-started.json");
    let body = ev["body"].as_str().unwrap().to_owned();
    assert_eq!(t.send_event(ev.clone()).await.result(), (200, "stored"));
    let key = format!("EVENT#sha256:{}", sha256_hex(body.as_bytes()));
    let item = t
        .item_in("zoom-inbox", &key, "EVENT")
        .await
        .expect("stored");
    assert_eq!(s(&item, "event_type").as_deref(), Some("meeting.started"));
    assert_eq!(num(&item, "event_time"), Some(1_795_867_200_123));
    assert_eq!(t.send_event(ev).await.result(), (200, "duplicate"));

    let reply = t.send_event(signed("zoom-url-validation.json")).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let mut mac =
        <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(demo_secret("zoom-inbox").as_bytes())
            .unwrap();
    mac.update(b"qgg8vlvZRS6UYooatFL8Aw");
    assert_eq!(
        reply.body,
        json!({
            "plainToken": "qgg8vlvZRS6UYooatFL8Aw",
            "encryptedToken": hex::encode(mac.finalize().into_bytes()),
            "request_id": "req-test",
        })
    );
    let mut hostile = fixture("zoom-url-validation.json");
    hostile["body"] = json!(
        r#"{"payload":{"plainToken":"<script>"},"event_ts":1,"event":"endpoint.url_validation"}"#
    );
    sign_as_demo(&mut hostile, NOW_S).unwrap();
    let reply = t.send_event(hostile).await;
    assert_eq!(reply.result(), (400, "invalid_payload"));
    assert_eq!(reply.body["details"][0]["path"], "payload.plainToken");
    assert!(!reply.raw.contains("script"), "{}", reply.raw);
    assert_eq!(t.item_count().await, 1);
}

/// Twitch signs its message id and time: a notification is stored under the id, typed by its
/// subscription, timed by the signed time; a retry (a new signature, the same id) is a duplicate;
/// a revocation is stored typed `revocation`; a `webhook_callback_verification` is answered with
/// its challenge as plain text and writes nothing, and a challenge unsafe to echo is 400.
#[tokio::test]
async fn twitch_notifications_revocations_and_its_challenge() {
    let t = TestApp::new().await;
    let ev = signed("twitch-channel-follow.json");
    assert_eq!(t.send_event(ev).await.result(), (200, "stored"));
    let item = t
        .item_in(
            "twitch-inbox",
            "EVENT#befa7b53-d79d-478f-86b9-120f112b044e",
            "EVENT",
        )
        .await
        .expect("stored under the signed id");
    assert_eq!(s(&item, "event_type").as_deref(), Some("channel.follow"));
    assert_eq!(num(&item, "event_time"), Some(NOW_S * 1000));
    let mut retry = fixture("twitch-channel-follow.json");
    sign_as_demo(&mut retry, NOW_S - 60).unwrap();
    assert_eq!(t.send_event(retry).await.result(), (200, "duplicate"));

    let revoked = signed("twitch-revocation.json");
    assert_eq!(t.send_event(revoked).await.result(), (200, "stored"));
    let item = t
        .item_in(
            "twitch-inbox",
            "EVENT#84c1e79a-2a4b-4c13-ba0b-4312293e9308",
            "EVENT",
        )
        .await
        .expect("stored");
    assert_eq!(s(&item, "event_type").as_deref(), Some("revocation"));

    let reply = t.send_event(signed("twitch-verification.json")).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.raw, "pogchamp-kappa-360noscope-vohiyo");
    assert_eq!(reply.headers["x-request-id"], "req-test");
    assert!(reply.headers["content-type"]
        .as_str()
        .unwrap()
        .starts_with("text/plain"));
    let mut hostile = fixture("twitch-verification.json");
    hostile["body"] = json!(r#"{"challenge":"<img src=x>","subscription":{}}"#);
    sign_as_demo(&mut hostile, NOW_S).unwrap();
    let reply = t.send_event(hostile).await;
    assert_eq!(reply.result(), (400, "invalid_payload"));
    assert!(!reply.raw.contains("img"), "{}", reply.raw);
    assert_eq!(t.item_count().await, 2);
}

/// Meta signs only the body: an event is keyed by its hash and typed by `object`. Its endpoint
/// check is a `GET` answered with the challenge as text only when the verify token is the
/// tenant's (403 otherwise, 400 for a challenge unsafe to echo); every other `GET` is 405.
#[tokio::test]
async fn meta_events_are_stored_and_its_get_check_needs_the_verify_token() {
    let t = TestApp::new().await;
    let ev = signed("meta-whatsapp-message.json");
    let body = ev["body"].as_str().unwrap().to_owned();
    assert_eq!(t.send_event(ev.clone()).await.result(), (200, "stored"));
    let key = format!("EVENT#sha256:{}", sha256_hex(body.as_bytes()));
    let item = t
        .item_in("meta-inbox", &key, "EVENT")
        .await
        .expect("stored");
    assert_eq!(
        s(&item, "event_type").as_deref(),
        Some("whatsapp_business_account")
    );
    assert_eq!(t.send_event(ev).await.result(), (200, "duplicate"));

    let (reply, outcome) = t.send_logged(fixture("meta-subscribe.json")).await;
    assert_eq!((reply.status, outcome), (200, "challenge"), "{reply:?}");
    assert_eq!(reply.raw, "1158201444");
    assert!(reply.headers["content-type"]
        .as_str()
        .unwrap()
        .starts_with("text/plain"));
    let get = |slug: &str, query: &str| {
        let mut ev = fixture("meta-subscribe.json");
        ev["rawPath"] = json!(format!("/webhooks/{slug}"));
        ev["rawQueryString"] = json!(query);
        ev
    };
    let token = "hub.verify_token=local-meta-inbox-verify-token";
    for (query, want) in [
        (
            "hub.mode=subscribe&hub.challenge=1&hub.verify_token=local-meta-inbox-verify-tokeN",
            (403, "forbidden"),
        ),
        ("hub.mode=subscribe&hub.challenge=1", (403, "forbidden")),
        (
            &format!("hub.mode=subscribe&hub.challenge=%3Cb%3E&{token}") as &str,
            (400, "invalid_payload"),
        ),
    ] {
        let reply = t.send_event(get("meta-inbox", query)).await;
        assert_eq!(reply.result(), want, "{query}");
        assert!(!reply.raw.contains("<b>"), "{}", reply.raw);
    }
    let query = format!("hub.mode=subscribe&hub.challenge=1&{token}");
    for slug in ["github-inbox", "no-such-tenant", "clientA"] {
        let reply = t.send_event(get(slug, &query)).await;
        assert_eq!(reply.result(), (405, "method_not_allowed"), "{slug}");
    }
    assert_eq!(t.item_count().await, 1);
}

/// Mailgun signs a time and a token inside the body, not the event: a delivery is stored under
/// its token, typed and timed by `event-data`; the same token again is a duplicate even when the
/// event beside it was changed (what TLS alone protects), and the first event is what stays; a
/// body without the signature object is 401 `signature_missing`.
#[tokio::test]
async fn mailgun_deliveries_are_keyed_by_their_signed_token() {
    const TOKEN: &str = "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0";
    let t = TestApp::new().await;
    let ev = signed("mailgun-delivered.json");
    let body = ev["body"].as_str().unwrap().to_owned();
    assert_eq!(t.send_event(ev.clone()).await.result(), (200, "stored"));
    let item = t
        .item_in("mailgun-inbox", &format!("EVENT#{TOKEN}"), "EVENT")
        .await
        .expect("stored under the token");
    assert_eq!(s(&item, "event_type").as_deref(), Some("delivered"));
    assert_eq!(num(&item, "event_time"), Some(1_795_867_200_329));
    assert_eq!(s(&item, "body").as_deref(), Some(body.as_str()));

    let mut changed = ev.clone();
    changed["body"] = json!(body.replace("\"delivered\"", "\"failed\""));
    assert_eq!(t.send_event(changed).await.result(), (200, "duplicate"));
    let item = t
        .item_in("mailgun-inbox", &format!("EVENT#{TOKEN}"), "EVENT")
        .await
        .unwrap();
    assert_eq!(s(&item, "event_type").as_deref(), Some("delivered"));

    let mut forged = ev.clone();
    forged["body"] = json!(body.replace(TOKEN, &TOKEN.replace('a', "b")));
    assert_eq!(
        t.send_event(forged).await.result(),
        (401, "signature_invalid")
    );
    let mut unsigned = ev;
    unsigned["body"] = json!(r#"{"event-data":{"event":"delivered"}}"#);
    assert_eq!(
        t.send_event(unsigned).await.result(),
        (401, "signature_missing")
    );
    assert_eq!(t.item_count().await, 1);
}

/// The long tail (SPEC §13.2): each sample is stored under the id its sender signs inside the
/// body (Calendly signs none: the body's hash), typed and timed by its own fields; the same
/// request again is a duplicate.
#[tokio::test]
async fn the_long_tail_keys_types_and_times_its_events() {
    let t = TestApp::new().await;
    let cases: &[(&str, Option<&str>, &str, i64)] = &[
        (
            "square-payment-created.json",
            Some("13b867cf-db3d-4b1c-90b6-2f32a9d78124"),
            "payment.created",
            1_795_867_200_123,
        ),
        (
            "telnyx-call-initiated.json",
            Some("0ccc7b54-4df3-4bca-a65a-3da1ecc777f0"),
            "call.initiated",
            1_795_867_199_123,
        ),
        (
            "intercom-conversation-created.json",
            Some("notif_ccd8a4d2-cf55-4d6d-9ad3-5f1aeba76b1e"),
            "conversation.user.created",
            1_795_867_198_000,
        ),
        (
            "typeform-form-response.json",
            Some("01KB9XW3P6N6S8Y7W2C1B5JH3Q"),
            "form_response",
            1_795_867_198_000,
        ),
        (
            "calendly-invitee-created.json",
            None,
            "invitee.created",
            1_795_867_197_000,
        ),
        (
            "pagerduty-incident-triggered.json",
            Some("01DEN4HPBQAAAG05V5QQYBRZMF"),
            "incident.triggered",
            1_795_867_196_112,
        ),
    ];
    for (sample, id, event_type, event_time) in cases {
        let ev = signed(sample);
        let slug = ev["rawPath"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();
        let key = match id {
            Some(id) => format!("EVENT#{id}"),
            None => format!(
                "EVENT#sha256:{}",
                sha256_hex(ev["body"].as_str().unwrap().as_bytes())
            ),
        };
        assert_eq!(
            t.send_event(ev.clone()).await.result(),
            (200, "stored"),
            "{sample}"
        );
        let item = t
            .item_in(&slug, &key, "EVENT")
            .await
            .unwrap_or_else(|| panic!("{sample}: {key}"));
        assert_eq!(
            s(&item, "event_type").as_deref(),
            Some(*event_type),
            "{sample}"
        );
        assert_eq!(num(&item, "event_time"), Some(*event_time), "{sample}");
        assert_eq!(
            t.send_event(ev).await.result(),
            (200, "duplicate"),
            "{sample}"
        );
    }
}
