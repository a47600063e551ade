//! The request pipeline end to end: events/ fixtures through the real Lambda adapter (and through
//! `lambda_http::request::from_str`), over DynamoDB Local.

use std::panic::catch_unwind;

use serde_json::{json, to_value, Value};

use crate::support::*;
use webhook_receiver::signing::{sign_as_demo, sign_event};

/// Fixtures answered before any write, whatever the table holds.
const STATELESS_REJECTIONS: &[(&str, u16, &str)] = &[
    ("reject-not-found.json", 404, "not_found"),
    ("reject-method-not-allowed.json", 405, "method_not_allowed"),
    ("reject-unknown-tenant.json", 404, "unknown_tenant"),
    ("reject-invalid-body.json", 400, "invalid_body"),
    ("reject-payload-too-large.json", 413, "payload_too_large"),
    ("reject-signature-missing.json", 401, "signature_missing"),
    ("reject-signature-invalid.json", 401, "signature_invalid"),
    (
        "reject-timestamp-out-of-tolerance.json",
        401,
        "timestamp_out_of_tolerance",
    ),
    (
        "reject-unsupported-media-type.json",
        415,
        "unsupported_media_type",
    ),
    ("reject-invalid-json.json", 400, "invalid_json"),
    ("reject-invalid-payload.json", 400, "invalid_payload"),
];

#[tokio::test]
async fn every_rejection_fixture_answers_its_code_and_writes_nothing() {
    let t = TestApp::new().await;
    for (fixture, status, code) in STATELESS_REJECTIONS {
        let reply = t.send(fixture).await;
        assert_eq!(reply.result(), (*status, *code), "{fixture}: {reply:?}");
        assert_eq!(reply.body["request_id"], "req-test", "{fixture}");
        assert_eq!(reply.headers["content-type"], "application/json");
    }
    assert_eq!(
        t.item_count().await,
        0,
        "a rejected request wrote to DynamoDB"
    );
}

#[tokio::test]
async fn method_not_allowed_names_post() {
    let t = TestApp::new().await;
    let reply = t.send("reject-method-not-allowed.json").await;
    assert_eq!(reply.headers["allow"], "POST");
}

#[tokio::test]
async fn invalid_payload_details_name_paths_without_values() {
    let t = TestApp::new().await;
    // serde stops at the unknown field; it is the one reported.
    let reply = t.send("reject-invalid-payload.json").await;
    assert_eq!(reply.result(), (400, "invalid_payload"));
    assert_eq!(reply.body["details"][0]["path"], "metadata.role");
    // Known fields with bad values reach the value rules: each is named, none echoed.
    let body = r#"{"user_id":"usr_NOTVALID","action":"create","occurred_at":"2026-11-28T12:00:00Z",
                   "metadata":{"email":"not-an-email","display_name":"Ana\u2028Bob"}}"#;
    let reply = t
        .send_event(with_body("create.json", "msg_values_1", body))
        .await;
    assert_eq!(reply.result(), (400, "invalid_payload"));
    let mut paths: Vec<&str> = reply.body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        ["metadata.display_name", "metadata.email", "user_id"]
    );
    let text = reply.body.to_string();
    assert!(
        !text.contains("not-an-email") && !text.contains("NOTVALID") && !text.contains("Bob"),
        "{text}"
    );
    assert_eq!(t.item_count().await, 0);
}

