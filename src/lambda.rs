//! The Lambda event boundary: a raw invocation event in, the response of that event's origin out.
//! The three HTTP event shapes — API Gateway HTTP API (payload 2.0), Lambda Function URL (2.0),
//! REST API (1.0) — are read with `lambda_http`'s event types (`aws_lambda_events`), and answered
//! with its response types. `lambda_http`'s own conversion to an `http::Request` is not used: it
//! panics on some events (a body flagged base64 that is not, a `Host` it cannot parse; shown by
//! `tests/it/handler.rs`), so these stay ours and happen before the typed reading:
//!
//! - the body: bounded by the size limit before and after decoding, base64-decoded without panic;
//! - the number of headers: `HeaderMap` panics past its capacity, so an event with more headers
//!   (names or values) than any front door lets through is refused before it is read (the test
//!   shows the typed reading panicking on it);
//! - a REST event's query: its parameters come as a map that `aws_lambda_events` keeps in a
//!   `HashMap` (order lost); it is rebuilt from the event's own JSON, sorted by name, so a signed
//!   URL reads the same every time;
//! - what the typed reading would accept but no front door sends (a list where a header value
//!   is one string, one header name twice in different case): refused, as before.
//!
//! REST events list repeated headers only in `multiValueHeaders` (their `headers` map keeps the
//! last value), so that is where REST headers are read; HTTP APIs join repeats with commas.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayProxyRequest, ApiGatewayProxyResponse, ApiGatewayV2httpRequest,
    ApiGatewayV2httpResponse,
};
use lambda_http::Body;
use lambda_runtime::LambdaInvocation;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An invocation as the handler's event type will read it. `lambda_runtime` parses every event
/// into the handler's type before the handler runs, and answers one it cannot parse itself (no
/// HTTP answer, no request id in a body, no log line of ours): an event that is not JSON, is
/// nested deeper than `serde_json` reads (128 levels; API Gateway's events nest a few), holds
/// a number no `f64` holds, or a key named as `serde_json`'s private raw-value token (which an
/// unsigned caller can put in a query string). Such an event is handed on as `null`, which is
/// no HTTP event: it is answered 400 `unsupported_event` with its request id and log line like
/// any other (SPEC §3.0, §13.1).
pub fn readable_invocation(mut invocation: LambdaInvocation) -> LambdaInvocation {
    if runtime_reading(&invocation.body).is_none() {
        invocation.body = b"null"[..].into();
    }
    invocation
}

/// The event as the runtime reads it into the handler's `serde_json::Value`, if it can: the
/// same call (`serde_path_to_error` over `serde_json`, no check for bytes after the value), so
/// the same limits, UTF-8 checks and `raw_value` rules (a key named as serde_json's private
/// raw-value token fails there, and here). A second parse of the event; a copy of the rules
/// instead would disagree where they are subtle.
pub fn runtime_reading(bytes: &[u8]) -> Option<Value> {
    let mut parser = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut parser).ok()
}

/// Where an event came from, which decides the response's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// API Gateway HTTP API or a Lambda Function URL (payload 2.0).
    HttpApi,
    /// API Gateway REST API (payload 1.0).
    RestApi,
}

/// Why a body could not be read. Reported at the body step, so route and tenant errors still
/// come first (SPEC §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyRejected {
    InvalidBase64,
    TooLarge,
}

/// An event that is not an HTTP request this function can read: not one of the three shapes, or
/// a header name or value that HTTP does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotHttpEvent;

/// One HTTP request, as the pipeline reads it.
#[derive(Debug)]
pub struct Request {
    pub method: Method,
    /// The path as delivered (still percent-encoded where the front door keeps it so).
    pub path: String,
    /// The API Gateway stage the event names, if any (`$default` included).
    pub stage: Option<String>,
    pub headers: HeaderMap,
    /// The raw query string, when there is one (REST events carry none raw: it is rebuilt from
    /// `multiValueQueryStringParameters`).
    pub query: Option<String>,
    /// The decoded body, bounded by the size limit before and after decoding.
    pub body: Result<Vec<u8>, BodyRejected>,
    /// The body's media type, from its one `Content-Type` header (read once, here); `None`
    /// for any other, absent or repeated.
    pub media: Option<Media>,
}

