//! Batch senders (SPEC §13.3): each element of a signed JSON array is its own inbox item, one
//! conditional put each; the answer counts them; one malformed element refuses the batch and
//! writes nothing; one element not stored makes the whole answer 503, and the sender's retry of
//! the same batch stores the rest.

use std::sync::Arc;

use aws_sdk_dynamodb::operation::put_item::{PutItemError, PutItemOutput};
use aws_sdk_dynamodb::types::error::ProvisionedThroughputExceededException;
use aws_sdk_dynamodb::Client;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use webhook_receiver::clock::FixedClock;
use webhook_receiver::handler::App;
use webhook_receiver::signing::sign_as_demo;
use webhook_receiver::store::Store;

use crate::support::*;

const SAMPLE: &str = "sendgrid-delivered.json";
const TENANT: &str = "sendgrid-inbox";

/// The sample with `elements` as its body (SendGrid's line break after the array kept), signed.
fn batch_of(elements: &[Value]) -> Value {
    let mut ev = fixture(SAMPLE);
    ev["body"] = json!(format!("{}\r\n", Value::from(elements.to_vec())));
    sign_as_demo(&mut ev, NOW_S).unwrap();
    ev
}

fn element(id: &str, event: &str) -> Value {
    json!({"email": "a@example.com", "event": event, "sg_event_id": id, "timestamp": 1795867140})
}

fn hex_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[tokio::test]
async fn each_element_is_its_own_item_and_the_answer_counts_them() {
    let t = TestApp::new().await;
    let ev = signed(SAMPLE);
    let body = ev["body"].as_str().unwrap().to_owned();
    let reply = t.send_event(ev.clone()).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.body,
        json!({"status": "stored", "stored": 3, "duplicate": 0, "request_id": "req-test"})
    );
    let items = t.items_in(TENANT).await;
    assert_eq!(items.len(), 3);
    // Each item keeps its element's exact bytes, their hash, and the whole batch's hash.
    let elements: Vec<&serde_json::value::RawValue> =
        serde_json::from_str(body.trim_end()).unwrap();
    for raw in elements {
        let doc: Value = serde_json::from_str(raw.get()).unwrap();
        let id = doc["sg_event_id"].as_str().unwrap();
        let item = t
            .item_in(TENANT, &format!("EVENT#{id}"), "EVENT")
            .await
            .expect("stored under its sg_event_id");
        assert_eq!(s(&item, "body").as_deref(), Some(raw.get()));
        assert_eq!(
            s(&item, "payload_sha256"),
            Some(hex_sha256(raw.get().as_bytes()))
        );
        assert_eq!(s(&item, "batch_sha256"), Some(hex_sha256(body.as_bytes())));
        assert_eq!(s(&item, "event_type").as_deref(), doc["event"].as_str());
        assert_eq!(
            num(&item, "event_time"),
            Some(doc["timestamp"].as_i64().unwrap() * 1000)
        );
    }

    // SendGrid's retry of the same batch: every element a duplicate, nothing written again.
    let reply = t.send_event(ev).await;
    assert_eq!(
        (
            reply.body["stored"].clone(),
            reply.body["duplicate"].clone()
        ),
        (json!(0), json!(3))
    );
    // A batch that repeats one element beside a new one stores only the new one.
    let reply = t
        .send_event(batch_of(&[
            element("ZGVsaXZlcmVkLTAtMjQ5NDk4NzI", "delivered"),
            element("bmV3LWV2ZW50LTI0OTQ5ODcy", "click"),
        ]))
        .await;
    assert_eq!(reply.result(), (200, "stored"));
    assert_eq!(
        (
            reply.body["stored"].clone(),
            reply.body["duplicate"].clone()
        ),
        (json!(1), json!(1))
    );
    assert_eq!(t.items_in(TENANT).await.len(), 4);
}

