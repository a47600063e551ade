//! The request pipeline (SPEC §3), in order; the first failure answers. It takes the request
//! the Lambda adapter ([`lambda`]) read from the event and gives back the response
//! the adapter shapes for the event's origin.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde_json::{json, Value};

use crate::clock::Clock;
use crate::config::{Config, Tenant};
use crate::error::{error_chain, ApiError};
use crate::format;
use crate::lambda::{self, EventResponse, Media, Request, Response};
use crate::plan::{Accepted, Plan, Written};
use crate::signature::{Acknowledge, Handshake, Reply, Request as VerifyRequest, Subscription};
use crate::store::Store;
use crate::telemetry::RequestLog;

const ROUTE_PREFIX: &str = "/webhooks/";

pub struct App {
    config: Config,
    store: Store,
    clock: Arc<dyn Clock>,
    /// True until this instance has served its first request.
    cold: AtomicBool,
}

impl App {
    pub fn new(config: Config, store: Store, clock: Arc<dyn Clock>) -> Self {
        Self {
            config,
            store,
            clock,
            cold: AtomicBool::new(true),
        }
    }

    /// Handles one raw Lambda invocation event, writes its log line, and answers in the shape
    /// of the event's origin.
    pub async fn handle_event(&self, event: Value, request_id: &str) -> EventResponse {
        self.handle_traced_event(event, request_id, None).await
    }

    /// As [`App::handle_event`], for an invocation that carries an X-Ray trace header
    /// (`Root=1-…;Parent=…;Sampled=…`): its root id goes into the log line.
    pub async fn handle_traced_event(
        &self,
        event: Value,
        request_id: &str,
        trace_header: Option<&str>,
    ) -> EventResponse {
        let (response, mut log) = self.handle_event_logged(event, request_id).await;
        log.xray_trace_id = trace_header.and_then(trace_root).map(str::to_owned);
        log.emit(self.clock.now());
        response
    }

    /// As [`App::handle_event`], returning the log record instead of writing it.
    pub async fn handle_event_logged(
        &self,
        event: Value,
        request_id: &str,
    ) -> (EventResponse, RequestLog) {
        let started = Instant::now();
        let mut log = RequestLog {
            request_id: request_id.to_owned(),
            cold_start: self.cold.swap(false, Ordering::Relaxed),
            ..RequestLog::default()
        };
        let (origin, request) = lambda::parse_event(event, self.config.largest_body_limit());
        let result = match request {
            Ok(req) => self.process(&req, &mut log).await,
            Err(not_http) => Err(not_http.into()),
        };
        let (response, log) = self.finish(result, log, started);
        (lambda::to_event_response(origin, response), log)
    }

    fn finish(
        &self,
        result: Result<Answer, ApiError>,
        mut log: RequestLog,
        started: Instant,
    ) -> (Response, RequestLog) {
        let response = match result {
            Ok(answer) => {
                log.outcome = answer.as_str();
                answer.to_response(&log.request_id)
            }
            Err(error) => {
                log.outcome = error.code();
                if error.is_server_fault() {
                    tracing::error!(
                        request_id = %log.request_id,
                        tenant = log.tenant.as_deref().unwrap_or("-"),
                        error = %error_chain(&error),
                        "request failed"
                    );
                }
                error.to_response(&log.request_id)
            }
        };
        log.status = response.status;
        log.total_ms = started.elapsed().as_secs_f64() * 1000.0;
        (response, log)
    }

