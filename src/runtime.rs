//! The Lambda Runtime API loop (<https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html>):
//! fetch the next invocation, hand its event to the function, post the answer, forever, one
//! invocation at a time. The only module that knows the Runtime API.
//!
//! Written here rather than taken from `lambda_runtime`, which drops the Runtime API's answer to
//! each posted response unread, so its keep-alive connection is closed and a new one opened for
//! every invocation; it also wraps each invocation in tower layers and a tracing span. Reading
//! the answer to the end keeps one connection for the life of the process (measured in the
//! README's "Performance").

use std::future::Future;
use std::time::Duration;

use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

const API_VERSION: &str = "2018-06-01";
const REQUEST_ID: &str = "lambda-runtime-aws-request-id";
const TRACE_ID: &str = "lambda-runtime-trace-id";
/// Fetching the next invocation is retried this often before the process gives up.
const NEXT_ATTEMPTS: u32 = 5;

/// Why the loop stopped: the Runtime API could not be reached or answered nonsense.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("AWS_LAMBDA_RUNTIME_API is not set")]
    NoEndpoint,
    #[error("Runtime API request failed: {0}")]
    Request(String),
    #[error("Runtime API answered {0} to {1}")]
    Status(StatusCode, &'static str),
    #[error("the next invocation has no request id")]
    NoRequestId,
}

/// One invocation, as the Runtime API hands it over.
#[derive(Debug)]
pub struct Invocation {
    pub request_id: String,
    /// The X-Ray trace header of this invocation, when tracing is on.
    pub trace_id: Option<String>,
    /// The event; `Value::Null` when it is not JSON (the function answers such an event itself).
    pub event: Value,
}

/// Serves invocations from the Runtime API at `AWS_LAMBDA_RUNTIME_API` with `handler`, which
/// turns each event into the JSON answer to post. Returns only when the Runtime API fails.
pub async fn run<F, Fut>(handler: F) -> Result<(), RuntimeError>
where
    F: Fn(Invocation) -> Fut,
    Fut: Future<Output = Value>,
{
    let endpoint = std::env::var("AWS_LAMBDA_RUNTIME_API").map_err(|_| RuntimeError::NoEndpoint)?;
    run_at(&endpoint, handler).await
}

/// As [`run`], with the Runtime API at `endpoint` (`host:port`, as Lambda sets it, or a whole
/// URL, as emulators may).
pub async fn run_at<F, Fut>(endpoint: &str, handler: F) -> Result<(), RuntimeError>
where
    F: Fn(Invocation) -> Fut,
    Fut: Future<Output = Value>,
{
    let mut connector = HttpConnector::new();
    // Headers and body go out in separate writes; without this, Nagle's algorithm holds the
    // second until the first is acknowledged (a delayed ACK: tens of ms per invocation).
    connector.set_nodelay(true);
    // Lambda sets `host:port`; emulators (cargo lambda's) may set a whole URL.
    let origin = if endpoint.contains("://") {
        endpoint.trim_end_matches('/').to_owned()
    } else {
        format!("http://{endpoint}")
    };
    let api = RuntimeApi {
        base: format!("{origin}/{API_VERSION}/runtime"),
        client: Client::builder(TokioExecutor::new()).build(connector),
    };
    loop {
        let invocation = api.next().await?;
        let request_id = invocation.request_id.clone();
        let answer = handler(invocation).await;
        // A refused answer (the invocation timed out meanwhile, say) ends that invocation, not
        // the process: the next `next` says whether the Runtime API is still there.
        if let Err(e) = api.respond(&request_id, &answer).await {
            tracing::error!(request_id = %request_id, error = %e, "answer not accepted");
        }
    }
}

struct RuntimeApi {
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl RuntimeApi {
    /// Waits for the next invocation (the Runtime API holds the request until there is one).
    async fn next(&self) -> Result<Invocation, RuntimeError> {
        let mut attempt = 0;
        let (headers, body) = loop {
            attempt += 1;
            match self
                .call(
                    Method::GET,
                    format!("{}/invocation/next", self.base),
                    Bytes::new(),
                )
                .await
            {
                Ok((StatusCode::OK, headers, body)) => break (headers, body),
                Ok((status, _, _)) => return Err(RuntimeError::Status(status, "next")),
                Err(e) if attempt >= NEXT_ATTEMPTS => return Err(e),
                Err(_) => tokio::time::sleep(Duration::from_millis(10 << attempt)).await,
            }
        };
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Ok(Invocation {
            request_id: header(REQUEST_ID).ok_or(RuntimeError::NoRequestId)?,
            trace_id: header(TRACE_ID),
            event: serde_json::from_slice(&body).unwrap_or(Value::Null),
        })
    }

    /// Posts the answer to one invocation.
    async fn respond(&self, request_id: &str, answer: &Value) -> Result<(), RuntimeError> {
        let body = serde_json::to_vec(answer).map_err(|e| RuntimeError::Request(e.to_string()))?;
        let url = format!("{}/invocation/{request_id}/response", self.base);
        match self.call(Method::POST, url, Bytes::from(body)).await? {
            // Lambda answers 202; emulators may answer 200.
            (status, _, _) if status.is_success() => Ok(()),
            (status, _, _) => Err(RuntimeError::Status(status, "response")),
        }
    }

    /// One request; the answer is read to its end, so the connection stays open for the next.
    async fn call(
        &self,
        method: Method,
        url: String,
        body: Bytes,
    ) -> Result<(StatusCode, HeaderMap, Bytes), RuntimeError> {
        let request = Request::builder()
            .method(method)
            .uri(url)
            .body(Full::new(body))
            .map_err(|e| RuntimeError::Request(e.to_string()))?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| RuntimeError::Request(e.to_string()))?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| RuntimeError::Request(e.to_string()))?
            .to_bytes();
        Ok((parts.status, parts.headers, body))
    }
}
