//! Logs and metrics. One JSON line per request that is also a CloudWatch Embedded Metric Format
//! record (a `Requests` count per tenant and outcome). It carries ids, codes and timings only:
//! never a body, an email, a signature or a secret.

use serde_json::{json, Value};

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

/// JSON logs for everything else (init failures, server-side errors).
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_current_span(false)
        .with_target(false)
        .without_time()
        .init();
}

#[cfg(test)]
mod tests {
    use super::*;

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