    async fn process(&self, req: &Request, log: &mut RequestLog) -> Result<Answer, ApiError> {
        // 1. Route and method.
        let segment = tenant_segment(req).ok_or(ApiError::NotFound)?;
        if req.method == http::Method::GET {
            return self.subscribe(segment, req, log);
        }
        if req.method != http::Method::POST {
            return Err(ApiError::MethodNotAllowed);
        }
        // 2. Tenant: the raw segment, matched exactly.
        let tenant = self.config.tenant(segment).ok_or(ApiError::UnknownTenant)?;
        log.tenant = Some(tenant.id.as_str().to_owned());

        // 3. Body: the adapter's verdict (base64, size), then the tenant's own limit, before
        // any hashing or parsing.
        let body = req.body.as_deref().map_err(|rejected| *rejected)?;
        if body.len() > self.config.body_limit(tenant) {
            return Err(ApiError::PayloadTooLarge);
        }

        // 4. Signature.
        let now = self.clock.now();
        let verified = tenant.verifier.verify_request(&VerifyRequest {
            headers: &req.headers,
            query: req.query.as_deref(),
            body,
            form: req.media == Some(Media::Form),
            now,
            tolerance: tenant.tolerance,
        })?;
        // The id in the sender's headers, until the format says which id keys the write.
        log.delivery_id = verified.carried_id().map(ToString::to_string);

        // 5. Content type: JSON, or a form for a sender that sends forms.
        let form = match req.media {
            Some(Media::Json) => false,
            Some(Media::Form) if tenant.verifier.sender().form_bodies => true,
            Some(Media::Form) | None => return Err(ApiError::UnsupportedMediaType),
        };

        // 6. A sender's endpoint check, else what the body means in the tenant's format.
        match verified.handshake()? {
            Some(Handshake::Reply(reply)) => return Ok(Answer::Reply(reply)),
            Some(Handshake::Ping) if !tenant.format.spec().keeps_pings => {
                return Ok(self.acknowledge(tenant, Accepted::Ignored))
            }
            Some(Handshake::Acknowledge) => return Ok(self.acknowledge(tenant, Accepted::Ignored)),
            Some(Handshake::Ping) | None => {}
        }
        let plan = tenant.format.plan(&format::Input {
            body: &verified,
            form,
            now,
            tolerance: tenant.tolerance,
            ttls: self.config.ttls(),
            ledger: tenant.ledger,
        })?;
        log.action = Some(plan.action());
        if let Some(id) = plan.delivery_id() {
            log.delivery_id = Some(id.to_string());
        }
        log.dropped_fields = plan.dropped_fields();

        // 7. The one DynamoDB call, if the plan writes anything.
        let accepted = self.write(tenant, plan, log).await?;
        Ok(self.acknowledge(tenant, accepted))
    }

    /// A `GET`: a sender's subscription check where the tenant's sender makes one (Meta), else
    /// 405 as any other method, whether or not the tenant exists.
    fn subscribe(
        &self,
        segment: &str,
        req: &Request,
        log: &mut RequestLog,
    ) -> Result<Answer, ApiError> {
        let tenant = self.config.tenant(segment);
        let answer = tenant.map_or(Subscription::NotOffered, |t| {
            t.verifier.subscribe(req.query.as_deref())
        });
        if let (Some(tenant), false) = (tenant, answer == Subscription::NotOffered) {
            log.tenant = Some(tenant.id.as_str().to_owned());
        }
        match answer {
            Subscription::NotOffered => Err(ApiError::MethodNotAllowed),
            Subscription::Confirmed(challenge) => Ok(Answer::Reply(Reply::Text(challenge))),
            Subscription::Forbidden => Err(ApiError::Forbidden),
            Subscription::Unusable(detail) => Err(detail.into()),
        }
    }

    /// An accepted request, answered as the tenant's sender wants.
    fn acknowledge(&self, tenant: &Tenant, accepted: Accepted) -> Answer {
        match tenant.verifier.sender().acknowledge {
            Acknowledge::Json => Answer::Status(accepted),
            Acknowledge::NoContent => Answer::NoContent(accepted),
        }
    }

