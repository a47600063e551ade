//! `secret_arn` tenants against a real Secrets Manager wire protocol (moto's server, started by
//! `make test`).

use std::collections::HashMap;
use std::sync::Arc;

use webhook_receiver::clock::FixedClock;
use webhook_receiver::config::{self, Config};
use webhook_receiver::handler::App;
use webhook_receiver::lambda::handle_event;
use webhook_receiver::secrets::fetch_all;
use webhook_receiver::signing::sign_event;
use webhook_receiver::store::Store;

use crate::support::*;

fn secrets_endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL_SECRETS_MANAGER").expect(
        "AWS_ENDPOINT_URL_SECRETS_MANAGER is not set: run the tests with `make test`, which starts moto",
    )
}

async fn secrets_client() -> aws_sdk_secretsmanager::Client {
    aws_sdk_secretsmanager::Client::new(&sdk_config(&secrets_endpoint()).await)
}

/// Loads the configuration the way `main` does: collect ARNs, fetch them, parse.
async fn load(tenants: &str) -> Result<Config, String> {
    let vars = HashMap::from([("WEBHOOK_TENANTS".to_owned(), tenants.to_owned())]);
    let env = |k: &str| vars.get(k).cloned();
    let sdk = sdk_config(&secrets_endpoint()).await;
    let fetched = fetch_all(&sdk, &config::secret_arns(env)).await;
    Config::from_env_with_secrets(env, &fetched).map_err(|e| e.to_string())
}

#[tokio::test]
async fn tenants_read_rotating_secrets_from_secrets_manager() {
    let name = format!("webhook/clientA-{}", std::process::id());
    // Rotation: the new secret first, the old one still accepted.
    let created = secrets_client()
        .await
        .create_secret()
        .name(&name)
        .secret_string(format!("{SECRET_B} {SECRET_A}"))
        .send()
        .await
        .unwrap();
    let arn = created.arn.unwrap();

    let client = client().await;
    let table = table(&client).await;
    let config = load(&format!(
        r#"{{"clientA": {{"table": "{table}", "secret_arn": "{arn}"}}}}"#
    ))
    .await
    .unwrap();
    let sdk = sdk_config(&endpoint()).await;
    let app = App::new(config, Store::new(&sdk), Arc::new(FixedClock(NOW_MS)));

    // Signed with the old secret: accepted.
    let reply = Reply::from(handle_event(&app, signed("create.json"), "r").await);
    assert_eq!(reply.result(), (200, "applied"));
    // Signed with the new one: accepted too.
    let mut ev = fixture("update.json");
    sign_event(&mut ev, SECRET_B, NOW_S).unwrap();
    let reply = Reply::from(handle_event(&app, ev, "r").await);
    assert_eq!(reply.result(), (200, "applied"));
}

#[tokio::test]
async fn a_missing_secret_fails_init_with_a_clear_message() {
    let arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook/does-not-exist-AbCdEf";
    let err = load(&format!(
        r#"{{"clientA": {{"table": "app_clientA_events", "secret_arn": "{arn}"}}}}"#
    ))
    .await
    .unwrap_err();
    assert!(
        err.contains(
            "tenant `clientA`, field `secret_arn`: could not be read: ResourceNotFoundException"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_malformed_secret_is_named_and_not_printed() {
    let name = format!("webhook/bad-{}", std::process::id());
    let value = "this-is-not-a-whsec-secret";
    let arn = secrets_client()
        .await
        .create_secret()
        .name(&name)
        .secret_string(value)
        .send()
        .await
        .unwrap()
        .arn
        .unwrap();
    let err = load(&format!(
        r#"{{"clientA": {{"table": "app_clientA_events", "secret_arn": "{arn}"}}}}"#
    ))
    .await
    .unwrap_err();
    assert!(err.contains("field `secret_arn`: secret #1"), "{err}");
    assert!(!err.contains(value), "{err}");
}
