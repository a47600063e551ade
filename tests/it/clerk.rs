//! `format: clerk-user` (SPEC §11): Clerk's user events, Svix-signed, applied to user items
//! exactly as v1 events are, over DynamoDB Local.

use serde_json::{json, Value};

use crate::support::*;
use webhook_receiver::signing::sign_as_demo;

const SLUG: &str = "standard-webhooks-clerk-user";
/// The same tenant with the user item as its own ledger (SPEC §13.4).
const ITEM_SLUG: &str = "standard-webhooks-clerk-user-item";
const USER: &str = "user_2Cond1t10nTab1e";
/// 2026-11-28T11:00:00Z, ms.
const ELEVEN: i64 = 1_795_863_600_000;

/// A Clerk event of `kind` for `data`, delivered under `msg_id` and signed at the fixed clock.
fn clerk_event(kind: &str, timestamp_ms: Option<i64>, data: Value, msg_id: &str) -> Value {
    clerk_event_to(SLUG, kind, timestamp_ms, data, msg_id)
}

/// As [`clerk_event`], to tenant `slug`.
fn clerk_event_to(
    slug: &str,
    kind: &str,
    timestamp_ms: Option<i64>,
    data: Value,
    msg_id: &str,
) -> Value {
    let mut body = json!({"data": data, "object": "event", "type": kind,
                          "instance_id": "ins_2dFk6VQH5n0eCzT8pKX3mG7a1Lb",
                          "event_attributes": {"http_request": {"client_ip": "203.0.113.10"}}});
    if let Some(ts) = timestamp_ms {
        body["timestamp"] = json!(ts);
    }
    let mut ev = fixture("clerk-user-created.json");
    ev["rawPath"] = json!(format!("/webhooks/{slug}"));
    ev["body"] = json!(body.to_string());
    ev["headers"]["svix-id"] = json!(msg_id);
    sign_as_demo(&mut ev, NOW_S).unwrap();
    ev
}

fn user_data(id: &str, first: Value, last: Value, username: Value) -> Value {
    json!({
        "id": id, "object": "user", "created_at": 1_795_867_080_000_i64,
        "email_addresses": [
            {"id": "idn_first", "email_address": "first@example.com", "object": "email_address"},
            {"id": "idn_primary", "email_address": "primary@example.com", "object": "email_address"}
        ],
        "primary_email_address_id": "idn_primary",
        "first_name": first, "last_name": last, "username": username,
        "public_metadata": {"anything": [1, {"nested": null}]}, "banned": false
    })
}

#[tokio::test]
async fn user_created_and_deleted_from_the_samples() {
    let t = TestApp::new().await;
    assert_eq!(
        t.send("clerk-user-created.json").await.result(),
        (200, "applied")
    );
    let u = t
        .user_in(SLUG, "user_29w83sxmDNGwOuEthce5gg56FcC")
        .await
        .expect("user item");
    assert_eq!(
        s(&u, "user_id").as_deref(),
        Some("user_29w83sxmDNGwOuEthce5gg56FcC")
    );
    // The primary address, not the first entry.
    assert_eq!(s(&u, "email").as_deref(), Some("ana@example.com"));
    assert_eq!(s(&u, "display_name").as_deref(), Some("Ana María"));
    assert_eq!(s(&u, "created_at").as_deref(), Some("2026-11-28T11:58:00Z"));
    assert_eq!(num(&u, "last_event_at"), Some(1_795_867_200_000));
    assert_eq!(
        s(&u, "last_delivery_id").as_deref(),
        Some("msg_2ZxY1clerkUserCreated0001")
    );
    assert_eq!(num(&u, "version"), Some(1));
    let d = t
        .item_in(SLUG, "DELIVERY#msg_2ZxY1clerkUserCreated0001", "DELIVERY")
        .await
        .expect("delivery record");
    assert_eq!(s(&d, "action").as_deref(), Some("create"));
    // Svix retries the same message: a duplicate.
    assert_eq!(
        t.send("clerk-user-created.json").await.result(),
        (200, "duplicate")
    );

    assert_eq!(
        t.send("clerk-user-deleted.json").await.result(),
        (200, "applied")
    );
    let u = t
        .user_in(SLUG, "user_29w83sxmDNGwOuEthce5gg56FcC")
        .await
        .unwrap();
    assert!(
        u.contains_key("deleted_at") && !u.contains_key("email"),
        "{u:?}"
    );
    assert_eq!(num(&u, "version"), Some(2));
    assert_eq!(num(&u, "expires_at"), Some(NOW_S + 2_592_000));
}