#[tokio::test]
async fn lifecycle_create_update_delete() {
    let t = TestApp::new().await;
    assert_eq!(t.send("create.json").await.result(), (200, "applied"));
    let u = t.user("usr_0a1b2c3d").await.unwrap();
    assert_eq!(s(&u, "email").as_deref(), Some("ana@example.com"));
    assert_eq!(s(&u, "display_name").as_deref(), Some("Ana"));
    assert_eq!(s(&u, "created_at").as_deref(), Some("2026-11-28T11:59:00Z"));
    assert_eq!(s(&u, "updated_at").as_deref(), Some("2026-11-28T12:05:00Z"));
    assert_eq!(num(&u, "last_event_at"), Some(1_795_867_200_000));
    assert_eq!(
        s(&u, "last_delivery_id").as_deref(),
        Some("msg_create_0a1b2c3d_01")
    );
    assert_eq!(num(&u, "version"), Some(1));

    let d = t
        .item("DELIVERY#msg_create_0a1b2c3d_01", "DELIVERY")
        .await
        .expect("delivery record");
    assert_eq!(s(&d, "action").as_deref(), Some("create"));
    assert_eq!(s(&d, "user_id").as_deref(), Some("usr_0a1b2c3d"));
    assert_eq!(
        s(&d, "received_at").as_deref(),
        Some("2026-11-28T12:05:00Z")
    );
    assert_eq!(s(&d, "payload_sha256").map(|h| h.len()), Some(64));
    assert_eq!(num(&d, "expires_at"), Some(NOW_S + 604_800));

    assert_eq!(t.send("update.json").await.result(), (200, "applied"));
    let u = t.user("usr_0a1b2c3d").await.unwrap();
    assert_eq!(s(&u, "display_name").as_deref(), Some("Ana María"));
    assert_eq!(s(&u, "email").as_deref(), Some("ana@example.com"));
    assert_eq!(num(&u, "version"), Some(2));

    assert_eq!(t.send("delete.json").await.result(), (200, "applied"));
    let u = t.user("usr_0a1b2c3d").await.unwrap();
    let mut keys: Vec<&str> = u.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "deleted_at",
            "expires_at",
            "last_delivery_id",
            "last_event_at",
            "pk",
            "sk",
            "updated_at",
            "user_id",
            "version"
        ]
    );
    assert_eq!(num(&u, "version"), Some(3));
    assert_eq!(num(&u, "expires_at"), Some(NOW_S + 2_592_000));

    // Late, older events cannot bring the data back.
    assert_eq!(t.send("update-stale.json").await.result(), (200, "stale"));
    let mut late_create = signed("create.json");
    late_create["headers"]["webhook-id"] = json!("msg_create_0a1b2c3d_late");
    sign_again(&mut late_create);
    assert_eq!(t.send_event(late_create).await.result(), (200, "stale"));
    assert!(s(&t.user("usr_0a1b2c3d").await.unwrap(), "email").is_none());
}

/// Re-signs an event whose headers were edited after signing.
fn sign_again(ev: &mut Value) {
    ev["headers"]["webhook-signature"] = json!("<sign>");
    sign_event(ev, &signing_a(), NOW_S).unwrap();
}

#[tokio::test]
async fn replays_and_conflicts_from_fixtures() {
    let t = TestApp::new().await;
    assert_eq!(
        t.send("reject-user-not-found.json").await.result(),
        (409, "user_not_found")
    );
    assert_eq!(t.send("create.json").await.result(), (200, "applied"));
    assert_eq!(t.send("create.json").await.result(), (200, "duplicate"));
    assert_eq!(
        t.send("reject-user-exists.json").await.result(),
        (409, "user_exists")
    );
    assert_eq!(
        t.send("reject-delivery-id-reused.json").await.result(),
        (409, "delivery_id_reused")
    );
    assert_eq!(t.send("update-stale.json").await.result(), (200, "stale"));
    let u = t.user("usr_0a1b2c3d").await.unwrap();
    assert_eq!(num(&u, "version"), Some(1));
    assert_eq!(s(&u, "email").as_deref(), Some("ana@example.com"));
}

#[tokio::test]
async fn rest_function_url_and_base64_events_are_applied() {
    let t = TestApp::new().await;
    for (fixture, user) in [
        ("rest-create.json", "usr_11111111"),
        ("function-url-create.json", "usr_22222222"),
        ("create-base64.json", "usr_b64b64b6"),
    ] {
        let reply = t.send(fixture).await;
        assert_eq!(reply.result(), (200, "applied"), "{fixture}");
        assert_eq!(
            reply.headers["content-type"], "application/json",
            "{fixture}"
        );
        assert_eq!(
            num(&t.user(user).await.unwrap(), "version"),
            Some(1),
            "{fixture}"
        );
    }
    // Each origin gets its own response shape: REST (1.0) lists headers, 2.0 does not.
    let rest = to_value(t.app.handle_event(signed("rest-create.json"), "r").await).unwrap();
    assert_eq!(
        rest["multiValueHeaders"]["content-type"][0],
        "application/json"
    );
    let v2 = to_value(t.app.handle_event(signed("create.json"), "r").await).unwrap();
    assert_eq!(v2["headers"]["content-type"], "application/json");
}

