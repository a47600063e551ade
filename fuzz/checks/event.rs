//! The whole request path: a raw Lambda event (any bytes; seeds are events/) through
//! `App::handle_event` (the adapter, the pipeline and a DynamoDB client whose every call succeeds at once).
//! Every answer must be a JSON response carrying the request id, and never a 5xx (the store
//! cannot fail here, so a 5xx would be the receiver's own fault).

use std::sync::{Arc, LazyLock};

use aws_sdk_dynamodb::operation::put_item::PutItemOutput;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsOutput;
use aws_sdk_dynamodb::Client;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use serde_json::Value;
use webhook_receiver::clock::FixedClock;
use webhook_receiver::handler::App;
use webhook_receiver::store::Store;

struct Harness {
    runtime: tokio::runtime::Runtime,
    app: App,
}

static HARNESS: LazyLock<Harness> = LazyLock::new(|| {
    // User events (one transaction) and inbox events (one put) both succeed at once.
    let transact = mock!(Client::transact_write_items)
        .sequence()
        .output(|| TransactWriteItemsOutput::builder().build())
        .repeatedly()
        .build();
    let put = mock!(Client::put_item)
        .sequence()
        .output(|| PutItemOutput::builder().build())
        .repeatedly()
        .build();
    let client: Client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, &[&transact, &put]);
    Harness {
        runtime: tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime"),
        app: App::new(
            super::common::config(),
            Store::from_client(client),
            Arc::new(FixedClock(super::common::NOW)),
        ),
    }
});

const REQUEST_ID: &str = "fuzz-request";

/// One input through the target (the fuzzer's and the regression test's entry).
pub fn run(data: &[u8]) {
    // What reaches the handler: the event as the runtime parses it (the guard in front of the
    // runtime makes that same call), or `null` where it would not parse.
    let mut event = webhook_receiver::lambda::runtime_reading(data).unwrap_or(Value::Null);
    super::common::sign(&mut event);
    let h = &*HARNESS;
    let response = h.runtime.block_on(h.app.handle_event(event, REQUEST_ID));
    // The runtime serialises the answer; failing to would be an invocation error (a 5xx).
    let response = serde_json::to_value(response).expect("the answer serialises");

    let status = response["statusCode"]
        .as_u64()
        .unwrap_or_else(|| panic!("no statusCode in {response}"));
    assert!(
        (200..500).contains(&status),
        "status {status} for a request the store accepted: {response}"
    );
    let body = response["body"]
        .as_str()
        .unwrap_or_else(|| panic!("no body in {response}"));
    if status == 204 {
        // A sender that wants no body (Discord): the request id travels in a header.
        assert!(body.is_empty(), "{response}");
        let id = response["headers"]["x-request-id"]
            .as_str()
            .or_else(|| response["multiValueHeaders"]["x-request-id"][0].as_str());
        assert_eq!(id, Some(REQUEST_ID), "{response}");
        return;
    }
    let header = |name: &str| {
        response["headers"][name]
            .as_str()
            .or_else(|| response["multiValueHeaders"][name][0].as_str())
    };
    if header("content-type").is_some_and(|ct| ct.starts_with("text/plain")) {
        // A handshake's echo (Twitch, Meta): only a plain token, the request id in a header.
        assert_eq!(status, 200, "{response}");
        assert_eq!(header("x-request-id"), Some(REQUEST_ID), "{response}");
        assert!(
            (1..=128).contains(&body.len())
                && body
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
            "{response}"
        );
        return;
    }
    let body: Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {response}"));
    assert_eq!(body["request_id"], REQUEST_ID, "{response}");
    if status == 200 {
        assert!(
            body["status"].is_string()
                || body["challenge"].is_string()
                || body["plainToken"].is_string(),
            "{response}"
        );
    } else {
        assert!(body["error"].is_string(), "{response}");
    }
}
