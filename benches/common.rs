// Each benchmark uses part of what is shared.
#![allow(dead_code)]

//! Bodies and signed requests the benchmarks share.

use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::json;
use webhook_receiver::clock::Timestamp;
use webhook_receiver::signature::{Delivery, Verifier};
use webhook_receiver::signing::{demo_tenants, DemoTenant};
pub const NOW_S: i64 = 1_795_867_500;
pub const NOW: Timestamp = Timestamp::from_unix_seconds(NOW_S);
pub const TOLERANCE: Duration = Duration::from_secs(300);

/// A v1 `create` of about 300 bytes.
pub fn small_v1() -> Vec<u8> {
    let body = json!({"user_id": "usr_0a1b2c3d", "action": "create",
                      "occurred_at": "2026-11-28T12:00:00.000Z",
                      "metadata": {"email": "ana.maria.example@example.com",
                                   "display_name": "Ana María Example-Sender",
                                   "created_at": "2026-11-28T11:59:00.000Z"}})
    .to_string();
    let padded = format!("{body:<300}");
    padded.into_bytes()
}

/// A sender's event of about 60 KB (a Stripe-like event with a large object), for `inbox`.
pub fn large_event() -> Vec<u8> {
    let lines: Vec<_> = (0..330)
        .map(|i| json!({"id": format!("li_{i:08}"), "object": "line_item", "amount": i * 100,
                        "description": format!("Item number {i} of a large invoice, with some words"),
                        "metadata": {"sku": format!("SKU-{i:06}"), "note": "ünïcödé ✓"}}))
        .collect();
    let body = json!({"id": "evt_1QZ8Kt2eZvKYlo2CbGqLw0Hx", "object": "event", "created": 1_795_867_140,
                      "type": "invoice.finalized", "pending_webhooks": 1,
                      "data": {"object": {"id": "in_1", "object": "invoice", "lines": {"data": lines}}}})
    .to_string();
    let body = &body[..];
    assert!((55_000..=65_536).contains(&body.len()), "{}", body.len());
    body.as_bytes().to_vec()
}

/// clientA, the demo tenant the benchmarks send as (a Standard Webhooks sender, format v1).
pub fn client_a() -> DemoTenant {
    demo_tenants().remove(0)
}

/// clientA's verifier.
pub fn verifier() -> Verifier {
    client_a().verifier()
}

/// clientA's sender's headers for `body`, signed at [`NOW_S`].
pub fn signed_headers(body: &[u8], id: &str) -> HeaderMap {
    client_a()
        .signer()
        .sign(&Delivery {
            id,
            timestamp: NOW_S,
            body,
            ..Delivery::default()
        })
        .into_iter()
        .map(|(_, k, v)| {
            (
                HeaderName::from_static(k),
                HeaderValue::from_str(&v).unwrap(),
            )
        })
        .chain([(
            HeaderName::from_static("content-type"),
            HeaderValue::from_static("application/json"),
        )])
        .collect()
}