/// The adapter reads every fixture of events/ as `lambda_http` (the runtime's own HTTP layer)
/// would: same method, raw path, headers and body, but for the fixtures `lambda_http` panics on
/// (named here: the day it stops panicking, this test says the adapter's own reading of them
/// can go).
#[tokio::test]
async fn the_adapter_reads_events_as_lambda_http_does() {
    let mut panics = Vec::new();
    let names = fixture_names();
    for name in &names {
        let event = signed(name);
        let text = event.to_string();
        let Ok(theirs) = catch_unwind(|| lambda_http::request::from_str(&text)) else {
            panics.push(name.as_str());
            continue;
        };
        let theirs = theirs.unwrap();
        // A limit no fixture reaches, so every body is read.
        let (_, ours) = webhook_receiver::lambda::parse_event(event, 1 << 20);
        let ours = ours.unwrap();
        assert_eq!(ours.method, theirs.method().as_str(), "{name}");
        assert_eq!(
            ours.path,
            lambda_http::RequestExt::raw_http_path(&theirs),
            "{name}"
        );
        assert_eq!(&ours.headers, theirs.headers(), "{name}");
        assert_eq!(
            ours.body.as_deref().unwrap(),
            theirs.body().as_ref(),
            "{name}"
        );
    }
    assert_eq!(panics, ["reject-invalid-body.json"]);
    assert!(names.len() >= 30, "{names:?}");
}

#[tokio::test]
async fn invalid_base64_is_a_400_not_a_crash() {
    let raw = fixture("reject-invalid-body.json").to_string();
    // The trap: lambda_http itself panics on this event.
    assert!(catch_unwind(|| lambda_http::request::from_str(&raw)).is_err());
    let t = TestApp::new().await;
    assert_eq!(
        t.send("reject-invalid-body.json").await.result(),
        (400, "invalid_body")
    );
    // The Host header lambda_http unwraps a parse of: the adapter does not read it.
    let mut ev = signed("create.json");
    ev["headers"]["host"] = json!("bad host^");
    assert!(catch_unwind(|| lambda_http::request::from_str(&ev.to_string())).is_err());
    assert_eq!(t.send_event(ev).await.result(), (200, "applied"));
    // Route errors still come first.
    let mut ev = fixture("reject-invalid-body.json");
    ev["rawPath"] = json!("/elsewhere");
    assert_eq!(t.send_event(ev).await.result(), (404, "not_found"));
}

/// The adapter counts headers before reading an event with `lambda_http`'s types: those types
/// build a `HeaderMap`, which panics past its capacity. The day this stops panicking, the count
/// (`lambda::MAX_HEADERS`) can go.
#[test]
fn more_headers_than_a_header_map_holds_panic_in_lambda_http() {
    let mut ev = signed("create.json");
    for i in 0..33_000 {
        ev["headers"][format!("x-h{i}")] = json!("v");
    }
    let text = ev.to_string();
    assert!(catch_unwind(|| lambda_http::request::from_str(&text)).is_err());
    let (_, ours) = webhook_receiver::lambda::parse_event(ev, 1 << 20);
    assert!(ours.is_err());
}

