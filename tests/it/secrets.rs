//! `secret_arn` tenants against a real Secrets Manager wire protocol (moto's server, started by
//! `make test`).

use std::collections::HashMap;
use std::sync::Arc;

use webhook_receiver::clock::FixedClock;
use webhook_receiver::config::Config;
use webhook_receiver::handler::App;
use webhook_receiver::store::Store;

use crate::support::*;
use webhook_receiver::signing::sign_event;

fn secrets_endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL_SECRETS_MANAGER").expect(
        "AWS_ENDPOINT_URL_SECRETS_MANAGER is not set: run the tests with `make test`, which starts moto",
    )
}

async fn secrets_client() -> aws_sdk_secretsmanager::Client {
    aws_sdk_secretsmanager::Client::new(&sdk_config(&secrets_endpoint()).await)
}

/// Loads the configuration the way `main` does.
async fn load(tenants: &str) -> Result<Config, String> {
    let vars = HashMap::from([("WEBHOOK_TENANTS".to_owned(), tenants.to_owned())]);
    let sdk = sdk_config(&secrets_endpoint()).await;
    Config::load(|k: &str| vars.get(k).cloned(), &sdk)
        .await
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn tenants_read_rotating_secrets_from_secrets_manager() {
    let name = format!("webhook/clientA-{}", std::process::id());
    // Rotation: the new secret first, the old one still accepted.
    let created = secrets_client()
        .await
        .create_secret()
        .name(&name)
        .secret_string(format!("{} {}", secret_b(), secret_a()))
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
    let app = App::new(config, Store::new(&sdk), Arc::new(FixedClock(NOW)));

    // Signed with the old secret: accepted.
    let reply = Reply::from(app.handle_event(signed("create.json"), "r").await);
    assert_eq!(reply.result(), (200, "applied"));
    // Signed with the new one: accepted too.
    let mut ev = fixture("update.json");
    sign_event(&mut ev, &signing_b(), NOW_S).unwrap();
    let reply = Reply::from(app.handle_event(ev, "r").await);
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

/// Every tenant's secret is fetched at once: this Secrets Manager stand-in answers nobody until
/// all of them are waiting, so fetching one after another would time out and fail init.
#[tokio::test]
async fn secrets_are_fetched_concurrently() {
    const TENANTS: usize = 6;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let barrier = Arc::new(tokio::sync::Barrier::new(TENANTS));
        let mut seen = 0;
        while seen < TENANTS {
            let (sock, _) = listener.accept().await.unwrap();
            seen += 1;
            let barrier = Arc::clone(&barrier);
            tokio::spawn(answer_when_all_arrived(sock, barrier));
        }
    });
    let mut tenants = serde_json::Map::new();
    for i in 0..TENANTS {
        let arn =
            format!("arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook/t{i}-AbCdEf");
        tenants.insert(
            format!("t{i}"),
            serde_json::json!({"table": format!("table_{i}"), "secret_arn": arn}),
        );
    }
    let vars = HashMap::from([(
        "WEBHOOK_TENANTS".to_owned(),
        serde_json::Value::Object(tenants).to_string(),
    )]);
    let sdk = sdk_config(&format!("http://{addr}")).await;
    let config = Config::load(|k: &str| vars.get(k).cloned(), &sdk).await;
    let config = config.expect("all secrets fetched together");
    for i in 0..TENANTS {
        assert!(config.tenant(&format!("t{i}")).is_some());
    }
    server.await.unwrap();
}

/// Reads one GetSecretValue request, waits for the others, answers with a secret derived from
/// the requested ARN (each tenant's differs).
async fn answer_when_all_arrived(
    mut sock: tokio::net::TcpStream,
    barrier: Arc<tokio::sync::Barrier>,
) {
    use tokio::io::AsyncWriteExt;
    let (_, body) = read_http_request(&mut sock, &mut Vec::new())
        .await
        .expect("a request before the connection closed");
    let arn = serde_json::from_slice::<serde_json::Value>(&body).unwrap()["SecretId"]
        .as_str()
        .unwrap()
        .to_owned();
    barrier.wait().await;
    let key = format!("{:0<32}", arn.rsplit('/').next().unwrap());
    let secret = format!(
        "whsec_{}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &key[..32])
    );
    let answer = serde_json::json!({"ARN": arn, "Name": "n", "SecretString": secret}).to_string();
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\n\r\n{answer}",
        answer.len()
    );
    sock.write_all(response.as_bytes()).await.unwrap();
}
