//! Logs and metrics. One JSON line per request that is also a CloudWatch Embedded Metric Format
//! record: `Requests` (count), `total_ms` and `dynamodb_ms` (milliseconds) and
//! `dynamodb_write_units` (what DynamoDB billed) per service, tenant and outcome, and `ColdStart` (count, per service) on the first request of an instance. Field names
//! follow Powertools for AWS Lambda where it has one (`level`, `message`, `service`,
//! `cold_start`, `function_request_id`, `xray_trace_id`, `timestamp`). It carries ids, codes and timings only:
//! never a body, an email, a signature or a secret.

use std::io::Write;

use serde::Serialize;
use serde_json::Value;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::clock::Timestamp;

const METRIC_NAMESPACE: &str = "WebhookReceiver";
/// The `service` field and metric dimension (Powertools' name for it).
const SERVICE: &str = "webhook-receiver";

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
    /// The write request units DynamoDB says the write consumed (what it bills), when it wrote.
    pub dynamodb_write_units: Option<f64>,
    /// The first request this instance served.
    pub cold_start: bool,
    /// The X-Ray trace's root id, when the invocation is traced.
    pub xray_trace_id: Option<String>,
    /// How many of the sender's values a format left out (Clerk's `dropped_fields`), when any.
    pub dropped_fields: Option<usize>,
}

impl RequestLog {
    /// The EMF record for this request, written at `at`, as one line of JSON (no newline).
    pub fn to_line(&self, at: Timestamp) -> String {
        // Serialising plain fields cannot fail (no maps with non-string keys, no custom impls).
        serde_json::to_string(&self.record(at)).unwrap_or_default()
    }

    /// The same record as a JSON value, for reading it back.
    pub fn to_json(&self, at: Timestamp) -> Value {
        serde_json::to_value(self.record(at)).unwrap_or_default()
    }

    /// Writes the record to stdout (CloudWatch Logs), normally in one write. Borrowed fields and
    /// constant metric declarations, serialised straight into one buffer: building it as a
    /// `serde_json::Value` first cost about 30 allocations per request.
    pub(crate) fn emit(&self, at: Timestamp) {
        let Ok(mut line) = serde_json::to_vec(&self.record(at)) else {
            return;
        };
        line.push(b'\n');
        // A log line that cannot be written is lost, not a reason to fail the request (the
        // write is already durable) or to abort the process, as `println!` would.
        let _ = std::io::stdout().lock().write_all(&line);
    }

    fn record(&self, at: Timestamp) -> Record<'_> {
        let cold_starts = self.cold_start.then_some(1);
        Record {
            aws: Aws {
                timestamp: at.unix_millis(),
                cloud_watch_metrics: directives(
                    self.dynamodb_ms.is_some(),
                    self.dynamodb_write_units.is_some(),
                    self.cold_start,
                ),
            },
            level: "INFO",
            message: "webhook request",
            service: SERVICE,
            cold_start: self.cold_start,
            timestamp: at.to_rfc3339(),
            function_request_id: &self.request_id,
            xray_trace_id: self.xray_trace_id.as_deref(),
            // EMF dimensions must be strings; requests with no tenant count under "-".
            tenant: self.tenant.as_deref().unwrap_or("-"),
            delivery_id: self.delivery_id.as_deref(),
            action: self.action,
            outcome: self.outcome,
            status: self.status,
            total_ms: self.total_ms,
            dynamodb_ms: self.dynamodb_ms,
            dynamodb_write_units: self.dynamodb_write_units,
            dropped_fields: self.dropped_fields,
            requests: 1,
            cold_starts,
        }
    }
}

/// One log line: Powertools' fields, this request's fields, and the EMF metric values named in
/// `_aws`.
#[derive(Serialize)]
struct Record<'a> {
    #[serde(rename = "_aws")]
    aws: Aws,
    level: &'static str,
    message: &'static str,
    service: &'static str,
    cold_start: bool,
    timestamp: String,
    function_request_id: &'a str,
    xray_trace_id: Option<&'a str>,
    tenant: &'a str,
    delivery_id: Option<&'a str>,
    action: Option<&'static str>,
    outcome: &'static str,
    status: u16,
    total_ms: f64,
    dynamodb_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dynamodb_write_units: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dropped_fields: Option<usize>,
    #[serde(rename = "Requests")]
    requests: u8,
    #[serde(rename = "ColdStart", skip_serializing_if = "Option::is_none")]
    cold_starts: Option<u8>,
}