#[tokio::test]
async fn hostile_events_never_panic_or_5xx() {
    let t = TestApp::new().await;
    let mut cases: Vec<Value> = Vec::new();
    // Not an API Gateway event at all.
    cases.push(json!({"hello": "world"}));
    cases.push(json!([1, 2, 3]));
    cases.push(json!(null));
    // Binary garbage as a base64 body.
    let mut ev = signed("create.json");
    ev["isBase64Encoded"] = json!(true);
    ev["body"] = json!("//79/Pv6+fj39vX08/Lx8O/u7ezr6uno5+bl5OPi4eA=");
    cases.push(ev);
    // A huge signature header.
    let mut ev = signed("create.json");
    ev["headers"]["webhook-signature"] = json!("v1,AAAA ".repeat(5000));
    cases.push(ev);
    // Deeply nested JSON.
    let mut ev = fixture("create.json");
    ev["body"] = json!("[".repeat(10_000));
    sign_event(&mut ev, &signing_a(), NOW_S).unwrap();
    cases.push(ev);
    // More headers than an HTTP header map holds (its `append` would panic, and with
    // `panic = "abort"` end the process): no HTTP request could carry this event.
    let mut ev = signed("create.json");
    for i in 0..33_000 {
        ev["headers"][format!("x-h{i}")] = json!("v");
    }
    let many_headers = ev.clone();
    cases.push(ev);
    let mut rest = signed("rest-create.json");
    for i in 0..33_000 {
        rest["multiValueHeaders"][format!("x-h{i}")] = json!(["v"]);
    }
    cases.push(rest);
    for ev in cases {
        let reply = t.send_event(ev.clone()).await;
        assert!(
            (400..500).contains(&reply.status),
            "{reply:?} for {}",
            &ev.to_string()[..ev.to_string().len().min(200)]
        );
    }
    assert_eq!(t.item_count().await, 0);
    let (reply, log) = t
        .app
        .handle_event_logged(many_headers, "req-many-headers")
        .await;
    let reply = Reply::from(reply);
    assert_eq!(reply.result(), (400, "unsupported_event"));
    assert_eq!(reply.body["request_id"], "req-many-headers");
    assert_eq!((log.status, log.outcome), (400, "unsupported_event"));
}

#[tokio::test]
async fn tenant_is_the_raw_segment_matched_exactly() {
    let t = TestApp::new().await;
    for path in [
        "/webhooks/clienta",
        "/webhooks/clientA%20",
        "/webhooks/%63lientA",
        "/webhooks/unknown",
    ] {
        let mut ev = signed("create.json");
        ev["rawPath"] = json!(path);
        assert_eq!(
            t.send_event(ev).await.result(),
            (404, "unknown_tenant"),
            "{path}"
        );
    }
    for path in [
        "/webhooks/",
        "/webhooks/clientA/",
        "/webhooks/clientA/x",
        "/webhooks",
    ] {
        let mut ev = signed("create.json");
        ev["rawPath"] = json!(path);
        assert_eq!(
            t.send_event(ev).await.result(),
            (404, "not_found"),
            "{path}"
        );
    }
    // pathParameters (decoded by API Gateway) are never used to match.
    let mut ev = signed("reject-unknown-tenant.json");
    ev["pathParameters"] = json!({"tenant": "clientA"});
    assert_eq!(t.send_event(ev).await.result(), (404, "unknown_tenant"));
    // Query strings are ignored; a named stage prefix is allowed.
    let mut ev = signed("create.json");
    ev["rawQueryString"] = json!("tenant=clientB&x=1");
    ev["requestContext"]["stage"] = json!("prod");
    ev["rawPath"] = json!("/prod/webhooks/clientA");
    assert_eq!(t.send_event(ev).await.result(), (200, "applied"));
}

#[tokio::test]
async fn another_tenants_secret_does_not_verify() {
    let t = TestApp::new().await;
    let mut ev = fixture("create.json");
    sign_event(&mut ev, &signing_b(), NOW_S).unwrap();
    assert_eq!(t.send_event(ev).await.result(), (401, "signature_invalid"));
}

#[tokio::test]
async fn signed_timestamp_orders_events_without_occurred_at() {
    let t = TestApp::new().await;
    let body =
        r#"{"user_id":"usr_0000000a","action":"create","metadata":{"email":"a@example.com"}}"#;
    let ev = with_body("create.json", "msg_no_occurred_at", body);
    assert_eq!(t.send_event(ev).await.result(), (200, "applied"));
    let u = t.user("usr_0000000a").await.unwrap();
    assert_eq!(num(&u, "last_event_at"), Some(NOW_S * 1000));
    // Same second, no occurred_at: equal time, so stale.
    let upd =
        r#"{"user_id":"usr_0000000a","action":"update","metadata":{"email":"b@example.com"}}"#;
    let ev = with_body("update.json", "msg_no_occurred_at_2", upd);
    assert_eq!(t.send_event(ev).await.result(), (200, "stale"));
}

#[tokio::test]
async fn far_future_occurred_at_is_refused() {
    let t = TestApp::new().await;
    let body =
        r#"{"user_id":"usr_0000000b","action":"delete","occurred_at":"2027-01-01T00:00:00Z"}"#;
    let reply = t
        .send_event(with_body("delete.json", "msg_future", body))
        .await;
    assert_eq!(reply.result(), (400, "invalid_payload"));
    assert_eq!(reply.body["details"][0]["path"], "occurred_at");
}