    async fn write(
        &self,
        tenant: &Tenant,
        plan: Plan,
        log: &mut RequestLog,
    ) -> Result<Accepted, ApiError> {
        let started = Instant::now();
        let result = match &plan {
            Plan::User(write) => accepted(self.store.apply(&tenant.table, write).await),
            Plan::Event(put) => accepted(self.store.put_event(&tenant.table, put).await),
            Plan::Batch(puts) => self
                .store
                .put_events(&tenant.table, puts)
                .await
                .map(|w| {
                    let (stored, duplicate) = (w.outcome.stored, w.outcome.duplicate);
                    (Accepted::Batch { stored, duplicate }, w.write_units)
                })
                .map_err(Into::into),
            Plan::Ignored => return Ok(Accepted::Ignored),
        };
        log.dynamodb_ms = Some(started.elapsed().as_secs_f64() * 1000.0);
        result.map(|(accepted, write_units)| {
            log.dynamodb_write_units = write_units;
            accepted
        })
    }
}

/// What a write that was made means for the sender, and the units it was billed.
fn accepted<O: Into<Accepted>, E: Into<ApiError>>(
    written: Result<Written<O>, E>,
) -> Result<(Accepted, Option<f64>), ApiError> {
    written
        .map(|w| (w.outcome.into(), w.write_units))
        .map_err(Into::into)
}

/// What a successful request answers.
enum Answer {
    /// 200 `{"status": …}`.
    Status(Accepted),
    /// 204, no body (the outcome goes to the log line only).
    NoContent(Accepted),
    /// A handshake's answer (Slack's challenge, Zoom's token, Twitch's text).
    Reply(Reply),
}

impl Answer {
    /// The outcome as logged.
    fn as_str(&self) -> &'static str {
        match self {
            Self::Status(accepted) | Self::NoContent(accepted) => accepted.as_str(),
            Self::Reply(_) => "challenge",
        }
    }

    fn to_response(&self, request_id: &str) -> Response {
        let body = match self {
            Self::Status(Accepted::Batch { stored, duplicate }) => json!({
                "status": "stored",
                "stored": stored,
                "duplicate": duplicate,
                "request_id": request_id,
            }),
            Self::Status(accepted) => {
                json!({"status": accepted.as_str(), "request_id": request_id})
            }
            Self::Reply(Reply::Json(fields)) => {
                let mut body: serde_json::Map<String, Value> = fields
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), Value::from(v.as_str())))
                    .collect();
                body.insert("request_id".into(), Value::from(request_id));
                Value::Object(body)
            }
            Self::Reply(Reply::Text(text)) => return Response::text(text, request_id),
            Self::NoContent(_) => return Response::no_content(request_id),
        };
        Response::json(200, &body, &[])
    }
}

/// The root id of an X-Ray trace header (`Root=1-5759e988-bd862e3fe1be46a994272793;…`), the
/// part Powertools logs as `xray_trace_id`.
fn trace_root(header: &str) -> Option<&str> {
    header
        .split(';')
        .find_map(|part| part.trim().strip_prefix("Root="))
        .filter(|root| {
            (1..=64).contains(&root.len())
                && root.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// The raw (still percent-encoded) segment after `/webhooks/`, when the path is exactly
/// `/webhooks/{segment}`. A stage prefix (`/prod/webhooks/...`) is allowed when the event
/// names that stage.
fn tenant_segment(req: &Request) -> Option<&str> {
    let path = req.path.as_str();
    let path = req
        .stage
        .as_deref()
        .filter(|s| *s != "$default")
        .and_then(|s| path.strip_prefix('/')?.strip_prefix(s))
        .filter(|rest| rest.starts_with(ROUTE_PREFIX))
        .unwrap_or(path);
    let segment = path.strip_prefix(ROUTE_PREFIX)?;
    (!segment.is_empty() && !segment.contains('/')).then_some(segment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_root_is_the_root_id() {
        assert_eq!(
            trace_root(
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
            ),
            Some("1-5759e988-bd862e3fe1be46a994272793")
        );
        assert_eq!(trace_root("Parent=1;Sampled=0"), None);
        assert_eq!(trace_root("Root=<script>"), None);
    }
}
