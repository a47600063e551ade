//! What the targets share: the tenants of local.env (each scheme and each format) and their secrets, a fixed
//! clock, and the signing of `<now>` / `<sign>` placeholders, so inputs mutated from events/
//! still carry valid signatures and reach what lies behind verification.

// Each target uses part of what is shared.
#![allow(dead_code)]

// The signing tooling lives with the `webhook-sign` command, not in the library.
#[path = "../../src/bin/webhook-sign/signing.rs"]
mod signing;

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{json, Value};
use signing::sign_event;
use webhook_receiver::clock::Timestamp;
use webhook_receiver::config::Config;

/// 2026-11-28T12:05:00Z.
pub const NOW_MS: i64 = 1_795_867_500_000;
pub const NOW_S: i64 = NOW_MS / 1000;
pub const NOW: Timestamp = Timestamp::from_unix_millis(NOW_MS);
pub const TOLERANCE: Duration = Duration::from_secs(300);

/// slug, scheme, format, secret (as in local.env).
pub const TENANTS: [(&str, &str, &str, &str); 7] = [
    (
        "clientA",
        "standard-webhooks",
        "v1",
        "whsec_bG9jYWwtdGVzdC1zZWNyZXQtZG8tbm90LWRlcGxveSE=",
    ),
    (
        "stripe-demo",
        "stripe",
        "v1",
        "whsec_local_stripe_demo_secret",
    ),
    ("github-demo", "github", "v1", "local-github-demo-secret"),
    (
        "slack-demo",
        "slack",
        "v1",
        "local0slack0demo0signing0secret0",
    ),
    ("shopify-demo", "shopify", "v1", "local-shopify-demo-secret"),
    (
        "stripe-inbox",
        "stripe",
        "inbox",
        "whsec_local_stripe_inbox_secret",
    ),
    (
        "clerk-demo",
        "standard-webhooks",
        "clerk-user",
        "whsec_bG9jYWwtdGVzdC1jbGVyay1kZW1vLXNlY3JldCEh",
    ),
];

pub fn config() -> Config {
    let mut tenants = serde_json::Map::new();
    let mut vars: HashMap<String, String> = HashMap::new();
    for (i, (slug, scheme, format, secret)) in TENANTS.iter().enumerate() {
        let var = format!("SECRET_{i}");
        tenants.insert(
            slug.to_string(),
            json!({"table": format!("table_{i}"), "secret_env": var, "scheme": scheme,
                   "format": format}),
        );
        vars.insert(var, secret.to_string());
    }
    vars.insert("WEBHOOK_TENANTS".into(), Value::Object(tenants).to_string());
    Config::from_env(|k| vars.get(k).cloned()).expect("the fuzz configuration is valid")
}

/// The secret of the tenant the event's path names (clientA's for any other path).
pub fn secret_for(event: &Value) -> &'static str {
    let path = event
        .get("rawPath")
        .or_else(|| event.get("path"))
        .and_then(Value::as_str)
        .unwrap_or("");
    TENANTS
        .iter()
        .find(|(slug, _, _, _)| path.ends_with(&format!("/webhooks/{slug}")))
        .map_or(TENANTS[0].3, |(_, _, _, secret)| *secret)
}

/// Signs the event's placeholders, if it has any it can sign.
pub fn sign(event: &mut Value) {
    let secret = secret_for(event);
    let _ = sign_event(event, secret, NOW_S);
}