#[tokio::test]
async fn content_type_parameters_are_allowed() {
    let t = TestApp::new().await;
    let mut ev = fixture("create.json");
    ev["headers"]["content-type"] = json!("application/json; charset=utf-8");
    sign_event(&mut ev, &signing_a(), NOW_S).unwrap();
    assert_eq!(t.send_event(ev).await.result(), (200, "applied"));
}

#[tokio::test]
async fn log_line_has_the_fields_and_nothing_sensitive() {
    let t = TestApp::new().await;
    let event = signed("create.json");
    let signature = event["headers"]["webhook-signature"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, log) = t.handle_logged(event, "req-log").await;
    let line = log.to_json(NOW);
    assert_eq!(line["function_request_id"], "req-log");
    assert_eq!(line["service"], "webhook-receiver");
    // The app's first request is its cold start; the next one is not.
    assert_eq!(line["cold_start"], true);
    let (_, again) = t
        .app
        .handle_event_logged(signed("update.json"), "req-log-2")
        .await;
    assert_eq!(again.to_json(NOW)["cold_start"], false);
    assert_eq!(line["tenant"], "clientA");
    assert_eq!(line["delivery_id"], "msg_create_0a1b2c3d_01");
    assert_eq!(line["action"], "create");
    assert_eq!(line["outcome"], "applied");
    assert_eq!(line["status"], 200);
    assert!(line["total_ms"].as_f64().is_some() && line["dynamodb_ms"].as_f64().is_some());
    // What DynamoDB says the write consumed (ReturnConsumedCapacity): a transaction of two
    // small items costs at least 2 write units each.
    let units = line["dynamodb_write_units"].as_f64().unwrap();
    assert!(units >= 4.0, "{line}");
    // A duplicate is refused by its condition: no units reported (a refusal carries none).
    let (_, duplicate) = t
        .app
        .handle_event_logged(signed("create.json"), "req-log-3")
        .await;
    let duplicate = duplicate.to_json(NOW);
    assert_eq!(duplicate["outcome"], "duplicate");
    assert!(
        duplicate.get("dynamodb_write_units").is_none(),
        "{duplicate}"
    );
    let text = log.to_line(NOW);
    for secret in [
        "ana@example.com",
        "\"Ana\"",
        signature.as_str(),
        &secret_a(),
        "usr_0a1b2c3d",
        "11:59:00Z",
    ] {
        assert!(!text.contains(secret), "log line leaks {secret}: {text}");
    }
}

/// Every input the fuzzer found a bug with (fuzz/regressions/event/) answers a JSON response with
/// the request id and no 5xx. The first: `X-Forwarded-Proto: h{tps` made `lambda_http` panic
/// while building a URL (caught then, but a panic on request input is a bug); the adapter that
/// replaced it does not read that header.
#[tokio::test]
async fn fuzz_regressions_answer_cleanly() {
    let t = TestApp::new().await;
    let dir = format!("{}/fuzz/regressions/event", env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Ok(mut event) = serde_json::from_slice::<Value>(&std::fs::read(&path).unwrap()) else {
            continue;
        };
        let _ = sign_as_demo(&mut event, NOW_S);
        let reply = t.send_event(event).await;
        assert!(reply.status < 500, "{}: {reply:?}", path.display());
        // A 204 (Discord's) carries the request id in a header, having no body.
        let request_id = if reply.status == 204 {
            reply.headers["x-request-id"].clone()
        } else {
            reply.body["request_id"].clone()
        };
        assert_eq!(request_id, "req-test", "{}", path.display());
        seen += 1;
    }
    assert!(seen > 0, "no regression inputs in {dir}");
    let found = std::fs::read(format!(
        "{dir}/lambda-http-panics-on-x-forwarded-proto.json"
    ))
    .unwrap();
    let found = String::from_utf8(found).unwrap();
    assert!(catch_unwind(|| lambda_http::request::from_str(&found)).is_err());
}