#[tokio::test]
async fn display_name_falls_back_to_the_username_then_to_none() {
    let t = TestApp::new().await;
    let cases = [
        (
            "user_a",
            json!("Ana"),
            json!(null),
            json!("ana_m"),
            Some("Ana"),
        ),
        (
            "user_b",
            json!(""),
            json!("Ruiz"),
            json!("ruiz"),
            Some("Ruiz"),
        ),
        (
            "user_c",
            json!(null),
            json!(""),
            json!("only_user"),
            Some("only_user"),
        ),
        ("user_d", json!(null), json!(null), json!(null), None),
    ];
    for (i, (id, first, last, username, want)) in cases.into_iter().enumerate() {
        let ev = clerk_event(
            "user.created",
            Some(ELEVEN),
            user_data(id, first, last, username),
            &format!("msg_name_{i}"),
        );
        assert_eq!(t.send_event(ev).await.result(), (200, "applied"), "{id}");
        let u = t.user_in(SLUG, id).await.unwrap();
        assert_eq!(s(&u, "display_name").as_deref(), want, "{id}");
        assert_eq!(
            s(&u, "email").as_deref(),
            Some("primary@example.com"),
            "{id}"
        );
    }
    // No primary address (null, or naming no entry): no email.
    let mut data = user_data("user_e", json!("E"), json!(null), json!(null));
    data["primary_email_address_id"] = json!(null);
    let ev = clerk_event("user.created", Some(ELEVEN), data, "msg_no_primary");
    assert_eq!(t.send_event(ev).await.result(), (200, "applied"));
    assert!(s(&t.user_in(SLUG, "user_e").await.unwrap(), "email").is_none());
}

#[tokio::test]
async fn other_event_types_are_ignored_without_a_write() {
    let t = TestApp::new().await;
    for kind in [
        "session.created",
        "organization.created",
        "email.created",
        "user.unknown",
    ] {
        let ev = clerk_event(
            kind,
            Some(ELEVEN),
            json!({"id": "sess_1", "object": "session"}),
            "msg_other",
        );
        assert_eq!(t.send_event(ev).await.result(), (200, "ignored"), "{kind}");
    }
    // Whatever their `data` holds: it is not a user, so it is not read.
    for (i, data) in [
        json!("a string"),
        json!({"id": "sess_1", "email_addresses": "not a list"}),
        json!({"id": 7, "first_name": 1e300}),
    ]
    .into_iter()
    .enumerate()
    {
        let ev = clerk_event(
            "session.ended",
            Some(ELEVEN),
            data,
            &format!("msg_other_{i}"),
        );
        assert_eq!(t.send_event(ev).await.result(), (200, "ignored"), "{i}");
    }
    assert_eq!(t.item_count().await, 0);
}

/// Clerk's own structure is checked: not Clerk's is 400, and nothing is written.
#[tokio::test]
async fn clerk_structure_is_validated_at_its_path() {
    let t = TestApp::new().await;
    let good = || user_data(USER, json!("Ana"), json!(null), json!(null));
    let mut cases: Vec<(Value, Option<Value>, &str)> = Vec::new();
    let mut d = good();
    d["id"] = json!("user-with-dash");
    cases.push((d, Some(json!(ELEVEN)), "data.id"));
    let mut d = good();
    d["id"] = json!(12);
    cases.push((d, Some(json!(ELEVEN)), "data.id"));
    cases.push((good(), Some(json!(NOW_MS + 301_000)), "timestamp"));
    cases.push((good(), Some(json!("yesterday")), "timestamp"));
    cases.push((json!("not an object"), Some(json!(ELEVEN)), "data"));
    let mut d = good();
    d["email_addresses"] = json!("not a list");
    cases.push((d, Some(json!(ELEVEN)), "data.email_addresses"));
    for (i, (data, ts, path)) in cases.into_iter().enumerate() {
        let mut ev = clerk_event("user.created", None, data, &format!("msg_bad_{i}"));
        let mut body: Value = serde_json::from_str(ev["body"].as_str().unwrap()).unwrap();
        body["timestamp"] = ts.unwrap();
        ev["body"] = json!(body.to_string());
        ev["headers"]["svix-signature"] = json!("<sign>");
        sign_as_demo(&mut ev, NOW_S).unwrap();
        let reply = t.send_event(ev).await;
        assert_eq!(
            reply.result(),
            (400, "invalid_payload"),
            "{path}: {reply:?}"
        );
        assert_eq!(reply.body["details"][0]["path"], path, "{reply:?}");
    }
    assert_eq!(t.item_count().await, 0);
}

