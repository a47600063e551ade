//! Every sender scheme end to end: fixtures from events/ through the Lambda adapter over DynamoDB
//! Local, with the same payload contract as the default scheme.

use serde_json::{json, Value};
use webhook_receiver::signing::sign_event;

use crate::support::*;

const FIXTURES: [(&str, &str); 4] = [
    ("stripe-create.json", "stripe"),
    ("github-create.json", "github"),
    ("slack-create.json", "slack"),
    ("shopify-create.json", "shopify"),
];

/// The signature header each fixture's scheme uses.
fn signature_header(scheme: &str) -> &'static str {
    match scheme {
        "stripe" => "stripe-signature",
        "github" => "x-hub-signature-256",
        "slack" => "x-slack-signature",
        _ => "x-shopify-hmac-sha256",
    }
}

fn signed_at(fixture_name: &str, now_s: i64) -> Value {
    let mut ev = fixture(fixture_name);
    let secret = secret_for(&ev);
    sign_event(&mut ev, secret, now_s).unwrap();
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
    // Same payload contract: the users exist with version 1.
    for user in [
        "usr_57e1fe00",
        "usr_91700b00",
        "usr_51ac0000",
        "usr_5a0b1f00",
    ] {
        assert_eq!(
            num(&t.user(user).await.unwrap(), "version"),
            Some(1),
            "{user}"
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
async fn signed_timestamps_are_checked_both_ways() {
    let t = TestApp::new().await;
    for fixture_name in ["stripe-create.json", "slack-create.json"] {
        for now in [NOW_S - 301, NOW_S + 301] {
            let ev = signed_at(fixture_name, now);
            assert_eq!(
                t.send_event(ev).await.result(),
                (401, "timestamp_out_of_tolerance"),
                "{fixture_name} signed at {now}"
            );
        }
        assert_eq!(
            t.send_event(signed_at(fixture_name, NOW_S + 300))
                .await
                .result()
                .0,
            200
        );
    }
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

#[tokio::test]
async fn a_duplicated_signature_header_is_invalid() {
    // REST (1.0) events can carry a header twice; the signature must then be refused.
    let t = TestApp::new().await;
    for (fixture_name, scheme) in FIXTURES {
        let ev = signed(fixture_name);
        let header = signature_header(scheme);
        let mut rest = signed("rest-create.json");
        rest["path"] = ev["rawPath"].clone();
        rest["body"] = ev["body"].clone();
        let mut multi = serde_json::Map::new();
        for (k, v) in ev["headers"].as_object().unwrap() {
            multi.insert(k.clone(), json!([v]));
        }
        let sig = ev["headers"][header].clone();
        multi.insert(header.into(), json!([sig, sig]));
        rest["multiValueHeaders"] = Value::Object(multi);
        rest["headers"] = json!({});
        assert_eq!(
            t.send_event(rest).await.result(),
            (401, "signature_invalid"),
            "{scheme}"
        );
    }
}

#[tokio::test]
async fn unsigned_delivery_ids_cannot_replay_past_ordering() {
    // GitHub and Shopify do not sign their delivery-id header: a replay under a new id is not a
    // duplicate, but event ordering refuses it.
    let t = TestApp::new().await;
    for (fixture_name, id_header) in [
        ("github-create.json", "x-github-delivery"),
        ("shopify-create.json", "x-shopify-webhook-id"),
    ] {
        let ev = signed(fixture_name);
        assert_eq!(t.send_event(ev.clone()).await.result(), (200, "applied"));
        let mut replay = ev;
        replay["headers"][id_header] = json!("00000000-replayed-id");
        assert_eq!(
            t.send_event(replay).await.result(),
            (200, "stale"),
            "{fixture_name}"
        );
    }
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
    sign_event(&mut ev, SECRET_A, NOW_S).unwrap();
    assert!(ev["headers"]["svix-signature"]
        .as_str()
        .unwrap()
        .starts_with("v1,"));
    assert_eq!(t.send_event(ev.clone()).await.result(), (200, "applied"));
    assert_eq!(t.send_event(ev).await.result(), (200, "duplicate"));
}
