//! Failures DynamoDB Local cannot produce: throttling and cancellation reasons injected at the SDK
//! boundary (aws-smithy-mocks); timeouts and refused connections from real sockets on loopback.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::operation::transact_write_items::{
    TransactWriteItemsError, TransactWriteItemsOutput,
};
use aws_sdk_dynamodb::types::error::{
    ProvisionedThroughputExceededException, TransactionCanceledException,
};
use aws_sdk_dynamodb::types::CancellationReason;
use aws_sdk_dynamodb::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use webhook_receiver::clock::FixedClock;
use webhook_receiver::handler::App;
use webhook_receiver::store::Store;

use crate::support::*;

async fn send_with(store: Store) -> Reply {
    // A table nothing creates: the mocked stores never reach it, and the real one must miss it.
    let missing = format!(
        "no_such_table_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let app = App::new(config_for(&missing, &[]), store, Arc::new(FixedClock(NOW)));
    Reply::from(app.handle_event(signed("create.json"), "req-fault").await)
}

fn mocked(rules: &[&Rule]) -> Store {
    let client: Client = mock_client!(aws_sdk_dynamodb, RuleMode::Sequential, rules);
    Store::from_client(client)
}

fn cancelled(codes: &[&str]) -> TransactWriteItemsError {
    let reasons = codes
        .iter()
        .map(|c| CancellationReason::builder().code(*c).build())
        .collect();
    TransactWriteItemsError::TransactionCanceledException(
        TransactionCanceledException::builder()
            .message("Transaction cancelled")
            .set_cancellation_reasons(Some(reasons))
            .build(),
    )
}

fn assert_unavailable(reply: &Reply) {
    assert_eq!(reply.result(), (503, "unavailable"), "{reply:?}");
    assert_eq!(reply.headers["retry-after"], "2");
    assert_eq!(reply.body["request_id"], "req-fault");
}

#[tokio::test]
async fn throttling_is_503_with_retry_after() {
    let rule = mock!(Client::transact_write_items)
        .sequence()
        .error(|| {
            TransactWriteItemsError::ProvisionedThroughputExceededException(
                ProvisionedThroughputExceededException::builder()
                    .message("Rate exceeded")
                    .build(),
            )
        })
        .repeatedly()
        .build();
    assert_unavailable(&send_with(mocked(&[&rule])).await);
}

#[tokio::test]
async fn throttled_transaction_item_is_503() {
    let rule =
        mock!(Client::transact_write_items).then_error(|| cancelled(&["None", "ThrottlingError"]));
    assert_unavailable(&send_with(mocked(&[&rule])).await);
}

#[tokio::test]
async fn transaction_conflict_is_retried_then_succeeds() {
    let rule = mock!(Client::transact_write_items)
        .sequence()
        .error(|| cancelled(&["None", "TransactionConflict"]))
        .times(2)
        .output(|| TransactWriteItemsOutput::builder().build())
        .build();
    let reply = send_with(mocked(&[&rule])).await;
    assert_eq!(reply.result(), (200, "applied"));
    assert_eq!(rule.num_calls(), 3);
}

#[tokio::test]
async fn endless_transaction_conflict_is_a_bounded_503() {
    let rule = mock!(Client::transact_write_items)
        .sequence()
        .error(|| cancelled(&["TransactionConflict", "None"]))
        .repeatedly()
        .build();
    assert_unavailable(&send_with(mocked(&[&rule])).await);
    assert_eq!(rule.num_calls(), 8, "conflict retries are bounded");
}

#[tokio::test]
async fn unknown_cancellation_is_an_opaque_500() {
    let rule =
        mock!(Client::transact_write_items).then_error(|| cancelled(&["ValidationError", "None"]));
    let reply = send_with(mocked(&[&rule])).await;
    assert_eq!(reply.result(), (500, "internal"));
    assert_eq!(reply.body.as_object().unwrap().len(), 2, "{reply:?}");
}

/// A server that accepts connections and never answers: the SDK's timeouts must end the request.
#[tokio::test]
async fn a_silent_dynamodb_times_out_into_503() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hold = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            open.push(sock);
        }
    });
    let sdk = sdk_config(&format!("http://{addr}")).await;
    let started = Instant::now();
    assert_unavailable(&send_with(Store::new(&sdk)).await);
    // Inside any sensible function timeout (the template's is 10 s).
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    hold.abort();
}

#[tokio::test]
async fn an_unreachable_dynamodb_is_503() {
    // Bind then drop: nothing listens on this port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sdk = sdk_config(&format!("http://127.0.0.1:{port}")).await;
    assert_unavailable(&send_with(Store::new(&sdk)).await);
}

/// A missing table is our misconfiguration: 500, and the body names nothing internal.
#[tokio::test]
async fn a_missing_table_is_an_opaque_500() {
    let sdk = sdk_config(&endpoint()).await;
    let reply = send_with(Store::new(&sdk)).await;
    assert_eq!(reply.result(), (500, "internal"));
    let text = reply.body.to_string();
    assert!(
        !text.contains("no_such_table") && !text.contains("Resource"),
        "{text}"
    );
}

/// The item ledger's one `UpdateItem` throttled: 503 with `Retry-After`, as the transaction.
#[tokio::test]
async fn a_throttled_item_ledger_update_is_503() {
    use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
    let rule = mock!(Client::update_item)
        .sequence()
        .error(|| {
            UpdateItemError::ProvisionedThroughputExceededException(
                ProvisionedThroughputExceededException::builder()
                    .message("Rate exceeded")
                    .build(),
            )
        })
        .repeatedly()
        .build();
    let app = App::new(
        config_for("mocked", &[]),
        mocked(&[&rule]),
        Arc::new(FixedClock(NOW)),
    );
    let body = serde_json::json!({"user_id": "usr_0000fa17", "action": "create",
                                  "occurred_at": "2026-11-28T12:00:00Z"});
    let ev = with_body_to(
        LEDGER_TENANTS[1],
        "create.json",
        "msg_fault",
        &body.to_string(),
    );
    assert_unavailable(&Reply::from(app.handle_event(ev, "req-fault").await));
    assert!(rule.num_calls() >= 1);
}