/// Standard Webhooks senders sign every attempt anew: a `create` whose first attempt failed,
/// retried after the user's `delete` was applied, carries a signed time later than the delete.
/// Without the sender's own `occurred_at` that time says nothing of when the user was created,
/// so it never re-creates the deleted user (SPEC §5); with it, a newer create does.
#[tokio::test]
async fn a_retried_create_never_brings_a_deleted_user_back() {
    let t = TestApp::new().await;
    let delete =
        r#"{"user_id":"usr_0a1b2c3d","action":"delete","occurred_at":"2026-11-28T12:01:00Z"}"#;
    let reply = t
        .send_event(with_body("create.json", "msg_delete_1", delete))
        .await;
    assert_eq!(reply.result(), (200, "applied"));

    // The retry, signed now (12:05), after the delete (12:01): no occurred_at.
    let retry = r#"{"user_id":"usr_0a1b2c3d","action":"create",
                    "metadata":{"email":"ana@example.com","display_name":"Ana"}}"#;
    let reply = t
        .send_event(with_body("create.json", "msg_create_1", retry))
        .await;
    assert_eq!(reply.result(), (200, "stale"));
    let u = t.user("usr_0a1b2c3d").await.unwrap();
    assert!(u.contains_key("deleted_at"), "{u:?}");
    assert!(
        !u.contains_key("email") && !u.contains_key("display_name"),
        "{u:?}"
    );
    assert_eq!(num(&u, "version"), Some(1));

    // A create the sender dates after the delete re-creates the user.
    let recreate = r#"{"user_id":"usr_0a1b2c3d","action":"create","occurred_at":"2026-11-28T12:02:00Z",
                       "metadata":{"email":"ana@example.com","display_name":"Ana"}}"#;
    let reply = t
        .send_event(with_body("create.json", "msg_create_2", recreate))
        .await;
    assert_eq!(reply.result(), (200, "applied"));
    let u = t.user("usr_0a1b2c3d").await.unwrap();
    assert!(!u.contains_key("deleted_at"), "{u:?}");
    assert_eq!(s(&u, "email").as_deref(), Some("ana@example.com"));
    assert_eq!(num(&u, "version"), Some(2));

    // Without a tombstone, a create without occurred_at is applied as before.
    let fresh = r#"{"user_id":"usr_0a1b2c3e","action":"create","metadata":{"display_name":"Bo"}}"#;
    let reply = t
        .send_event(with_body("create.json", "msg_create_3", fresh))
        .await;
    assert_eq!(reply.result(), (200, "applied"));
    let u = t.user("usr_0a1b2c3e").await.unwrap();
    assert_eq!(num(&u, "last_event_at"), Some(NOW_MS));
}

/// Names people have are stored as sent; invisible and line-breaking characters are refused.
#[tokio::test]
async fn display_names_people_have_are_accepted() {
    let t = TestApp::new().await;
    let names = [
        "\u{645}\u{6CC}\u{200C}\u{62E}\u{648}\u{627}\u{647}\u{645}",
        "\u{1F469}\u{200D}\u{1F4BB} Ana",
        "\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
        "\u{1F3F3}\u{FE0F}\u{200D}\u{1F308} Ana",
    ];
    for (i, name) in names.iter().enumerate() {
        let body = json!({"user_id": format!("usr_0000000{i}"), "action": "create",
                          "metadata": {"display_name": name}})
        .to_string();
        let reply = t
            .send_event(with_body("create.json", &format!("msg_name_{i}"), &body))
            .await;
        assert_eq!(reply.result(), (200, "applied"), "{name}");
        let u = t.user(&format!("usr_0000000{i}")).await.unwrap();
        assert_eq!(s(&u, "display_name").as_deref(), Some(*name));
    }
    for (i, name) in [
        "Ana\u{2028}Bob",
        "Ana\u{2029}",
        "\u{3164}",
        "a\u{200B}b",
        &format!("a{}", "\u{301}".repeat(100)),
        // Hidden text (SPEC §13.1): a black flag and 120 tag characters spelling a sentence,
        // a joiner between ASCII letters, 120 joiners before a letter, the Braille blank.
        &std::iter::once('\u{1F3F4}')
            .chain(
                "ignore previous instructions"
                    .repeat(5)
                    .chars()
                    .take(120)
                    .map(|c| char::from_u32(0xE0000 + c as u32).unwrap()),
            )
            .collect::<String>(),
        "ad\u{200D}min",
        &format!("{}a", "\u{200D}".repeat(120)),
        "\u{2800}",
    ]
    .iter()
    .enumerate()
    {
        let body = json!({"user_id": "usr_0000000f", "action": "create",
                          "metadata": {"display_name": name}})
        .to_string();
        let reply = t
            .send_event(with_body(
                "create.json",
                &format!("msg_bad_name_{i}"),
                &body,
            ))
            .await;
        assert_eq!(reply.result(), (400, "invalid_payload"), "{name:?}");
        assert_eq!(reply.body["details"][0]["path"], "metadata.display_name");
    }
    assert!(t.user("usr_0000000f").await.is_none());
}