/// EMF's metadata: when, and which of the record's fields are metrics.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Aws {
    timestamp: i64,
    cloud_watch_metrics: &'static [Directive],
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Directive {
    namespace: &'static str,
    dimensions: &'static [&'static [&'static str]],
    metrics: &'static [Metric],
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Metric {
    name: &'static str,
    unit: &'static str,
}

const REQUESTS: Metric = Metric {
    name: "Requests",
    unit: "Count",
};
const TOTAL_MS: Metric = Metric {
    name: "total_ms",
    unit: "Milliseconds",
};
const DYNAMODB_MS: Metric = Metric {
    name: "dynamodb_ms",
    unit: "Milliseconds",
};

const WRITE_UNITS: Metric = Metric {
    name: "dynamodb_write_units",
    unit: "Count",
};

const fn per_outcome(metrics: &'static [Metric]) -> Directive {
    Directive {
        namespace: METRIC_NAMESPACE,
        dimensions: &[&["service", "tenant", "outcome"]],
        metrics,
    }
}

const COLD_STARTS: Directive = Directive {
    namespace: METRIC_NAMESPACE,
    dimensions: &[&["service"]],
    metrics: &[Metric {
        name: "ColdStart",
        unit: "Count",
    }],
};

/// The metrics a record declares. `dynamodb_ms` only when there was a DynamoDB call, and
/// `dynamodb_write_units` only when DynamoDB reported them (a declared metric must have a
/// value); `ColdStart` only on an instance's first request.
fn directives(dynamodb: bool, units: bool, cold: bool) -> &'static [Directive] {
    const WITH_UNITS: Directive = per_outcome(&[REQUESTS, TOTAL_MS, DYNAMODB_MS, WRITE_UNITS]);
    const WITH_DYNAMODB: Directive = per_outcome(&[REQUESTS, TOTAL_MS, DYNAMODB_MS]);
    const WITHOUT: Directive = per_outcome(&[REQUESTS, TOTAL_MS]);
    match (dynamodb, units, cold) {
        (true, true, true) => &[WITH_UNITS, COLD_STARTS],
        (true, true, false) => &[WITH_UNITS],
        (true, false, true) => &[WITH_DYNAMODB, COLD_STARTS],
        (true, false, false) => &[WITH_DYNAMODB],
        (false, _, true) => &[WITHOUT, COLD_STARTS],
        (false, _, false) => &[WITHOUT],
    }
}

/// The level Lambda's logging configuration asks for (`AWS_LAMBDA_LOG_LEVEL`, set from the
/// template's `ApplicationLogLevel`), INFO when unset or unknown.
fn log_level(env: impl Fn(&str) -> Option<String>) -> LevelFilter {
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

/// What is logged through `tracing` at `level`: this crate's lines at that level, every
/// library's at INFO at most, whatever the level. Below INFO, libraries log what passes through
/// them: `lambda_runtime` every raw event at TRACE (bodies, emails, signatures), the HTTP and SDK
/// crates requests and responses (items). No setting raises them (SPEC §13.1); `RUST_LOG` is not
/// read.
fn filter(level: LevelFilter) -> Targets {
    Targets::new()
        .with_default(level.min(LevelFilter::INFO))
        .with_target(env!("CARGO_CRATE_NAME"), level)
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
    use serde_json::json;
    use tracing::Level;

    /// An instance's first request: an applied v1 create, traced.
    fn cold_applied_create() -> RequestLog {
        RequestLog {
            request_id: "req-1".into(),
            tenant: Some("clientA".into()),
            delivery_id: Some("msg_1".into()),
            action: Some("create"),
            outcome: "applied",
            status: 200,
            total_ms: 12.5,
            dynamodb_ms: Some(8.0),
            dynamodb_write_units: Some(4.0),
            cold_start: true,
            xray_trace_id: Some("1-5759e988-bd862e3fe1be46a994272793".into()),
            dropped_fields: None,
        }
    }

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
            for library in [
                "lambda_runtime::layers::api_response",
                "aws_smithy_runtime::client::http",
                "hyper::proto",
                "a_crate_added_later",
            ] {
                assert!(!f.would_enable(library, &Level::DEBUG), "{level} {library}");
            }
            assert_eq!(
                f.would_enable("webhook_receiver::handler", &Level::ERROR),
                level >= LevelFilter::ERROR
            );
        }
        assert!(filter(LevelFilter::TRACE).would_enable("webhook_receiver", &Level::TRACE));
        assert!(filter(LevelFilter::TRACE).would_enable("aws_smithy_runtime", &Level::INFO));
    }

    #[test]
    fn emf_record_has_the_fields_and_metrics() {
        let mut log = cold_applied_create();
        let v = log.to_json(Timestamp::from_unix_millis(1_795_867_200_000));
        for key in [
            "function_request_id",
            "xray_trace_id",
            "service",
            "timestamp",
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
        assert_eq!(v["timestamp"], "2026-11-28T12:00:00Z");
        let directives = v["_aws"]["CloudWatchMetrics"].as_array().unwrap();
        assert_eq!(
            directives[0]["Dimensions"],
            json!([["service", "tenant", "outcome"]])
        );
        let names = |d: &Value| -> Vec<String> {
            d["Metrics"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["Name"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(
            names(&directives[0]),
            [
                "Requests",
                "total_ms",
                "dynamodb_ms",
                "dynamodb_write_units"
            ]
        );
        // Every declared metric has its value in the record.
        for d in directives {
            for name in names(d) {
                assert!(v[&name].is_number(), "{name} declared without a value: {v}");
            }
        }
        assert_eq!(names(&directives[1]), ["ColdStart"]);
        assert_eq!(directives[1]["Dimensions"], json!([["service"]]));
        assert_eq!(
            (v["cold_start"].clone(), v["ColdStart"].clone()),
            (json!(true), json!(1))
        );

        // A warm request without a DynamoDB call declares neither ColdStart nor dynamodb_ms.
        log.cold_start = false;
        log.dynamodb_ms = None;
        log.dynamodb_write_units = None;
        let v = log.to_json(Timestamp::from_unix_millis(1_795_867_200_000));
        let directives = v["_aws"]["CloudWatchMetrics"].as_array().unwrap();
        assert_eq!(directives.len(), 1);
        assert_eq!(names(&directives[0]), ["Requests", "total_ms"]);
        assert_eq!(v["cold_start"], false);
        assert!(v.get("ColdStart").is_none());
    }

    /// The whole record, as CloudWatch reads it: every field and value, for a cold request with a
    /// DynamoDB call and a warm one without (no tenant, delivery or action: an early rejection).
    #[test]
    fn emf_record_is_exactly_this() {
        let at = Timestamp::from_unix_millis(1_795_867_200_000);
        let cold = cold_applied_create();
        assert_eq!(
            serde_json::from_str::<Value>(&cold.to_line(at)).unwrap(),
            json!({
                "_aws": {
                    "Timestamp": 1_795_867_200_000_i64,
                    "CloudWatchMetrics": [
                        {
                            "Namespace": "WebhookReceiver",
                            "Dimensions": [["service", "tenant", "outcome"]],
                            "Metrics": [
                                {"Name": "Requests", "Unit": "Count"},
                                {"Name": "total_ms", "Unit": "Milliseconds"},
                                {"Name": "dynamodb_ms", "Unit": "Milliseconds"},
                                {"Name": "dynamodb_write_units", "Unit": "Count"},
                            ],
                        },
                        {
                            "Namespace": "WebhookReceiver",
                            "Dimensions": [["service"]],
                            "Metrics": [{"Name": "ColdStart", "Unit": "Count"}],
                        },
                    ],
                },
                "level": "INFO",
                "message": "webhook request",
                "service": "webhook-receiver",
                "cold_start": true,
                "timestamp": "2026-11-28T12:00:00Z",
                "function_request_id": "req-1",
                "xray_trace_id": "1-5759e988-bd862e3fe1be46a994272793",
                "tenant": "clientA",
                "delivery_id": "msg_1",
                "action": "create",
                "outcome": "applied",
                "status": 200,
                "total_ms": 12.5,
                "dynamodb_ms": 8.0,
                "dynamodb_write_units": 4.0,
                "Requests": 1,
                "ColdStart": 1,
            })
        );
        assert!(!cold.to_line(at).contains('\n'), "one record, one line");
        let warm = RequestLog {
            request_id: "req-2".into(),
            outcome: "unknown_tenant",
            status: 404,
            total_ms: 0.25,
            ..RequestLog::default()
        };
        assert_eq!(
            serde_json::from_str::<Value>(&warm.to_line(at)).unwrap(),
            json!({
                "_aws": {
                    "Timestamp": 1_795_867_200_000_i64,
                    "CloudWatchMetrics": [{
                        "Namespace": "WebhookReceiver",
                        "Dimensions": [["service", "tenant", "outcome"]],
                        "Metrics": [
                            {"Name": "Requests", "Unit": "Count"},
                            {"Name": "total_ms", "Unit": "Milliseconds"},
                        ],
                    }],
                },
                "level": "INFO",
                "message": "webhook request",
                "service": "webhook-receiver",
                "cold_start": false,
                "timestamp": "2026-11-28T12:00:00Z",
                "function_request_id": "req-2",
                "xray_trace_id": null,
                "tenant": "-",
                "delivery_id": null,
                "action": null,
                "outcome": "unknown_tenant",
                "status": 404,
                "total_ms": 0.25,
                "dynamodb_ms": null,
                "Requests": 1,
            })
        );
    }
}
