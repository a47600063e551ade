//! Every sender scheme end to end: fixtures from events/ through the Lambda adapter over DynamoDB
//! Local, with the same payload contract as the default scheme.

use serde_json::{json, Value};

use crate::support::*;
use webhook_receiver::signature::HeaderRole;
use webhook_receiver::signing::{sign_as_demo, sign_event};

const FIXTURES: [(&str, &str); 4] = [
    ("stripe-create.json", "stripe"),
    ("github-create.json", "github"),
    ("slack-create.json", "slack"),
    ("shopify-create.json", "shopify"),
];

/// The signature header each fixture's scheme uses, as its sender declares it.
fn signature_header(scheme: &str) -> &'static str {
    webhook_receiver::signature::sender(scheme)
        .and_then(|s| s.header_names(HeaderRole::Signature).next())
        .unwrap_or_else(|| panic!("no signature header for {scheme}"))
}

fn signed_at(fixture_name: &str, now_s: i64) -> Value {
    let mut ev = fixture(fixture_name);
    sign_as_demo(&mut ev, now_s).unwrap();
    ev
}

#[tokio::test]
async fn each_scheme_applies_then_recognises_its_duplicate() {
    let t = TestApp::new().await;
    for (fixture_name, scheme) in FIXTURES {
        assert_eq!(
            t.send(fixture_name).await.result(),
            (200, "applied"),
            "{scheme}"
        );
        // A retry re-signed a minute later is still the same delivery.
        let retry = signed_at(fixture_name, NOW_S - 60);
        assert_eq!(
            t.send_event(retry).await.result(),
            (200, "duplicate"),
            "{scheme}"
        );
    }
    // Same payload contract: the users exist with version 1, each in its tenant's table.
    for (slug, user) in [
        ("stripe-v1", "usr_57e1fe00"),
        ("github-v1", "usr_91700b00"),
        ("slack-v1", "usr_51ac0000"),
        ("shopify-v1", "usr_5a0b1f00"),
    ] {
        assert_eq!(
            num(&t.user_in(slug, user).await.unwrap(), "version"),
            Some(1),
            "{user}"
        );
        assert!(
            t.user(user).await.is_none(),
            "{user} leaked into clientA's table"
        );
    }
}

#[tokio::test]
async fn wrong_secret_and_flipped_byte_are_signature_invalid() {
    let t = TestApp::new().await;
    for (fixture_name, scheme) in FIXTURES {
        let mut ev = fixture(fixture_name);
        sign_event(&mut ev, "not-the-tenant-secret", NOW_S).unwrap();
        assert_eq!(
            t.send_event(ev).await.result(),
            (401, "signature_invalid"),
            "{scheme}"
        );

        let mut ev = signed(fixture_name);
        let body = ev["body"].as_str().unwrap().replacen("create", "crea7e", 1);
        ev["body"] = json!(body);
        assert_eq!(
            t.send_event(ev).await.result(),
            (401, "signature_invalid"),
            "{scheme}"
        );
    }
    assert_eq!(t.item_count().await, 0);
}

#[tokio::test]
async fn missing_and_malformed_headers() {
    let t = TestApp::new().await;
    for (fixture_name, scheme) in FIXTURES {
        let header = signature_header(scheme);
        let mut ev = signed(fixture_name);
        ev["headers"].as_object_mut().unwrap().remove(header);
        assert_eq!(
            t.send_event(ev).await.result(),
            (401, "signature_missing"),
            "{scheme}"
        );

        let good = signed(fixture_name)["headers"][header]
            .as_str()
            .unwrap()
            .to_owned();
        let malformed = [
            String::new(),
            good.replace('=', ""),
            good.replace(
                |c: char| c.is_ascii_hexdigit() && c.is_ascii_lowercase(),
                "z",
            ),
            format!("{good}{}", ",v1=00".repeat(2000)),
            "=".repeat(9000),
        ];
        for bad in malformed {
            let mut ev = signed(fixture_name);
            ev["headers"][header] = json!(bad);
            let got = t.send_event(ev).await;
            assert_eq!(
                got.result(),
                (401, "signature_invalid"),
                "{scheme}: {}",
                &bad[..bad.len().min(40)]
            );
        }
    }
    assert_eq!(t.item_count().await, 0);
}

