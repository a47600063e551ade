//! The deployment's tenants (tenants.json, from which scripts/tenants.py writes template.yaml's
//! WEBHOOK_TENANTS) are a configuration the function accepts: the scheme exists, the format
//! takes that sender, what the sender needs (a `public_url`) is there. Otherwise the stack would
//! deploy a function whose every cold start fails.

use std::collections::HashMap;

use serde_json::{json, Map, Value};
use webhook_receiver::config::Config;
use webhook_receiver::signature::{self, DEFAULT_SCHEME};

/// Loads a tenants file's list as the function would read it once deployed: each tenant's
/// entry as the template writes it, a table name and a secret (its sender's demo secret, from
/// the environment, where the template names a Secrets Manager ARN).
fn load(tenants: &Value) -> Result<Config, String> {
    let mut entries = Map::new();
    let mut env = HashMap::new();
    for (i, t) in tenants["tenants"].as_array().unwrap().iter().enumerate() {
        let slug = t["slug"].as_str().unwrap();
        let scheme = t["scheme"].as_str().unwrap_or(DEFAULT_SCHEME);
        let sender =
            signature::sender(scheme).ok_or_else(|| format!("{slug}: no sender {scheme:?}"))?;
        let mut entry = t.as_object().unwrap().clone();
        entry.remove("slug");
        entry.insert("table".into(), json!(format!("app_{i}_events")));
        entry.insert("secret_env".into(), json!(format!("SECRET_{i}")));
        env.insert(format!("SECRET_{i}"), (sender.demo_secret)(slug));
        entries.insert(slug.to_owned(), Value::Object(entry));
    }
    env.insert(
        "WEBHOOK_TENANTS".to_owned(),
        Value::Object(entries).to_string(),
    );
    Config::from_env(|k| env.get(k).cloned()).map_err(|e| e.to_string())
}

fn file(path: &str) -> Value {
    let path = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn the_deployments_tenants_are_a_configuration_the_function_accepts() {
    for path in ["tenants.json", "tests/iac/tenants-every-format.json"] {
        let config = load(&file(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        for t in file(path)["tenants"].as_array().unwrap() {
            assert!(
                config.tenant(t["slug"].as_str().unwrap()).is_some(),
                "{path}: {t}"
            );
        }
    }
}

#[test]
fn a_tenant_the_function_would_refuse_is_caught_here() {
    for (bad, why) in [
        (
            json!({"slug": "a", "scheme": "no-such-sender"}),
            "no sender",
        ),
        (
            json!({"slug": "a", "scheme": "twilio", "format": "inbox"}),
            "public_url",
        ),
        (
            json!({"slug": "a", "scheme": "stripe", "format": "clerk-user"}),
            "clerk-user",
        ),
    ] {
        let error = load(&json!({ "tenants": [bad] })).unwrap_err();
        assert!(error.contains(why), "{bad}: {error}");
    }
}