/// The media types a body may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    Json,
    Form,
}

/// `application/json` or `application/x-www-form-urlencoded`, optionally with parameters, from
/// exactly one `Content-Type` header.
pub fn media_type(headers: &HeaderMap) -> Option<Media> {
    let mut values = headers.get_all(CONTENT_TYPE).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return None;
    };
    let media = value.to_str().ok()?.split(';').next()?.trim();
    if media.eq_ignore_ascii_case("application/json") {
        Some(Media::Json)
    } else if media.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        Some(Media::Form)
    } else {
        None
    }
}

/// What the pipeline answers, before it is shaped for the origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// Lower-case names.
    pub headers: Vec<(&'static str, String)>,
    /// A JSON document.
    pub body: String,
}

impl Response {
    /// A JSON document with `content-type: application/json`, then `headers`.
    pub(crate) fn json(
        status: u16,
        body: &Value,
        headers: &[(&'static str, &'static str)],
    ) -> Self {
        let mut all = Vec::with_capacity(headers.len() + 1);
        all.push(("content-type", "application/json".to_owned()));
        all.extend(headers.iter().map(|(k, v)| (*k, (*v).to_owned())));
        Self {
            status,
            headers: all,
            body: body.to_string(),
        }
    }
}

impl Response {
    /// 200 `text/plain` with exactly `text` (a handshake's echo), the request id in
    /// `x-request-id`.
    pub(crate) fn text(text: &str, request_id: &str) -> Self {
        Self {
            status: 200,
            headers: vec![
                ("content-type", "text/plain; charset=utf-8".to_owned()),
                ("x-request-id", request_id.to_owned()),
            ],
            body: text.to_owned(),
        }
    }

    /// 204 without a body, the request id in `x-request-id` (a 204 has no body to carry it).
    pub(crate) fn no_content(request_id: &str) -> Self {
        Self {
            status: 204,
            headers: vec![("x-request-id", request_id.to_owned())],
            body: String::new(),
        }
    }
}

/// More header values than this in one event is not an HTTP request: API Gateway and Function
/// URLs pass at most 10 KB of headers (a few thousand at most), and `HeaderMap` panics well
/// above this bound (its capacity is 32,768 and it cannot be created with more than 24,576).
pub const MAX_HEADERS: usize = 16_384;

/// Reads an invocation event. `max_body_bytes` bounds the body (decoded bytes).
pub fn parse_event(event: Value, max_body_bytes: usize) -> (Origin, Result<Request, NotHttpEvent>) {
    let Value::Object(mut event) = event else {
        return (Origin::HttpApi, Err(NotHttpEvent));
    };
    let origin = if event.get("version").and_then(Value::as_str) == Some("2.0") {
        Origin::HttpApi
    } else if event.get("httpMethod").is_some_and(Value::is_string) {
        Origin::RestApi
    } else {
        return (Origin::HttpApi, Err(NotHttpEvent));
    };
    let single_valued = match check_headers(&event, origin) {
        Ok(names) => names,
        Err(not_http) => return (origin, Err(not_http)),
    };
    // Ours, taken out before the typed reading (module docs).
    let body = take_body(&mut event, max_body_bytes);
    let event = Value::Object(event);
    let request = match origin {
        Origin::HttpApi => read_http_api(event),
        Origin::RestApi => read_rest_api(event),
    }
    .and_then(|read| match single_valued {
        // A map of one string per name gives one value per name; fewer values than names means
        // a name came twice in different case and the map kept the last: a request carrying
        // both must be refused, not read as one.
        Some(names) if read.headers.len() != names => Err(NotHttpEvent),
        _ => Ok(read),
    });
    (origin, request.map(|read| read.with_body(body)))
}

