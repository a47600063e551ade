//! Every sender's header parsing and verification: the headers and body of a raw event (any
//! JSON; seeds are events/, their placeholders signed) verified by every demo tenant's verifier
//! (each sender, from the list). No input may panic, and what verifies must be what was signed:
//! the body as given, well-formed delivery ids, and a signed time within the tolerance.

use std::sync::LazyLock;

use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use webhook_receiver::domain::DeliveryId;
use webhook_receiver::signature::{Request, Verifier};
use webhook_receiver::signing::demo_tenants;

static VERIFIERS: LazyLock<Vec<Verifier>> =
    LazyLock::new(|| demo_tenants().iter().map(|t| t.verifier()).collect());

/// Every header of `headers` and `multiValueHeaders` that HTTP allows.
fn header_map(event: &Value) -> HeaderMap {
    let mut map = HeaderMap::new();
    let mut add = |name: &str, value: &Value| {
        if let (Ok(name), Some(Ok(value))) = (
            HeaderName::from_bytes(name.as_bytes()),
            value.as_str().map(HeaderValue::from_str),
        ) {
            // A header map holds a bounded number of entries; the adapter refuses more.
            let _ = map.try_append(name, value);
        }
    };
    if let Some(headers) = event["headers"].as_object() {
        for (name, value) in headers {
            add(name, value);
        }
    }
    if let Some(headers) = event["multiValueHeaders"].as_object() {
        for (name, values) in headers {
            for value in values.as_array().into_iter().flatten() {
                add(name, value);
            }
        }
    }
    map
}

/// One input through the target (the fuzzer's and the regression test's entry).
pub fn run(data: &[u8]) {
    let Ok(mut event) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    super::common::sign(&mut event);
    let headers = header_map(&event);
    let body = event["body"].as_str().unwrap_or("").as_bytes();
    for verifier in VERIFIERS.iter() {
        let request = Request {
            headers: &headers,
            query: event["rawQueryString"].as_str().filter(|q| !q.is_empty()),
            body,
            form: webhook_receiver::lambda::media_type(&headers)
                == Some(webhook_receiver::lambda::Media::Form),
            now: super::common::NOW,
            tolerance: super::common::TOLERANCE,
        };
        if let Ok(verified) = verifier.verify_request(&request) {
            assert_eq!(verified.bytes(), body);
            let id = verified.delivery_id();
            assert!(DeliveryId::parse(id.as_str()).is_some(), "{id:?}");
            // An id the sender did not sign is never taken for one it did.
            assert!(verified.signed_id().is_none() || verified.unsigned_id().is_none());
            if let Some(t) = verified.signed_at() {
                assert!(
                    t.unix_seconds().abs_diff(super::common::NOW_S)
                        <= super::common::TOLERANCE.as_secs(),
                    "{t:?}"
                );
            }
        }
    }
}