/// The tenant a scheme fixture is addressed to, as its path names it.
fn slug_of(fixture_name: &str) -> String {
    let path = fixture(fixture_name)["rawPath"]
        .as_str()
        .unwrap()
        .to_owned();
    path.rsplit('/').next().unwrap().to_owned()
}

/// The sender of a `{scheme}-v1` demo tenant.
fn sender_of(slug: &str) -> &'static webhook_receiver::signature::Sender {
    let scheme = slug.strip_suffix("-v1").unwrap();
    webhook_receiver::signature::sender(scheme).unwrap_or_else(|| panic!("no sender {scheme}"))
}

/// The delivery-id header a sender sets beside its signature, if any: unsigned for every sender
/// here (the one that signs its id is the default scheme, which the rest of the suite tests).
fn unsigned_id_header(slug: &str) -> Option<&'static str> {
    sender_of(slug).header_names(HeaderRole::Id).next()
}

/// The fixtures above are every sender that feeds user events but the default one (which the
/// rest of the suite uses throughout): a sender added with `user_events` and no fixture here
/// fails this.
#[test]
fn the_scheme_fixtures_cover_every_sender_of_user_events() {
    let covered: Vec<&str> = FIXTURES.iter().map(|(_, scheme)| *scheme).collect();
    for sender in webhook_receiver::signature::senders() {
        if sender.user_events && sender.name != webhook_receiver::signature::DEFAULT_SCHEME {
            assert!(
                covered.contains(&sender.name),
                "no v1 fixture for {}",
                sender.name
            );
        }
    }
    for (fixture_name, scheme) in FIXTURES {
        assert_eq!(slug_of(fixture_name), format!("{scheme}-v1"));
        assert!(SCHEME_FIXTURES.contains(&fixture_name));
    }
}

/// `fixture_name` with another body (and, where the scheme has one, delivery id), signed now.
fn scheme_event(fixture_name: &str, body: &str, id: &str) -> Value {
    let mut ev = fixture(fixture_name);
    ev["body"] = json!(body);
    for header in ["x-github-delivery", "x-shopify-webhook-id"] {
        if ev["headers"].get(header).is_some() {
            ev["headers"][header] = json!(id);
        }
    }
    sign_as_demo(&mut ev, NOW_S).unwrap();
    ev
}

fn user_event(user: &str, action: &str, at: &str, name: Option<&str>) -> String {
    let mut body = json!({"user_id": user, "action": action, "occurred_at": at});
    if let Some(name) = name {
        body["metadata"] = json!({"display_name": name});
    }
    body.to_string()
}

const SCHEME_FIXTURES: [&str; 4] = [
    "stripe-create.json",
    "github-create.json",
    "slack-create.json",
    "shopify-create.json",
];

