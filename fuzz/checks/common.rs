//! What the targets share: the demo tenants (every sender in every format it can feed, as in
//! local.env, from the library's `signing` feature) and their secrets, a fixed clock, and the
//! signing of `<now>` / `<sign>` placeholders, so inputs mutated from events/ still carry valid
//! signatures and reach what lies behind verification.

// Each target uses part of what is shared.
#![allow(dead_code)]

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;
use webhook_receiver::clock::Timestamp;
use webhook_receiver::config::Config;
use webhook_receiver::signing::{demo_tenants, sign_as_demo};

/// 2026-11-28T12:05:00Z.
pub const NOW_MS: i64 = 1_795_867_500_000;
pub const NOW_S: i64 = NOW_MS / 1000;
pub const NOW: Timestamp = Timestamp::from_unix_millis(NOW_MS);
pub const TOLERANCE: Duration = Duration::from_secs(300);

/// Every demo tenant, each with its own table.
pub fn config() -> Config {
    let mut tenants = serde_json::Map::new();
    let mut vars: HashMap<String, String> = HashMap::new();
    for t in demo_tenants() {
        tenants.insert(t.slug.clone(), t.entry(&t.table()));
        vars.insert(t.secret_env.clone(), t.secret.clone());
    }
    vars.insert("WEBHOOK_TENANTS".into(), Value::Object(tenants).to_string());
    Config::from_env(|k| vars.get(k).cloned()).expect("the fuzz configuration is valid")
}

/// Signs the event's placeholders as the sender of the tenant its path names, if it has any it
/// can sign.
pub fn sign(event: &mut Value) {
    let _ = sign_as_demo(event, NOW_S);
}