/// A request as read from the event, before its body is attached.
struct Read {
    method: Method,
    path: Option<String>,
    stage: Option<String>,
    headers: HeaderMap,
    query: Option<String>,
}

impl Read {
    fn with_body(self, body: Result<Vec<u8>, BodyRejected>) -> Request {
        Request {
            media: media_type(&self.headers),
            method: self.method,
            path: self.path.unwrap_or_default(),
            stage: self.stage,
            headers: self.headers,
            query: self.query.filter(|q| !q.is_empty()),
            body,
        }
    }
}

/// Payload 2.0 (HTTP API, Function URL); the method is `requestContext.http.method`.
fn read_http_api(event: Value) -> Result<Read, NotHttpEvent> {
    let event = ApiGatewayV2httpRequest::deserialize(event).map_err(|_| NotHttpEvent)?;
    Ok(Read {
        method: event.request_context.http.method,
        path: event.raw_path,
        stage: event.request_context.stage,
        headers: event.headers,
        query: event.raw_query_string,
    })
}

/// Payload 1.0 (REST API).
fn read_rest_api(mut event: Value) -> Result<Read, NotHttpEvent> {
    let query = rest_query(event.get("multiValueQueryStringParameters"));
    if let Some(params) = event.as_object_mut() {
        // Read above, in order; not again into a map.
        params.remove("multiValueQueryStringParameters");
        params.remove("queryStringParameters");
    }
    let event = ApiGatewayProxyRequest::deserialize(event).map_err(|_| NotHttpEvent)?;
    let headers = if event.multi_value_headers.is_empty() {
        event.headers
    } else {
        event.multi_value_headers
    };
    Ok(Read {
        method: event.http_method,
        path: event.path,
        stage: event.request_context.stage,
        headers,
        query,
    })
}

/// Checks the event's headers before the typed reading, which would also take what no front
/// door sends and read it differently: a value that is a list where one string is expected. And
/// `HeaderMap` panics past its capacity, counted in names as well as values (an empty list is a
/// name), so no more than a front door passes. Gives, when the map read is `headers` (one string
/// per name), how many names it has.
fn check_headers(
    event: &Map<String, Value>,
    origin: Origin,
) -> Result<Option<usize>, NotHttpEvent> {
    let multi = match event.get("multiValueHeaders") {
        Some(Value::Object(map)) if origin == Origin::RestApi && !map.is_empty() => Some(map),
        _ => None,
    };
    let mut count = 0;
    let mut single_valued = None;
    if let Some(Value::Object(map)) = event.get("headers") {
        // The map that is read (REST reads `multiValueHeaders` when it has any) must hold one
        // string per name; the other is only counted.
        if multi.is_none() {
            if !map.values().all(Value::is_string) {
                return Err(NotHttpEvent);
            }
            single_valued = Some(map.len());
        }
        count += map.len();
    }
    if let Some(map) = multi {
        for values in map.values() {
            let values = values.as_array().ok_or(NotHttpEvent)?;
            if !values.iter().all(Value::is_string) {
                return Err(NotHttpEvent);
            }
            count += values.len().max(1);
        }
    }
    if count > MAX_HEADERS {
        return Err(NotHttpEvent);
    }
    Ok(single_valued)
}

/// A REST event's query string, rebuilt form-encoded from its decoded parameters, sorted by
/// name (REST events keep no raw query string; a sender that signs its URL is best served by an
/// HTTP API). Sorted here, not left to the map's order, which depends on a serde_json feature
/// that only some builds of this crate get.
pub(crate) fn rest_query(params: Option<&Value>) -> Option<String> {
    let mut params: Vec<_> = params?.as_object()?.iter().collect();
    params.sort_by(|a, b| a.0.cmp(b.0));
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, values) in params {
        for value in values.as_array()?.iter().filter_map(Value::as_str) {
            query.append_pair(name, value);
        }
    }
    Some(query.finish())
}