/// applied → a newer update → the first event replayed under a new delivery id → `stale`, and
/// the item is unchanged. GitHub's and Shopify's ids are unsigned headers, so an attacker can
/// replay a captured request verbatim under a fresh id; Stripe's and Slack's ids are the body's
/// hash, so a new id needs other bytes for the same event (a sender re-sending it from its
/// dashboard after the delivery record expired).
#[tokio::test]
async fn replays_under_a_new_delivery_id_are_stale_for_every_unsigned_id_scheme() {
    let t = TestApp::new().await;
    let user = "usr_4e91a700";
    for fixture_name in SCHEME_FIXTURES {
        let slug = slug_of(fixture_name);
        let create = user_event(user, "create", "2026-11-28T12:00:00Z", Some("Ana"));
        let captured = scheme_event(fixture_name, &create, "delivery-1");
        assert_eq!(
            t.send_event(captured.clone()).await.result(),
            (200, "applied")
        );
        let update = user_event(user, "update", "2026-11-28T12:01:00Z", Some("Bob"));
        let ev = scheme_event(fixture_name, &update, "delivery-2");
        assert_eq!(t.send_event(ev).await.result(), (200, "applied"), "{slug}");
        let before = t.user_in(&slug, user).await.unwrap();

        let replay = if let Some(header) = unsigned_id_header(&slug) {
            let mut replay = captured.clone();
            replay["headers"][header] = json!("delivery-3-replayed");
            replay
        } else {
            // Same event, other bytes: a new body-hash id.
            scheme_event(fixture_name, &format!("{create} "), "")
        };
        assert_eq!(
            t.send_event(replay).await.result(),
            (200, "stale"),
            "{slug}: a replay under a new id"
        );
        assert_eq!(
            t.user_in(&slug, user).await.unwrap(),
            before,
            "{slug}: item changed"
        );
        assert_eq!(s(&before, "display_name").as_deref(), Some("Bob"), "{slug}");
        assert_eq!(num(&before, "version"), Some(2), "{slug}");
        // The captured request itself, again: a duplicate (its delivery record exists).
        assert_eq!(
            t.send_event(captured).await.result(),
            (200, "duplicate"),
            "{slug}"
        );
    }
}

/// The write-up's worst case: a captured `delete` replayed under a fresh id after the user was
/// re-created must not delete them again.
#[tokio::test]
async fn a_replayed_delete_does_not_delete_a_recreated_user() {
    let t = TestApp::new().await;
    let user = "usr_de1e7e00";
    for fixture_name in ["github-create.json", "shopify-create.json"] {
        let slug = slug_of(fixture_name);
        let steps = [
            ("create", "2026-11-28T12:00:00Z", Some("Ana"), "d-1"),
            ("delete", "2026-11-28T12:01:00Z", None, "d-2"),
            ("create", "2026-11-28T12:02:00Z", Some("Ana again"), "d-3"),
        ];
        let mut delete = Value::Null;
        for (action, at, name, id) in steps {
            let ev = scheme_event(fixture_name, &user_event(user, action, at, name), id);
            if action == "delete" {
                delete = ev.clone();
            }
            assert_eq!(
                t.send_event(ev).await.result(),
                (200, "applied"),
                "{slug} {id}"
            );
        }
        delete["headers"][unsigned_id_header(&slug).unwrap()] = json!("d-2-replayed");
        assert_eq!(
            t.send_event(delete).await.result(),
            (200, "stale"),
            "{slug}"
        );
        let u = t.user_in(&slug, user).await.unwrap();
        assert!(
            !u.contains_key("deleted_at"),
            "{slug}: the replay deleted the user"
        );
        assert_eq!(s(&u, "display_name").as_deref(), Some("Ana again"));
    }
}

/// Ana → Bob → Ana: with `occurred_at` required, the third event's body differs from the first,
/// so a body-hash id no longer collapses them into a `duplicate`.
#[tokio::test]
async fn identical_changes_at_different_times_are_distinct_events() {
    let t = TestApp::new().await;
    let user = "usr_a0b0a000";
    for fixture_name in ["stripe-create.json", "slack-create.json"] {
        let slug = slug_of(fixture_name);
        let steps = [
            ("create", "2026-11-28T12:00:00Z", "Ana"),
            ("update", "2026-11-28T12:01:00Z", "Bob"),
            ("update", "2026-11-28T12:02:00Z", "Ana"),
        ];
        for (action, at, name) in steps {
            let ev = scheme_event(fixture_name, &user_event(user, action, at, Some(name)), "");
            assert_eq!(
                t.send_event(ev).await.result(),
                (200, "applied"),
                "{slug} {at}"
            );
        }
        let u = t.user_in(&slug, user).await.unwrap();
        assert_eq!(s(&u, "display_name").as_deref(), Some("Ana"), "{slug}");
        assert_eq!(num(&u, "version"), Some(3), "{slug}");
    }
}

