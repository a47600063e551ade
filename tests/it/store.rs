//! SPEC §6 against DynamoDB Local: every cell of the condition table, replays, and concurrency.

use std::sync::Arc;

use futures_util::future::join_all;
use serde_json::json;

use crate::support::*;

const USER: &str = "usr_c0ffee00";
/// Event times: minutes past 11:00 on 2026-11-28, all before the fixed clock (12:05).
fn at(minute: u32) -> String {
    format!("2026-11-28T11:{minute:02}:00Z")
}

struct Table {
    t: TestApp,
    n: u32,
}

impl Table {
    async fn new() -> Self {
        Self {
            t: TestApp::new().await,
            n: 0,
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
            .send_event(with_body("create.json", &id, &body.to_string()))
            .await;
        let (status, code) = reply.result();
        (status, code.to_owned())
    }

    async fn version(&self) -> Option<i64> {
        num(&self.t.user(USER).await?, "version")
    }

    async fn is_tombstone(&self) -> bool {
        self.t
            .user(USER)
            .await
            .is_some_and(|u| u.contains_key("deleted_at"))
    }

    /// Puts the user item in a state: none, live or tombstone, last written at `minute`.
    async fn given(state: &str, minute: u32) -> Self {
        let mut t = Self::new().await;
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
    for (action, state, minute, status, code) in CONDITION_TABLE {
        let mut t = Table::given(state, 30).await;
        let before_version = t.version().await;
        let before_items = t.t.item_count().await;
        let got = t.send(action, *minute).await;
        let cell = format!("{action} over {state} at minute {minute}");
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
    let mut t = Table::given("tombstone", 30).await;
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

#[tokio::test]
async fn twenty_concurrent_identical_deliveries_apply_once() {
    let t = Arc::new(TestApp::new().await);
    let body = json!({"user_id": USER, "action": "create", "occurred_at": at(1),
                      "metadata": {"email": "c@example.com"}})
    .to_string();
    let ev = with_body("create.json", "msg_concurrent", &body);
    let replies = join_all((0..20).map(|_| {
        let t = Arc::clone(&t);
        let ev = ev.clone();
        tokio::spawn(async move { t.send_event(ev).await.result().1.to_owned() })
    }))
    .await;
    let codes: Vec<String> = replies.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(
        codes.iter().filter(|c| *c == "applied").count(),
        1,
        "{codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| *c == "duplicate").count(),
        19,
        "{codes:?}"
    );
    assert_eq!(num(&t.user(USER).await.unwrap(), "version"), Some(1));
}

#[tokio::test]
async fn fifty_concurrent_updates_newest_wins() {
    let t = Arc::new(TestApp::new().await);
    let create = json!({"user_id": USER, "action": "create", "occurred_at": "2026-11-28T11:00:00Z",
                        "metadata": {"display_name": "first"}})
    .to_string();
    assert_eq!(
        t.send_event(with_body("create.json", "msg_seed", &create))
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
        let ev = with_body("update.json", &format!("msg_upd_{sec}"), &body);
        tokio::spawn(async move { t.send_event(ev).await.result().1.to_owned() })
    }))
    .await;
    let codes: Vec<String> = replies.into_iter().map(|r| r.unwrap()).collect();
    assert!(
        codes.iter().all(|c| c == "applied" || c == "stale"),
        "{codes:?}"
    );
    let applied = codes.iter().filter(|c| *c == "applied").count() as i64;
    let u = t.user(USER).await.unwrap();
    assert_eq!(s(&u, "display_name").as_deref(), Some("second 49"));
    assert_eq!(num(&u, "last_event_at"), Some(1_795_867_200_000 + 49_000));
    assert_eq!(num(&u, "version"), Some(1 + applied));
}
