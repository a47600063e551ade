//! The Lambda event boundary. `lambda_http` panics on a body flagged `isBase64Encoded` that is
//! not base64 (and on a few other malformed events), so the raw event is checked here first and
//! the conversion itself runs under `catch_unwind`: no request can crash the function.
//!
//! The answer is the response type of the event's own origin, as `lambda_http` would send it:
//! payload 2.0 for HTTP APIs and Function URLs, 1.0 for REST APIs.

use std::panic::{catch_unwind, AssertUnwindSafe};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::{HeaderMap, HeaderName, HeaderValue, Response};
use lambda_http::aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayV2httpResponse};
use lambda_http::request::{LambdaRequest, RequestOrigin};
use lambda_http::Body;
use serde_json::Value;

use crate::error::ApiError;
use crate::handler::App;

/// A body problem found before the request existed. The handler reports it at the body step,
/// so route and tenant errors still come first (SPEC §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyRejected {
    InvalidBase64,
    TooLarge,
}

/// Handles one raw Lambda event.
pub async fn handle_event(app: &App, mut event: Value, request_id: &str) -> Value {
    let body = take_encoded_body(&mut event, app.config().max_body_bytes);
    let rest_headers = multi_value_headers(&event);
    let (origin, mut request) = to_request(event);
    // REST (1.0) events list repeated headers only in `multiValueHeaders`; `lambda_http` lets the
    // single-valued `headers` map overwrite them, which would hide a repeated signature header.
    if let (Some(req), RequestOrigin::ApiGatewayV1) = (&mut request, &origin) {
        match rest_headers {
            Some(Ok(headers)) => *req.headers_mut() = headers,
            Some(Err(InvalidHeaders)) => request = None,
            None => {}
        }
    }
    let response = match request {
        Some(mut req) => {
            match body {
                Ok(Some(bytes)) => *req.body_mut() = Body::Binary(bytes),
                Ok(None) => {}
                Err(rejected) => {
                    *req.body_mut() = Body::Empty;
                    req.extensions_mut().insert(rejected);
                }
            }
            app.handle(&req, request_id).await
        }
        None => app.reject(ApiError::InvalidBody, request_id),
    };
    to_lambda_response(&origin, response)
}

/// For a base64 body: bound it, decode it, and take it out of the event so `lambda_http` never
/// decodes it. `Ok(None)` when the body is not base64-encoded.
fn take_encoded_body(event: &mut Value, max_bytes: usize) -> Result<Option<Vec<u8>>, BodyRejected> {
    let Some(obj) = event.as_object_mut() else {
        return Ok(None);
    };
    if obj.get("isBase64Encoded") != Some(&Value::Bool(true)) {
        return Ok(None);
    }
    obj.insert("isBase64Encoded".into(), Value::Bool(false));
    let encoded = match obj.insert("body".into(), Value::Null) {
        Some(Value::String(s)) => s,
        _ => return Ok(Some(Vec::new())),
    };
    // Refuse before decoding anything that cannot fit once decoded.
    if encoded.len() > max_bytes.div_ceil(3) * 4 {
        return Err(BodyRejected::TooLarge);
    }
    let bytes = STANDARD
        .decode(encoded.as_bytes())
        .map_err(|_| BodyRejected::InvalidBase64)?;
    if bytes.len() > max_bytes {
        return Err(BodyRejected::TooLarge);
    }
    Ok(Some(bytes))
}

/// A header name or value in the event that HTTP does not allow.
#[derive(Debug, PartialEq, Eq)]
struct InvalidHeaders;

/// The event's `multiValueHeaders`, every value of every name (names compared case-insensitively,
/// so `X-A` and `x-a` are one header given twice). `None` when the event has none.
fn multi_value_headers(event: &Value) -> Option<Result<HeaderMap, InvalidHeaders>> {
    let map = event.get("multiValueHeaders")?.as_object()?;
    if map.is_empty() {
        return None;
    }
    let mut headers = HeaderMap::new();
    for (name, values) in map {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| InvalidHeaders);
        let Ok(name) = name else {
            return Some(Err(InvalidHeaders));
        };
        let Some(values) = values.as_array() else {
            return Some(Err(InvalidHeaders));
        };
        for value in values {
            let value = value.as_str().and_then(|v| HeaderValue::from_str(v).ok());
            let Some(value) = value else {
                return Some(Err(InvalidHeaders));
            };
            headers.append(name.clone(), value);
        }
    }
    Some(Ok(headers))
}