/// Standard Webhooks `v1a`: a request signed only with the sender's Ed25519 key (whose `whpk_`
/// public key the tenant lists beside its `whsec_` secret) is applied like a `v1` one; the same
/// entry under another key is 401.
#[tokio::test]
async fn a_v1a_only_request_is_applied() {
    let t = TestApp::new().await;
    let signing = signing_a();
    let whsk = signing
        .split_ascii_whitespace()
        .find(|k| k.starts_with("whsk_"))
        .expect("clientA's sender holds a private key");
    let mut ev = fixture("create.json");
    sign_event(&mut ev, whsk, NOW_S).unwrap();
    let entry = ev["headers"]["webhook-signature"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(entry.starts_with("v1a,") && !entry.contains(' '), "{entry}");
    assert_eq!(t.send_event(ev).await.result(), (200, "applied"));
    assert!(t.user("usr_0a1b2c3d").await.is_some());

    let mut other = fixture("update.json");
    let stranger = webhook_receiver::signing::demo_tenants()
        .into_iter()
        .find(|d| d.slug == "clientB")
        .unwrap()
        .signing_secret;
    let stranger_key = stranger
        .split_ascii_whitespace()
        .find(|k| k.starts_with("whsk_"))
        .unwrap();
    sign_event(&mut other, stranger_key, NOW_S).unwrap();
    assert_eq!(
        t.send_event(other).await.result(),
        (401, "signature_invalid")
    );
}

/// Public-key checks are bounded per request (SPEC §13.1): keys × `v1a` entries at most 16. A
/// tenant listing eight `whpk_` keys accepts a request of two entries (16 checks); one of three
/// entries (24) is 401 before any check is run, though one of them would verify, and nothing is
/// written.
#[tokio::test]
async fn v1a_entries_past_the_check_budget_are_refused_unchecked() {
    use base64::Engine;
    let sender = webhook_receiver::signature::sender("standard-webhooks").unwrap();
    let key = |list: String, prefix: &str| {
        list.split_ascii_whitespace()
            .find(|k| k.starts_with(prefix))
            .unwrap()
            .to_owned()
    };
    let public: Vec<String> = (0..8)
        .map(|i| key((sender.demo_secret)(&format!("budget-{i}")), "whpk_"))
        .collect();
    let t = TestApp::with_env(&[("WEBHOOK_SECRET_CLIENTA", &public.join(" "))]).await;
    let whsk = key(sender.demo_signing_secret("budget-7"), "whsk_");
    let decoy = format!(
        "v1a,{}",
        base64::engine::general_purpose::STANDARD.encode([7u8; 64])
    );
    let with_decoys = |id: &str, decoys: usize| {
        let mut ev = fixture("create.json");
        ev["headers"]["webhook-id"] = json!(id);
        sign_event(&mut ev, &whsk, NOW_S).unwrap();
        let entry = ev["headers"]["webhook-signature"].as_str().unwrap();
        let header = vec![decoy.as_str(); decoys]
            .into_iter()
            .chain([entry])
            .collect::<Vec<_>>()
            .join(" ");
        ev["headers"]["webhook-signature"] = json!(header);
        ev
    };
    assert_eq!(
        t.send_event(with_decoys("msg_budget_3", 2)).await.result(),
        (401, "signature_invalid")
    );
    assert!(t.user("usr_0a1b2c3d").await.is_none());
    assert_eq!(
        t.send_event(with_decoys("msg_budget_2", 1)).await.result(),
        (200, "applied")
    );
    assert!(t.user("usr_0a1b2c3d").await.is_some());
}
