//! SPEC §6 against DynamoDB Local: every cell of the condition table, replays, and concurrency.

use std::sync::Arc;

use futures_util::future::join_all;
use serde_json::json;

use crate::support::*;

const USER: &str = "usr_c0ffee00";
/// Event times: minutes past 11:00 on 2026-11-28, all before the fixed clock (12:05).
fn sha256_of(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

fn at(minute: u32) -> String {
    format!("2026-11-28T11:{minute:02}:00Z")
}

struct Table {
    t: TestApp,
    n: u32,
    /// The tenant written to (one of [`LEDGER_TENANTS`]).
    slug: &'static str,
}

impl Table {
    async fn new(slug: &'static str) -> Self {
        Self {
            t: TestApp::new().await,
            n: 0,
            slug,
        }
    }

    /// Sends one event for `USER` with a fresh delivery id; returns (status, code).
    async fn send(&mut self, action: &str, minute: u32) -> (u16, String) {
        self.n += 1;
        let mut body = json!({"user_id": USER, "action": action, "occurred_at": at(minute)});
        match action {
            "create" => body["metadata"] = json!({"email": "c@example.com", "display_name": "C"}),
            "update" => body["metadata"] = json!({"display_name": format!("name at {minute}")}),
            _ => {}
        }
        let id = format!("msg_{action}_{minute}_{}", self.n);
        let reply = self
            .t
            .send_event(with_body_to(
                self.slug,
                "create.json",
                &id,
                &body.to_string(),
            ))
            .await;
        let (status, code) = reply.result();
        (status, code.to_owned())
    }

    async fn version(&self) -> Option<i64> {
        num(&self.t.user_in(self.slug, USER).await?, "version")
    }

    async fn is_tombstone(&self) -> bool {
        self.t
            .user_in(self.slug, USER)
            .await
            .is_some_and(|u| u.contains_key("deleted_at"))
    }

    /// Puts the user item in a state: none, live or tombstone, last written at `minute`.
    async fn given(slug: &'static str, state: &str, minute: u32) -> Self {
        let mut t = Self::new(slug).await;
        match state {
            "none" => {}
            "live" => assert_eq!(t.send("create", minute).await.0, 200),
            "tombstone" => {
                assert_eq!(t.send("create", minute.saturating_sub(1)).await.0, 200);
                assert_eq!(t.send("delete", minute).await.0, 200);
            }
            _ => unreachable!(),
        }
        t
    }
}

/// SPEC §6's table, every cell ([`CONDITION_TABLE`]), through v1 events.
#[tokio::test]
async fn condition_table_cell_by_cell() {
    for (slug, (action, state, minute, status, code)) in LEDGER_TENANTS
        .iter()
        .flat_map(|slug| CONDITION_TABLE.iter().map(move |cell| (*slug, cell)))
    {
        let mut t = Table::given(slug, state, 30).await;
        let before_version = t.version().await;
        let before_items = t.t.item_count().await;
        let got = t.send(action, *minute).await;
        let cell = format!("{slug}: {action} over {state} at minute {minute}");
        assert_eq!(got, (*status, code.to_string()), "{cell}");

        if *code == "applied" {
            assert_eq!(
                t.version().await,
                Some(before_version.unwrap_or(0) + 1),
                "{cell}: version continues"
            );
            assert_eq!(t.is_tombstone().await, *action == "delete", "{cell}");
        } else {
            // Nothing at all is written for a refused event, not even its delivery record.
            assert_eq!(t.version().await, before_version, "{cell}");
            assert_eq!(t.t.item_count().await, before_items, "{cell}");
        }
    }
}

#[tokio::test]
async fn recreate_over_tombstone_drops_tombstone_fields() {
    let mut t = Table::given("clientA", "tombstone", 30).await;
    assert_eq!(t.send("create", 31).await, (200, "applied".into()));
    let u = t.t.user(USER).await.unwrap();
    assert!(!u.contains_key("deleted_at") && !u.contains_key("expires_at"));
    assert_eq!(s(&u, "email").as_deref(), Some("c@example.com"));
    assert_eq!(num(&u, "version"), Some(3));
}

#[tokio::test]
async fn same_delivery_is_duplicate_and_reused_id_is_refused() {
    let t = TestApp::new().await;
    let body = json!({"user_id": USER, "action": "create", "occurred_at": at(1)}).to_string();
    let ev = with_body("create.json", "msg_same", &body);
    assert_eq!(t.send_event(ev.clone()).await.result(), (200, "applied"));
    // The same delivery re-signed later (a sender retry) is still a duplicate.
    assert_eq!(t.send_event(ev).await.result(), (200, "duplicate"));
    let other = json!({"user_id": USER, "action": "delete", "occurred_at": at(2)}).to_string();
    let reused = with_body("create.json", "msg_same", &other);
    assert_eq!(
        t.send_event(reused).await.result(),
        (409, "delivery_id_reused")
    );
    assert_eq!(num(&t.user(USER).await.unwrap(), "version"), Some(1));
}

/// Twenty identical deliveries at once: one applied, nineteen duplicates, for both ledgers.
#[tokio::test]
async fn twenty_concurrent_identical_deliveries_apply_once() {
    let t = Arc::new(TestApp::new().await);
    for slug in LEDGER_TENANTS {
        let body = json!({"user_id": USER, "action": "create", "occurred_at": at(1),
                          "metadata": {"email": "c@example.com"}})
        .to_string();
        let ev = with_body_to(slug, "create.json", "msg_concurrent", &body);
        let replies = join_all((0..20).map(|_| {
            let t = Arc::clone(&t);
            let ev = ev.clone();
            tokio::spawn(async move { t.send_event(ev).await.result().1.to_owned() })
        }))
        .await;
        let codes: Vec<String> = replies.into_iter().map(|r| r.unwrap()).collect();
        let count = |code: &str| codes.iter().filter(|c| *c == code).count();
        assert_eq!(
            (count("applied"), count("duplicate")),
            (1, 19),
            "{slug}: {codes:?}"
        );
        assert_eq!(
            num(&t.user_in(slug, USER).await.unwrap(), "version"),
            Some(1)
        );
    }
}

/// Fifty updates at once in a shuffled order: the newest wins, for both ledgers.
#[tokio::test]
async fn fifty_concurrent_updates_newest_wins() {
    let t = Arc::new(TestApp::new().await);
    for slug in LEDGER_TENANTS {
        let create =
            json!({"user_id": USER, "action": "create", "occurred_at": "2026-11-28T11:00:00Z",
                            "metadata": {"display_name": "first"}})
            .to_string();
        assert_eq!(
            t.send_event(with_body_to(slug, "create.json", "msg_seed", &create))
                .await
                .result(),
            (200, "applied")
        );
        // Seconds 0..50 in a shuffled order (a fixed permutation: 7 is coprime with 50).
        let seconds: Vec<u32> = (0..50).map(|i| (i * 7 + 3) % 50).collect();
        let replies = join_all(seconds.iter().map(|&sec| {
            let t = Arc::clone(&t);
            let body = json!({"user_id": USER, "action": "update",
                              "occurred_at": format!("2026-11-28T12:00:{sec:02}Z"),
                              "metadata": {"display_name": format!("second {sec}")}})
            .to_string();
            let ev = with_body_to(slug, "update.json", &format!("msg_upd_{sec}"), &body);
            tokio::spawn(async move { t.send_event(ev).await.result().1.to_owned() })
        }))
        .await;
        let codes: Vec<String> = replies.into_iter().map(|r| r.unwrap()).collect();
        assert!(
            codes.iter().all(|c| c == "applied" || c == "stale"),
            "{slug}: {codes:?}"
        );
        let applied = codes.iter().filter(|c| *c == "applied").count() as i64;
        let u = t.user_in(slug, USER).await.unwrap();
        assert_eq!(
            s(&u, "display_name").as_deref(),
            Some("second 49"),
            "{slug}"
        );
        assert_eq!(num(&u, "last_event_at"), Some(1_795_867_200_000 + 49_000));
        assert_eq!(num(&u, "version"), Some(1 + applied));
    }
}

/// The item as its own ledger (SPEC §13.4): one `UpdateItem` and no delivery record, one write
/// unit for a small item; a retry of its last delivery is a duplicate, that id with another
/// body `delivery_id_reused`; an older id reused is no longer detected (it is judged by time);
/// `occurred_at` is required.
#[tokio::test]
async fn the_item_ledger_writes_one_item_for_one_unit() {
    let t = TestApp::new().await;
    let slug = LEDGER_TENANTS[1];
    let body = |action: &str, minute: u32| {
        json!({"user_id": USER, "action": action, "occurred_at": at(minute),
               "metadata": {"display_name": format!("at {minute}")}})
        .to_string()
    };
    let first = with_body_to(slug, "create.json", "msg_a", &body("create", 1));
    let (reply, log) = t.handle_logged(first.clone(), "req-item").await;
    assert_eq!(Reply::from(reply).result(), (200, "applied"));
    assert_eq!(log.dynamodb_write_units, Some(1.0));
    let items = t.items_in(slug).await;
    assert_eq!(items.len(), 1, "the user item alone: {items:?}");
    let sha = sha256_of(first["body"].as_str().unwrap());
    assert_eq!(s(&items[0], "last_payload_sha256"), Some(sha));
    assert_eq!(s(&items[0], "last_delivery_id").as_deref(), Some("msg_a"));

    assert_eq!(t.send_event(first).await.result(), (200, "duplicate"));
    let reused = with_body_to(slug, "create.json", "msg_a", &body("update", 2));
    assert_eq!(
        t.send_event(reused).await.result(),
        (409, "delivery_id_reused")
    );
    let next = with_body_to(slug, "create.json", "msg_b", &body("update", 3));
    assert_eq!(t.send_event(next).await.result(), (200, "applied"));
    // msg_a is no longer the item's last: reused with a newer body, it is applied.
    let older_reused = with_body_to(slug, "create.json", "msg_a", &body("update", 4));
    assert_eq!(t.send_event(older_reused).await.result(), (200, "applied"));

    let no_time = json!({"user_id": USER, "action": "update", "metadata": {"display_name": "x"}});
    let reply = t
        .send_event(with_body_to(
            slug,
            "create.json",
            "msg_c",
            &no_time.to_string(),
        ))
        .await;
    assert_eq!(reply.result(), (400, "invalid_payload"));
    assert_eq!(reply.body["details"][0]["path"], "occurred_at");
    assert_eq!(t.items_in(slug).await.len(), 1);
}