/// The request, and where it came from (payload 2.0 when the event is not one we can read).
fn to_request(event: Value) -> (RequestOrigin, Option<lambda_http::Request>) {
    let Ok(parsed) = serde_json::from_value::<LambdaRequest>(event) else {
        return (RequestOrigin::ApiGatewayV2, None);
    };
    let origin = parsed.request_origin();
    let request = catch_unwind(AssertUnwindSafe(|| lambda_http::Request::from(parsed))).ok();
    (origin, request)
}

fn to_lambda_response(origin: &RequestOrigin, response: Response<Body>) -> Value {
    let (parts, body) = response.into_parts();
    let body = match body {
        Body::Empty => None,
        b => Some(b),
    };
    let serialized = match origin {
        RequestOrigin::ApiGatewayV1 => {
            let mut r = ApiGatewayProxyResponse::default();
            r.status_code = i64::from(parts.status.as_u16());
            // REST merges `headers` into `multiValueHeaders`; one of them avoids duplicates.
            r.multi_value_headers = parts.headers;
            r.body = body;
            serde_json::to_value(r)
        }
        _ => {
            let mut r = ApiGatewayV2httpResponse::default();
            r.status_code = i64::from(parts.status.as_u16());
            r.headers = parts.headers;
            r.body = body;
            serde_json::to_value(r)
        }
    };
    // Serialising these types cannot fail (string keys, string values); stay total anyway.
    serialized.unwrap_or_else(|_| serde_json::json!({"statusCode": 500}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn multi_value_headers_keep_every_value() {
        let ev =
            json!({"multiValueHeaders": {"X-Sig": ["a", "b"], "x-sig": ["c"], "Other": ["d"]}});
        let h = multi_value_headers(&ev).unwrap().unwrap();
        let sig: Vec<&str> = h
            .get_all("x-sig")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(sig.len(), 3);
        assert_eq!(h.get("other").unwrap(), "d");
        assert_eq!(multi_value_headers(&json!({"multiValueHeaders": {}})), None);
        assert_eq!(multi_value_headers(&json!({"headers": {"a": "b"}})), None);
        for bad in [
            json!({"multiValueHeaders": {"bad name": ["x"]}}),
            json!({"multiValueHeaders": {"a": "not a list"}}),
            json!({"multiValueHeaders": {"a": [1]}}),
            json!({"multiValueHeaders": {"a": ["line\nbreak"]}}),
        ] {
            assert_eq!(
                multi_value_headers(&bad),
                Some(Err(InvalidHeaders)),
                "{bad}"
            );
        }
    }

    #[test]
    fn base64_body_is_bounded_then_decoded() {
        let mut ev = json!({"isBase64Encoded": true, "body": STANDARD.encode(b"hello")});
        assert_eq!(take_encoded_body(&mut ev, 5), Ok(Some(b"hello".to_vec())));
        assert_eq!(ev["isBase64Encoded"], false);
        assert!(ev["body"].is_null());

        let mut ev = json!({"isBase64Encoded": true, "body": "%%% not base64"});
        assert_eq!(
            take_encoded_body(&mut ev, 100),
            Err(BodyRejected::InvalidBase64)
        );

        let mut ev = json!({"isBase64Encoded": true, "body": STANDARD.encode([0u8; 7])});
        assert_eq!(take_encoded_body(&mut ev, 6), Err(BodyRejected::TooLarge));

        let mut ev = json!({"isBase64Encoded": true, "body": "A".repeat(1000)});
        assert_eq!(take_encoded_body(&mut ev, 100), Err(BodyRejected::TooLarge));

        let mut ev = json!({"isBase64Encoded": false, "body": "plain"});
        assert_eq!(take_encoded_body(&mut ev, 100), Ok(None));
        assert_eq!(ev["body"], "plain");
    }
}