/// A value one of Clerk's users typed that breaks a rule is left out, never a 400 (Svix would
/// retry for a day and the user would never be created): the event is applied without it, the
/// item's `dropped_fields` says what was left out, and the response and log line say so too.
#[tokio::test]
async fn values_that_break_a_rule_are_dropped_and_named() {
    let t = TestApp::new().await;
    let mut d = user_data(USER, json!("A\u{202e}na"), json!(null), json!(null));
    d["email_addresses"][1]["email_address"] = json!("not-an-email");
    d["created_at"] = json!("yesterday");
    let ev = clerk_event("user.created", Some(ELEVEN), d, "msg_dropped_1");
    let (reply, log) = t.handle_logged(ev, "req-dropped").await;
    let reply = Reply::from(reply);
    assert_eq!(reply.result(), (200, "applied"), "{reply:?}");
    assert!(!reply.body.to_string().contains("not-an-email"));
    assert_eq!(log.dropped_fields, Some(3));
    let line = log.to_line(webhook_receiver::clock::Timestamp::from_unix_millis(NOW_MS));
    assert!(line.contains(r#""dropped_fields":3"#), "{line}");
    assert!(!line.contains("not-an-email"), "{line}");

    let u = t.user_in(SLUG, USER).await.expect("the user exists");
    for gone in ["email", "display_name", "created_at"] {
        assert!(!u.contains_key(gone), "{gone}: {u:?}");
    }
    assert_eq!(
        string_set(&u, "dropped_fields"),
        ["created_at", "display_name", "email"]
    );
    assert_eq!(num(&u, "version"), Some(1));

    // Each rule on its own: a name too long, a name of one line break; the good values stay.
    for (i, (first, last)) in [
        (json!("x".repeat(129)), json!(null)),
        (json!("A"), json!("\u{2028}")),
    ]
    .into_iter()
    .enumerate()
    {
        let minute = 1 + i as i64;
        let d = user_data(USER, first, last, json!(null));
        let ev = clerk_event(
            "user.updated",
            Some(ELEVEN + minute * 60_000),
            d,
            &format!("msg_dropped_name_{i}"),
        );
        assert_eq!(t.send_event(ev).await.result(), (200, "applied"));
        let u = t.user_in(SLUG, USER).await.unwrap();
        assert_eq!(s(&u, "email").as_deref(), Some("primary@example.com"));
        assert!(!u.contains_key("display_name"));
        assert_eq!(string_set(&u, "dropped_fields"), ["display_name"]);
    }

    // An applied event that drops nothing replaces the list: it is gone.
    let d = user_data(USER, json!("Ana"), json!("María"), json!(null));
    let ev = clerk_event("user.updated", Some(ELEVEN + 10 * 60_000), d, "msg_clean");
    assert_eq!(t.send_event(ev).await.result(), (200, "applied"));
    let u = t.user_in(SLUG, USER).await.unwrap();
    assert_eq!(s(&u, "display_name").as_deref(), Some("Ana María"));
    assert!(!u.contains_key("dropped_fields"), "{u:?}");
}

/// Names people have pass as they are.
#[tokio::test]
async fn real_names_are_kept() {
    let t = TestApp::new().await;
    for (i, name) in [
        "\u{645}\u{6CC}\u{200C}\u{62E}\u{648}\u{627}\u{647}\u{645}",
        "\u{1F469}\u{200D}\u{1F4BB}",
        "\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
    ]
    .into_iter()
    .enumerate()
    {
        let kind = if i == 0 {
            "user.created"
        } else {
            "user.updated"
        };
        let d = user_data(USER, json!(name), json!(null), json!(null));
        let ev = clerk_event(
            kind,
            Some(ELEVEN + i as i64 * 60_000),
            d,
            &format!("msg_name_{i}"),
        );
        assert_eq!(t.send_event(ev).await.result(), (200, "applied"), "{name}");
        let u = t.user_in(SLUG, USER).await.unwrap();
        assert_eq!(s(&u, "display_name").as_deref(), Some(name));
        assert!(!u.contains_key("dropped_fields"));
    }
}

fn string_set(
    item: &std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
    k: &str,
) -> Vec<String> {
    let mut v = item
        .get(k)
        .and_then(|v| v.as_ss().ok())
        .cloned()
        .unwrap_or_default();
    v.sort();
    v
}

/// A table for one Clerk user: events at minutes past 11:00 (ms timestamps).
struct Clerk {
    t: TestApp,
    n: u32,
    slug: &'static str,
}

impl Clerk {
    async fn given(slug: &'static str, state: &str, minute: i64) -> Self {
        let mut c = Self {
            t: TestApp::new().await,
            n: 0,
            slug,
        };
        match state {
            "none" => {}
            "live" => assert_eq!(c.send("create", minute).await.0, 200),
            "tombstone" => {
                assert_eq!(c.send("create", minute - 1).await.0, 200);
                assert_eq!(c.send("delete", minute).await.0, 200);
            }
            _ => unreachable!(),
        }
        c
    }

    async fn send(&mut self, action: &str, minute: i64) -> (u16, String) {
        self.n += 1;
        let (kind, data) = match action {
            "create" => (
                "user.created",
                user_data(USER, json!("C"), json!(null), json!(null)),
            ),
            "update" => (
                "user.updated",
                user_data(
                    USER,
                    json!(format!("name at {minute}")),
                    json!(null),
                    json!(null),
                ),
            ),
            _ => (
                "user.deleted",
                json!({"deleted": true, "id": USER, "object": "user"}),
            ),
        };
        let ev = clerk_event_to(
            self.slug,
            kind,
            Some(ELEVEN + minute * 60_000),
            data,
            &format!("msg_{action}_{minute}_{}", self.n),
        );
        let reply = self.t.send_event(ev).await;
        let (status, code) = reply.result();
        (status, code.to_owned())
    }

    async fn version(&self) -> Option<i64> {
        num(&self.t.user_in(self.slug, USER).await?, "version")
    }
}

/// SPEC §6's table, every cell ([`CONDITION_TABLE`]), through Clerk events.
#[tokio::test]
async fn condition_table_cell_by_cell_through_clerk_events() {
    for (slug, &(action, state, minute, status, code)) in [SLUG, ITEM_SLUG]
        .into_iter()
        .flat_map(|slug| CONDITION_TABLE.iter().map(move |cell| (slug, cell)))
    {
        let minute = i64::from(minute);
        let mut c = Clerk::given(slug, state, 30).await;
        let before = c.version().await;
        let items = c.t.item_count().await;
        let cell = format!("{slug}: {action} over {state} at minute {minute}");
        assert_eq!(
            c.send(action, minute).await,
            (status, code.to_string()),
            "{cell}"
        );
        if code == "applied" {
            assert_eq!(c.version().await, Some(before.unwrap_or(0) + 1), "{cell}");
            let u = c.t.user_in(slug, USER).await.unwrap();
            assert_eq!(u.contains_key("deleted_at"), action == "delete", "{cell}");
            assert_eq!(
                num(&u, "last_event_at"),
                Some(ELEVEN + minute * 60_000),
                "{cell}"
            );
        } else {
            assert_eq!(c.version().await, before, "{cell}");
            assert_eq!(c.t.item_count().await, items, "{cell}");
        }
    }
}

/// An update states the user as Clerk has it now: an email or name that is now absent is
/// removed from the item; with neither, the event is applied and bumps the version and times.
#[tokio::test]
async fn an_update_states_the_user_as_clerk_has_it_now() {
    let c = Clerk::given(SLUG, "live", 30).await;
    let data = json!({"id": USER, "object": "user", "primary_email_address_id": null,
                      "email_addresses": [], "first_name": null, "last_name": null, "username": null});
    let ev = clerk_event(
        "user.updated",
        Some(ELEVEN + 31 * 60_000),
        data,
        "msg_empty_update",
    );
    assert_eq!(c.t.send_event(ev).await.result(), (200, "applied"));
    let u = c.t.user_in(SLUG, USER).await.unwrap();
    assert_eq!(num(&u, "version"), Some(2));
    assert!(!u.contains_key("display_name"), "{u:?}");
    assert!(!u.contains_key("email"), "{u:?}");
    assert!(u.contains_key("created_at"), "{u:?}");
    assert_eq!(num(&u, "last_event_at"), Some(ELEVEN + 31 * 60_000));
}

/// With the item as its own ledger, Clerk's `timestamp` is required (its time decides), and a
/// created user costs one write unit, no delivery record.
#[tokio::test]
async fn the_item_ledger_needs_clerks_timestamp_and_writes_one_item() {
    let t = TestApp::new().await;
    let data = user_data(USER, json!("Ana"), json!(null), json!(null));
    let untimed = clerk_event_to(ITEM_SLUG, "user.created", None, data.clone(), "msg_1");
    let reply = t.send_event(untimed).await;
    assert_eq!(reply.result(), (400, "invalid_payload"));
    assert_eq!(reply.body["details"][0]["path"], "timestamp");
    let timed = clerk_event_to(ITEM_SLUG, "user.created", Some(ELEVEN), data, "msg_1");
    let (reply, log) = t.handle_logged(timed.clone(), "req-item").await;
    assert_eq!(Reply::from(reply).result(), (200, "applied"));
    assert_eq!(log.dynamodb_write_units, Some(1.0));
    assert_eq!(t.items_in(ITEM_SLUG).await.len(), 1);
    assert_eq!(t.send_event(timed).await.result(), (200, "duplicate"));
}
