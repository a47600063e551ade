//! Logs and metrics. One JSON line per request that is also a CloudWatch Embedded Metric Format
//! record (a `Requests` count per tenant and outcome). It carries ids, codes and timings only:
//! never a body, an email, a signature or a secret.

use serde_json::{json, Value};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

pub const METRIC_NAMESPACE: &str = "WebhookReceiver";

/// What one request did, filled in as the pipeline runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestLog {
    pub request_id: String,
    pub tenant: Option<String>,
    pub delivery_id: Option<String>,
    pub action: Option<&'static str>,
    pub outcome: &'static str,
    pub status: u16,
    pub total_ms: f64,
    pub dynamodb_ms: Option<f64>,
}

impl RequestLog {
    /// The EMF record for this request at `timestamp_ms`.
    pub fn to_json(&self, timestamp_ms: i64) -> Value {
        json!({
            "_aws": {
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": METRIC_NAMESPACE,
                    "Dimensions": [["tenant", "outcome"]],
                    "Metrics": [{"Name": "Requests", "Unit": "Count"}],
                }],
            },
            "level": "INFO",
            "message": "webhook request",
            "request_id": self.request_id,
            // EMF dimensions must be strings; requests with no tenant count under "-".
            "tenant": self.tenant.as_deref().unwrap_or("-"),
            "delivery_id": self.delivery_id,
            "action": self.action,
            "outcome": self.outcome,
            "status": self.status,
            "total_ms": self.total_ms,
            "dynamodb_ms": self.dynamodb_ms,
            "Requests": 1,
        })
    }

    pub fn emit(&self, timestamp_ms: i64) {
        println!("{}", self.to_json(timestamp_ms));
    }
}

/// The level Lambda's logging configuration asks for (`AWS_LAMBDA_LOG_LEVEL`, set from the
/// template's `ApplicationLogLevel`), INFO when unset or unknown.
pub fn log_level(env: impl Fn(&str) -> Option<String>) -> LevelFilter {
    match env("AWS_LAMBDA_LOG_LEVEL")
        .unwrap_or_default()
        .to_ascii_uppercase()
        .as_str()
    {
        "TRACE" => LevelFilter::TRACE,
        "DEBUG" => LevelFilter::DEBUG,
        "WARN" => LevelFilter::WARN,
        "ERROR" | "FATAL" => LevelFilter::ERROR,
        _ => LevelFilter::INFO,
    }
}

/// What is logged through `tracing` at `level`. The HTTP and SDK crates are capped at DEBUG: at
/// TRACE they would log request and response bodies (events, items).
pub fn filter(level: LevelFilter) -> Targets {
    let libraries = level.min(LevelFilter::DEBUG);
    Targets::new()
        .with_default(level)
        .with_target("hyper", libraries)
        .with_target("hyper_util", libraries)
        .with_target("aws_smithy_runtime", libraries)
        .with_target("aws_smithy_http_client", libraries)
        .with_target("aws_sigv4", libraries)
}

/// JSON logs for everything else (init failures, server-side errors).
pub fn init_tracing() {
    let level = log_level(|k| std::env::var(k).ok());
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .with_current_span(false)
                .with_target(false)
                .without_time(),
        )
        .with(filter(level))
        .init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    #[test]
    fn libraries_never_log_bodies() {
        let env =
            |v: &'static str| move |k: &str| (k == "AWS_LAMBDA_LOG_LEVEL").then(|| v.to_owned());
        assert_eq!(log_level(env("debug")), LevelFilter::DEBUG);
        assert_eq!(log_level(env("FATAL")), LevelFilter::ERROR);
        assert_eq!(log_level(env("nonsense")), LevelFilter::INFO);
        assert_eq!(log_level(|_| None), LevelFilter::INFO);
        for level in [
            LevelFilter::TRACE,
            LevelFilter::DEBUG,
            LevelFilter::INFO,
            LevelFilter::ERROR,
        ] {
            let f = filter(level);
            assert!(
                !f.would_enable("aws_smithy_runtime::client::http", &Level::TRACE),
                "{level}"
            );
            assert!(!f.would_enable("hyper::proto", &Level::TRACE), "{level}");
            assert_eq!(
                f.would_enable("webhook_receiver::handler", &Level::ERROR),
                level >= LevelFilter::ERROR
            );
        }
        assert!(filter(LevelFilter::DEBUG).would_enable("aws_smithy_runtime", &Level::DEBUG));
        assert!(filter(LevelFilter::TRACE).would_enable("webhook_receiver", &Level::TRACE));
    }

    #[test]
    fn emf_record_has_the_fields_and_metric() {
        let log = RequestLog {
            request_id: "req-1".into(),
            tenant: Some("clientA".into()),
            delivery_id: Some("msg_1".into()),
            action: Some("create"),
            outcome: "applied",
            status: 200,
            total_ms: 12.5,
            dynamodb_ms: Some(8.0),
        };
        let v = log.to_json(1_795_867_200_000);
        for key in [
            "request_id",
            "tenant",
            "delivery_id",
            "action",
            "outcome",
            "status",
            "total_ms",
            "dynamodb_ms",
        ] {
            assert!(!v[key].is_null(), "{key} missing in {v}");
        }
        assert_eq!(
            v["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0][1],
            "outcome"
        );
        assert_eq!(v["Requests"], 1);
        assert_eq!(v["tenant"], "clientA");
    }
}
