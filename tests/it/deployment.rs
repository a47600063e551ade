//! The deployment's tenants (tenants.json, from which scripts/tenants.py writes template.yaml's
//! WEBHOOK_TENANTS) are a configuration the function accepts: the scheme exists, the format
//! takes that sender, what the sender needs (a `public_url`) is there. Otherwise the stack would
//! deploy a function whose every cold start fails.

use serde_json::{json, Value};
use webhook_receiver::signing::check_tenants;

/// Loads a tenants file's list as the function would read it once deployed.
fn load(tenants: &Value) -> Result<usize, String> {
    check_tenants(tenants)
}

fn file(path: &str) -> Value {
    let path = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn the_deployments_tenants_are_a_configuration_the_function_accepts() {
    for path in ["tenants.json", "tests/iac/tenants-every-format.json"] {
        let count = load(&file(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(count, file(path)["tenants"].as_array().unwrap().len());
    }
}

#[test]
fn a_tenant_the_function_would_refuse_is_caught_here() {
    for (bad, why) in [
        (
            json!({"slug": "a", "scheme": "no-such-sender"}),
            "tenant `a`, field `scheme`",
        ),
        (
            json!({"slug": "a", "scheme": "twilio", "format": "inbox"}),
            "tenant `a`, field `public_url`",
        ),
        (
            json!({"slug": "a", "scheme": "stripe", "format": "clerk-user"}),
            "clerk-user",
        ),
        // What would change the template if written as given (SPEC §13.1).
        (json!({"slug": "a\n"}), "tenant #1: its key must match"),
        (
            json!({"slug": "a", "scheme": "stripe\n  Default: x"}),
            "tenant `a`, field `scheme`",
        ),
        (
            json!({"slug": "a", "scheme": "twilio", "format": "inbox",
                   "public_url": "https://x.example/${AWS::AccountId}"}),
            "tenant `a`, field `public_url`",
        ),
        // No path: its two forms (with and without :443) differ only at their end.
        (
            json!({"slug": "a", "scheme": "twilio", "format": "inbox",
                   "public_url": "https://hooks.example.com"}),
            "tenant `a`, field `public_url`",
        ),
        (
            json!({"slug": "a", "tolerance_seconds": 0}),
            "tenant `a`, field `tolerance_seconds`",
        ),
    ] {
        let error = load(&json!({ "tenants": [bad] })).unwrap_err();
        assert!(error.contains(why), "{bad}: {error}");
    }
}