/// The body's bytes, bounded by `max_bytes` (the one place the size limit is checked): moved out
/// of the event, base64-decoded when flagged, refused before decoding when it cannot fit once
/// decoded.
fn take_body(event: &mut Map<String, Value>, max_bytes: usize) -> Result<Vec<u8>, BodyRejected> {
    let encoded = event.remove("isBase64Encoded") == Some(Value::Bool(true));
    let body = match event.remove("body") {
        Some(Value::String(s)) => s,
        _ => return Ok(Vec::new()),
    };
    if !encoded {
        return if body.len() > max_bytes {
            Err(BodyRejected::TooLarge)
        } else {
            Ok(body.into_bytes())
        };
    }
    if body.len() > max_bytes.div_ceil(3) * 4 {
        return Err(BodyRejected::TooLarge);
    }
    let bytes = STANDARD
        .decode(body.as_bytes())
        .map_err(|_| BodyRejected::InvalidBase64)?;
    if bytes.len() > max_bytes {
        return Err(BodyRejected::TooLarge);
    }
    Ok(bytes)
}

/// The answer to one invocation, in its origin's shape (`lambda_http`'s response types).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum EventResponse {
    /// Payload 2.0: single-valued `headers`.
    HttpApi(ApiGatewayV2httpResponse),
    /// REST (1.0): `multiValueHeaders`.
    RestApi(ApiGatewayProxyResponse),
}

