//! Secrets Manager, read once at cold start: the only module that knows its API. Failures are
//! reported per ARN by error code and message, which never contain the secret value.

use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::SdkConfig;
use aws_sdk_secretsmanager::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_secretsmanager::Client;

use crate::config::FetchedSecrets;

/// Fetches each ARN's `SecretString`.
pub async fn fetch_all(sdk: &SdkConfig, arns: &[String]) -> FetchedSecrets {
    let mut fetched = FetchedSecrets::new();
    if arns.is_empty() {
        return fetched;
    }
    // Bounded so a cold start fails clearly instead of hanging until the init timeout.
    let conf = aws_sdk_secretsmanager::config::Builder::from(sdk)
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(Duration::from_secs(2))
                .operation_timeout(Duration::from_secs(5))
                .build(),
        )
        .build();
    let client = Client::from_conf(conf);
    for arn in arns {
        let result = match client.get_secret_value().secret_id(arn).send().await {
            Ok(out) => out.secret_string.ok_or_else(|| {
                "the secret has no SecretString (binary secrets are not supported)".to_owned()
            }),
            Err(err) => Err(match err.as_service_error() {
                Some(e) => format!(
                    "{}: {}",
                    e.code().unwrap_or("error"),
                    e.message().unwrap_or("no message")
                ),
                None => DisplayErrorContext(&err).to_string(),
            }),
        };
        fetched.insert(arn.clone(), result);
    }
    fetched
}