#[tokio::test]
async fn occurred_at_is_required_for_every_scheme_without_a_signed_delivery_id() {
    let t = TestApp::new().await;
    let body = r#"{"user_id":"usr_0cc0a700","action":"create","metadata":{"display_name":"A"}}"#;
    for fixture_name in SCHEME_FIXTURES {
        let reply = t
            .send_event(scheme_event(fixture_name, body, "no-time"))
            .await;
        assert_eq!(reply.result(), (400, "invalid_payload"), "{fixture_name}");
        assert_eq!(
            reply.body["details"][0]["path"], "occurred_at",
            "{fixture_name}"
        );
    }
    assert_eq!(t.item_count().await, 0);
    // Standard Webhooks signs its id: there the signed timestamp stands in.
    let ev = with_body("create.json", "msg_no_time", body);
    assert_eq!(t.send_event(ev).await.result(), (200, "applied"));
}

#[tokio::test]
async fn slack_url_verification_is_answered_with_its_challenge() {
    let t = TestApp::new().await;
    let reply = t.send("slack-url-verification.json").await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.body["challenge"],
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    );
    assert_eq!(reply.body["request_id"], "req-test");
    // Unsigned, or with an unusable challenge: refused like anything else.
    let mut forged = fixture("slack-url-verification.json");
    sign_event(&mut forged, "some-other-slack-signing-secret", NOW_S).unwrap();
    assert_eq!(
        t.send_event(forged).await.result(),
        (401, "signature_invalid")
    );
    let body = r#"{"token":"t","challenge":"<img src=x>","type":"url_verification"}"#;
    let reply = t
        .send_event(scheme_event("slack-url-verification.json", body, ""))
        .await;
    assert_eq!(reply.result(), (400, "invalid_payload"));
    assert_eq!(reply.body["details"][0]["path"], "challenge");
    assert!(!reply.body.to_string().contains("<img"));
    assert_eq!(t.item_count().await, 0, "a handshake wrote to DynamoDB");
}

#[tokio::test]
async fn github_ping_is_ignored_without_a_write() {
    let t = TestApp::new().await;
    assert_eq!(t.send("github-ping.json").await.result(), (200, "ignored"));
    let mut forged = fixture("github-ping.json");
    sign_event(&mut forged, "some-other-github-secret", NOW_S).unwrap();
    assert_eq!(
        t.send_event(forged).await.result(),
        (401, "signature_invalid")
    );
    assert_eq!(t.item_count().await, 0, "a ping wrote to DynamoDB");
    // Only GitHub tenants know pings: the same header at a Standard Webhooks tenant means nothing.
    let mut ev = fixture("create.json");
    ev["headers"]["x-github-event"] = json!("ping");
    sign_event(&mut ev, &signing_a(), NOW_S).unwrap();
    assert_eq!(t.send_event(ev).await.result(), (200, "applied"));
}

#[tokio::test]
async fn svix_header_names_are_the_default_scheme_too() {
    let t = TestApp::new().await;
    let mut ev = fixture("create.json");
    let headers = ev["headers"].as_object_mut().unwrap();
    for name in ["id", "timestamp", "signature"] {
        let value = headers.remove(&format!("webhook-{name}")).unwrap();
        headers.insert(format!("svix-{name}"), value);
    }
    sign_event(&mut ev, &signing_a(), NOW_S).unwrap();
    assert!(ev["headers"]["svix-signature"]
        .as_str()
        .unwrap()
        .starts_with("v1,"));
    assert_eq!(t.send_event(ev.clone()).await.result(), (200, "applied"));
    assert_eq!(t.send_event(ev).await.result(), (200, "duplicate"));
}