#[tokio::test]
async fn a_malformed_batch_or_element_is_refused_and_writes_nothing() {
    let t = TestApp::new().await;
    let good = element("Z29vZC0xLTI0OTQ5ODcy", "delivered");
    let mut bad_id = element("x", "open");
    bad_id["sg_event_id"] = json!("not an id!");
    let cases: Vec<(Value, u16, &str, Option<&str>)> = vec![
        (
            batch_of(&[good.clone(), bad_id]),
            400,
            "invalid_payload",
            Some("[1].sg_event_id"),
        ),
        (
            batch_of(&[good.clone(), json!("text")]),
            400,
            "invalid_payload",
            Some("[1]"),
        ),
        (batch_of(&[]), 400, "invalid_payload", Some("")),
        (
            batch_of(&vec![good.clone(); 1001]),
            400,
            "invalid_payload",
            Some(""),
        ),
    ];
    for (ev, status, code, path) in cases {
        let reply = t.send_event(ev).await;
        assert_eq!(reply.result(), (status, code), "{reply:?}");
        assert_eq!(reply.body["details"][0]["path"].as_str(), path);
    }
    // An object, not an array; or no JSON at all.
    for body in [r#"{"sg_event_id":"Z29vZA"}"#, "[{]"] {
        let mut ev = fixture(SAMPLE);
        ev["body"] = json!(body);
        sign_as_demo(&mut ev, NOW_S).unwrap();
        assert_eq!(t.send_event(ev).await.result(), (400, "invalid_json"));
    }
    // A duplicated key in an element is refused at that element's path.
    let mut ev = fixture(SAMPLE);
    ev["body"] = json!(r#"[{"sg_event_id":"YQ","sg_event_id":"Yg","event":"open"}]"#);
    sign_as_demo(&mut ev, NOW_S).unwrap();
    let reply = t.send_event(ev).await;
    assert_eq!(reply.body["details"][0]["path"], "[0].sg_event_id");
    // An element larger than an item may hold is 413, even inside the batch limit.
    let mut huge = element("aHVnZS0xLTI0OTQ5ODcy", "open");
    huge["padding"] = json!("x".repeat(360 * 1024));
    let reply = t.send_event(batch_of(&[good, huge])).await;
    assert_eq!(reply.result(), (413, "payload_too_large"));
    assert_eq!(t.items_in(TENANT).await.len(), 0);
}

/// A batch tenant takes `WEBHOOK_MAX_BATCH_BYTES`; every other tenant still
/// `WEBHOOK_MAX_BODY_BYTES`, though the adapter now reads bodies up to the larger.
#[tokio::test]
async fn batch_tenants_have_their_own_size_limit() {
    let t = TestApp::with_env(&[("WEBHOOK_MAX_BATCH_BYTES", "200000")]).await;
    let padded = |n: usize| {
        let mut e = element("cGFkZGVkLTEtMjQ5NDk4NzI", "open");
        e["padding"] = json!("x".repeat(n));
        e
    };
    let reply = t.send_event(batch_of(&[padded(150_000)])).await;
    assert_eq!(reply.result(), (200, "stored"), "{reply:?}");
    let reply = t.send_event(batch_of(&[padded(210_000)])).await;
    assert_eq!(reply.result(), (413, "payload_too_large"));

    // A Stripe tenant's body of 100 KB: over WEBHOOK_MAX_BODY_BYTES (64 KB), under the batch's.
    let mut ev = fixture("stripe-inbox-customer-created.json");
    let body = ev["body"].as_str().unwrap().to_owned();
    ev["body"] = json!(body.replacen('{', &format!("{{\"pad\":\"{}\",", "x".repeat(100_000)), 1));
    sign_as_demo(&mut ev, NOW_S).unwrap();
    assert_eq!(t.send_event(ev).await.result(), (413, "payload_too_large"));
}

/// One element's put throttled: the batch is 503 with `Retry-After` (the others' puts were
/// made), and the sender's retry of the whole batch stores the one that was missing.
#[tokio::test]
async fn one_element_not_stored_is_503_and_the_retry_stores_the_rest() {
    let throttled = || {
        PutItemError::ProvisionedThroughputExceededException(
            ProvisionedThroughputExceededException::builder()
                .message("Rate exceeded")
                .build(),
        )
    };
    let rule = mock!(Client::put_item)
        .sequence()
        .output(|| PutItemOutput::builder().build())
        .error(throttled)
        .output(|| PutItemOutput::builder().build())
        .build();
    let client: Client = mock_client!(aws_sdk_dynamodb, RuleMode::Sequential, [&rule]);
    let app = App::new(
        config_for("mocked", &[]),
        Store::from_client(client),
        Arc::new(FixedClock(NOW)),
    );
    let reply = Reply::from(app.handle_event(signed(SAMPLE), "req-fault").await);
    assert_eq!(reply.result(), (503, "unavailable"), "{reply:?}");
    assert_eq!(reply.headers["retry-after"], "2");
    assert_eq!(rule.num_calls(), 3, "every element's put is tried");

    // Over DynamoDB Local: two of the three stored before, the retry stores the third.
    let t = TestApp::new().await;
    let body = signed(SAMPLE)["body"].as_str().unwrap().to_owned();
    let elements: Vec<Value> = serde_json::from_str(body.trim_end()).unwrap();
    t.send_event(batch_of(&elements[..2])).await;
    let reply = t.send_event(signed(SAMPLE)).await;
    assert_eq!(
        (
            reply.body["stored"].clone(),
            reply.body["duplicate"].clone()
        ),
        (json!(1), json!(2))
    );
    assert_eq!(t.items_in(TENANT).await.len(), 3);
}

/// HubSpot signs its URL and a batch: each element is keyed by its five fields, so HubSpot's
/// retry (the same events, `attemptNumber` raised, signed anew) stores nothing twice; an element
/// without its `eventId` refuses the batch at its path.
#[tokio::test]
async fn hubspot_batches_are_keyed_by_their_fields_not_their_attempt() {
    let t = TestApp::new().await;
    let reply = t.send("hubspot-contact-created.json").await;
    assert_eq!(
        (
            reply.body["stored"].clone(),
            reply.body["duplicate"].clone()
        ),
        (json!(2), json!(0)),
        "{reply:?}"
    );
    let item = t
        .item_in(
            "hubspot-inbox",
            "EVENT#62515:7:1795867140:123:1795867140123",
            "EVENT",
        )
        .await
        .expect("stored under its five fields");
    assert_eq!(s(&item, "event_type").as_deref(), Some("contact.creation"));
    assert_eq!(num(&item, "event_time"), Some(1_795_867_140_123));

    let mut retry = fixture("hubspot-contact-created.json");
    let body = retry["body"]
        .as_str()
        .unwrap()
        .replace("\"attemptNumber\":0", "\"attemptNumber\":1");
    retry["body"] = json!(body);
    sign_as_demo(&mut retry, NOW_S + 30).unwrap();
    let reply = t.send_event(retry).await;
    assert_eq!(
        (
            reply.body["stored"].clone(),
            reply.body["duplicate"].clone()
        ),
        (json!(0), json!(2))
    );

    let mut no_id = fixture("hubspot-contact-created.json");
    no_id["body"] = json!(body.replace("\"eventId\":1795867141,", ""));
    sign_as_demo(&mut no_id, NOW_S).unwrap();
    let reply = t.send_event(no_id).await;
    assert_eq!(reply.result(), (400, "invalid_payload"));
    assert_eq!(reply.body["details"][0]["path"], "[1].eventId");
    // The URL is signed: the same request at another query is refused.
    let mut moved = signed("hubspot-contact-created.json");
    moved["rawQueryString"] = json!("portal=1");
    assert_eq!(
        t.send_event(moved).await.result(),
        (401, "signature_invalid")
    );
    assert_eq!(t.items_in("hubspot-inbox").await.len(), 2);
}

/// SendGrid's ids are base64, padding and all (SPEC §13.2's body-id characters): such an
/// element keys its item. One key twice with two bodies refuses the batch (which body a
/// concurrent put keeps would be chance); the same element twice is a plain duplicate.
#[tokio::test]
async fn base64_ids_key_their_items_and_a_key_twice_needs_one_body() {
    let t = TestApp::new().await;
    let padded = element("2FeCcG5VRWpck6mKq+gn/g==", "delivered");
    let reply = t
        .send_event(batch_of(&[padded.clone(), padded.clone()]))
        .await;
    assert_eq!(
        (
            reply.status,
            reply.body["stored"].clone(),
            reply.body["duplicate"].clone()
        ),
        (200, json!(1), json!(1)),
        "{reply:?}"
    );
    assert!(t
        .item_in(TENANT, "EVENT#2FeCcG5VRWpck6mKq+gn/g==", "EVENT")
        .await
        .is_some());
    let reply = t
        .send_event(batch_of(&[
            element("c2FtZS1rZXk=", "open"),
            element("c2FtZS1rZXk=", "click"),
        ]))
        .await;
    assert_eq!(reply.result(), (400, "invalid_payload"));
    assert_eq!(reply.body["details"][0]["path"], "[1]");
    assert_eq!(t.items_in(TENANT).await.len(), 1);
}