/// The response as the event's origin expects it.
pub(crate) fn to_event_response(origin: Origin, response: Response) -> EventResponse {
    let mut headers = HeaderMap::with_capacity(response.headers.len());
    for (name, value) in response.headers {
        // Names are constants of this crate and values ASCII (ids, numbers, media types); one
        // that is not a header cannot be sent, and is left out rather than fail the answer.
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            headers.append(name, value);
        }
    }
    let status_code = i64::from(response.status);
    // Always a text body, an empty one included (a 204), as every origin accepts.
    let body = Some(Body::Text(response.body));
    match origin {
        Origin::HttpApi => {
            let mut r = ApiGatewayV2httpResponse::default();
            r.status_code = status_code;
            r.headers = headers;
            r.body = body;
            EventResponse::HttpApi(r)
        }
        Origin::RestApi => {
            let mut r = ApiGatewayProxyResponse::default();
            r.status_code = status_code;
            r.multi_value_headers = headers;
            r.body = body;
            EventResponse::RestApi(r)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn body(event: Value, max: usize) -> Result<Vec<u8>, BodyRejected> {
        parse_event(event, max).1.unwrap().body
    }

    fn v2(extra: Value) -> Value {
        let mut ev = json!({"version": "2.0", "rawPath": "/webhooks/a",
                            "requestContext": {"http": {"method": "POST"}, "stage": "$default"}});
        for (k, v) in extra.as_object().unwrap() {
            ev[k] = v.clone();
        }
        ev
    }

    #[test]
    fn bodies_are_bounded_and_base64_decoded() {
        let ev = v2(json!({"isBase64Encoded": true, "body": STANDARD.encode(b"hello")}));
        assert_eq!(body(ev, 5), Ok(b"hello".to_vec()));
        let ev = v2(json!({"isBase64Encoded": true, "body": "%%% not base64"}));
        assert_eq!(body(ev, 100), Err(BodyRejected::InvalidBase64));
        let ev = v2(json!({"isBase64Encoded": true, "body": STANDARD.encode([0u8; 7])}));
        assert_eq!(body(ev, 6), Err(BodyRejected::TooLarge));
        let ev = v2(json!({"isBase64Encoded": true, "body": "A".repeat(1000)}));
        assert_eq!(body(ev, 100), Err(BodyRejected::TooLarge));
        let ev = v2(json!({"isBase64Encoded": false, "body": "plain"}));
        assert_eq!(body(ev, 100), Ok(b"plain".to_vec()));
        let ev = v2(json!({"body": "plain"}));
        assert_eq!(body(ev, 5), Ok(b"plain".to_vec()));
        let ev = v2(json!({"body": "plain"}));
        assert_eq!(body(ev, 4), Err(BodyRejected::TooLarge));
        assert_eq!(body(v2(json!({"body": null})), 100), Ok(Vec::new()));
    }

    #[test]
    fn each_origin_is_read() {
        let (origin, req) = parse_event(
            v2(json!({"headers": {"Content-Type": "application/json"}})),
            10,
        );
        let req = req.unwrap();
        assert_eq!(origin, Origin::HttpApi);
        assert_eq!(
            (req.method.as_str(), req.path.as_str()),
            ("POST", "/webhooks/a")
        );
        assert_eq!(req.stage.as_deref(), Some("$default"));
        assert_eq!(req.headers["content-type"], "application/json");

        let rest = json!({"httpMethod": "PUT", "path": "/prod/webhooks/a",
                          "requestContext": {"stage": "prod", "httpMethod": "POST"},
                          "headers": {"X-Sig": "b"}, "multiValueHeaders": {"X-Sig": ["a", "b"]}});
        let (origin, req) = parse_event(rest, 10);
        let req = req.unwrap();
        assert_eq!(origin, Origin::RestApi);
        assert_eq!(
            (req.method.as_str(), req.path.as_str()),
            ("PUT", "/prod/webhooks/a")
        );
        assert_eq!(req.stage.as_deref(), Some("prod"));
        assert_eq!(req.headers.get_all("x-sig").iter().count(), 2);
    }

    fn rest(extra: Value) -> Value {
        let mut ev = json!({"httpMethod": "POST", "path": "/webhooks/a",
                            "requestContext": {"stage": "prod", "httpMethod": "POST"}});
        for (k, v) in extra.as_object().unwrap() {
            ev[k] = v.clone();
        }
        ev
    }

    #[test]
    fn multi_value_headers_keep_every_value() {
        let map = json!({"X-Sig": ["a", "b"], "x-sig": ["c"], "Other": ["d"]});
        let h = parse_event(rest(json!({"multiValueHeaders": map})), 10)
            .1
            .unwrap()
            .headers;
        assert_eq!(h.get_all("x-sig").iter().count(), 3);
        assert_eq!(h["other"], "d");
        // REST without multiValueHeaders falls back to headers.
        let ev = rest(json!({"headers": {"a": "b"}, "multiValueHeaders": {}}));
        assert_eq!(parse_event(ev, 10).1.unwrap().headers["a"], "b");
        for bad in [
            json!({"bad name": ["x"]}),
            json!({"a": 1}),
            json!({"a": [1]}),
            json!({"a": ["line\nbreak"]}),
        ] {
            let ev = rest(json!({ "multiValueHeaders": bad }));
            assert_eq!(parse_event(ev, 10).1.unwrap_err(), NotHttpEvent, "{bad}");
        }
    }

    #[test]
    fn rest_queries_are_rebuilt_in_one_order() {
        let params = json!({"b": ["2"], "a": ["1", "x y"]});
        let ev = rest(json!({"multiValueQueryStringParameters": params,
                             "queryStringParameters": {"b": "2", "a": "x y"}}));
        let req = parse_event(ev, 10).1.unwrap();
        // Sorted by name, values in the event's order, whatever order the map keeps.
        assert_eq!(req.query.as_deref(), Some("a=1&a=x+y&b=2"));
        assert_eq!(req.method, Method::POST);
        assert_eq!(req.stage.as_deref(), Some("prod"));
    }

    #[test]
    fn more_headers_than_a_front_door_passes_is_not_http() {
        let many: Map<String, Value> = (0..=MAX_HEADERS)
            .map(|i| (format!("x-h{i}"), json!("v")))
            .collect();
        let ev = v2(json!({ "headers": many }));
        assert_eq!(parse_event(ev, 10).1.unwrap_err(), NotHttpEvent);
        let mut few = many;
        few.remove("x-h0");
        let ev = v2(json!({ "headers": few }));
        assert_eq!(parse_event(ev, 10).1.unwrap().headers.len(), MAX_HEADERS);
        // Names count too: empty lists of values are no values, but each is a name the typed
        // reading makes room for (with 24,577 of them, `HeaderMap::with_capacity` panics).
        let empty: Map<String, Value> = (0..24_577)
            .map(|i| (format!("x-h{i}"), json!([])))
            .collect();
        let ev = rest(json!({ "multiValueHeaders": empty }));
        assert_eq!(parse_event(ev, 10).1.unwrap_err(), NotHttpEvent);
    }

    #[test]
    fn headers_no_front_door_sends_are_not_read() {
        for headers in [
            json!({"x-sig": ["a", "b"]}),
            json!({"X-Sig": "a", "x-sig": "b"}),
            json!({"x-sig": null}),
        ] {
            let ev = v2(json!({ "headers": headers }));
            assert_eq!(
                parse_event(ev, 10).1.unwrap_err(),
                NotHttpEvent,
                "{headers}"
            );
        }
        let ev = rest(json!({"multiValueHeaders": {"X-Sig": ["a"], "x-sig": "b"}}));
        assert_eq!(parse_event(ev, 10).1.unwrap_err(), NotHttpEvent);
        // Lists in multiValueHeaders, in any case, are every value of one header.
        let ev = rest(json!({"multiValueHeaders": {"X-Sig": ["a"], "x-sig": ["b"]}}));
        assert_eq!(
            parse_event(ev, 10)
                .1
                .unwrap()
                .headers
                .get_all("x-sig")
                .iter()
                .count(),
            2
        );
    }

    #[test]
    fn what_is_not_an_http_event() {
        for ev in [
            json!(null),
            json!([1, 2]),
            json!({"hello": "world"}),
            json!({"version": "2.0"}),
            json!({"version": "1.0", "rawPath": "/x"}),
            json!({"httpMethod": 7}),
            v2(json!({"headers": {"a": 1}})),
            v2(json!({"headers": "a: b"})),
            v2(json!({"headers": {"bad name": "x"}})),
        ] {
            assert_eq!(
                parse_event(ev.clone(), 10).1.unwrap_err(),
                NotHttpEvent,
                "{ev}"
            );
        }
    }

    #[test]
    fn responses_take_the_origin_shape() {
        let response = Response {
            status: 405,
            headers: vec![
                ("content-type", "application/json".into()),
                ("allow", "POST".into()),
            ],
            body: "{}".into(),
        };
        let v2 =
            serde_json::to_value(to_event_response(Origin::HttpApi, response.clone())).unwrap();
        assert_eq!(v2["statusCode"], 405);
        assert_eq!(v2["headers"]["allow"], "POST");
        assert_eq!(v2["body"], "{}");
        assert_eq!(v2["isBase64Encoded"], false);
        assert_eq!(
            v2["cookies"],
            json!([]),
            "cargo lambda's Function URL answers 500 without it"
        );
        let rest = serde_json::to_value(to_event_response(Origin::RestApi, response)).unwrap();
        assert_eq!(rest["multiValueHeaders"]["allow"], json!(["POST"]));
        assert_eq!(
            rest["headers"],
            json!({}),
            "every header is in multiValueHeaders"
        );
        let empty = Response {
            status: 204,
            headers: vec![("x-request-id", "r-1".into())],
            body: String::new(),
        };
        let v2 = serde_json::to_value(to_event_response(Origin::HttpApi, empty)).unwrap();
        assert_eq!(
            (&v2["body"], &v2["headers"]["x-request-id"]),
            (&json!(""), &json!("r-1"))
        );
    }
}
