//! Secrets Manager, read once at cold start: the only module that knows its API. All secrets are
//! fetched concurrently, so init time does not grow with the number of tenants. A failure is
//! reported by the service's error code or by the kind of transport failure: never a message
//! text, which could quote the configured ARN.

use std::collections::HashMap;
use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::SdkConfig;
use aws_sdk_secretsmanager::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_secretsmanager::Client;
use futures_util::future::join_all;

/// Why a secret could not be read. `Display` is safe for an init error: it holds no ARN, no
/// message text from the service and no secret material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum FetchError {
    /// The service answered with this error code (`ResourceNotFoundException`, …).
    #[error("{0}")]
    Service(String),
    #[error("the secret has no SecretString (binary secrets are not supported)")]
    NotAString,
    #[error("Secrets Manager did not answer in time")]
    Timeout,
    #[error("Secrets Manager could not be reached")]
    Unreachable,
    #[error("the request to Secrets Manager failed")]
    Other,
}

/// Each ARN's `SecretString`, or why it could not be read.
pub(crate) async fn fetch_all(
    sdk: &SdkConfig,
    arns: &[&str],
) -> HashMap<String, Result<String, FetchError>> {
    if arns.is_empty() {
        return HashMap::new();
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
    let fetches = arns.iter().map(|arn| {
        let client = &client;
        async move { (arn.to_string(), fetch(client, arn).await) }
    });
    join_all(fetches).await.into_iter().collect()
}

async fn fetch(client: &Client, arn: &str) -> Result<String, FetchError> {
    match client.get_secret_value().secret_id(arn).send().await {
        Ok(out) => out.secret_string.ok_or(FetchError::NotAString),
        Err(SdkError::ServiceError(e)) => Err(FetchError::Service(
            // An error code is a plain token; anything else is not echoed.
            e.err()
                .code()
                .filter(|c| c.len() <= 64 && c.bytes().all(|b| b.is_ascii_alphanumeric()))
                .unwrap_or("UnknownError")
                .to_owned(),
        )),
        Err(SdkError::TimeoutError(_)) => Err(FetchError::Timeout),
        Err(SdkError::DispatchFailure(e)) if e.is_timeout() => Err(FetchError::Timeout),
        Err(SdkError::DispatchFailure(_)) => Err(FetchError::Unreachable),
        Err(_) => Err(FetchError::Other),
    }
}
