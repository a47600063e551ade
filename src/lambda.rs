//! The Lambda event boundary: a raw invocation event in, the response of that event's origin out.
//! It reads exactly what the pipeline needs (method, raw path, stage, headers, body) from the
//! three HTTP event shapes — API Gateway HTTP API (payload 2.0), Lambda Function URL (2.0), REST
//! API (1.0) — and never panics: `lambda_http`'s own conversion panics on some events (a body
//! flagged base64 that is not, a `Host` it cannot parse), so it is not used.
//!
//! REST events list repeated headers only in `multiValueHeaders` (their `headers` map keeps the
//! last value), so that is where REST headers are read; HTTP APIs join repeats with commas.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{json, Map, Value};

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
    pub method: String,
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
    /// 204 without a body, the request id in `x-request-id` (a 204 has no body to carry it).
    pub(crate) fn no_content(request_id: &str) -> Self {
        Self {
            status: 204,
            headers: vec![("x-request-id", request_id.to_owned())],
            body: String::new(),
        }
    }
}

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
    let request = read(&mut event, origin, max_body_bytes);
    (origin, request)
}

fn read(
    event: &mut Map<String, Value>,
    origin: Origin,
    max_body_bytes: usize,
) -> Result<Request, NotHttpEvent> {
    let context = event.get("requestContext");
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    let (method, path, headers) = match origin {
        Origin::HttpApi => (
            text(context.and_then(|c| c.pointer("/http/method"))),
            text(event.get("rawPath")),
            single_value_headers(event.get("headers"))?,
        ),
        Origin::RestApi => {
            let headers = match event.get("multiValueHeaders") {
                Some(Value::Object(m)) if !m.is_empty() => multi_value_headers(m)?,
                _ => single_value_headers(event.get("headers"))?,
            };
            (
                text(event.get("httpMethod")),
                text(event.get("path")),
                headers,
            )
        }
    };
    let stage = text(context.and_then(|c| c.get("stage")));
    let query = match origin {
        Origin::HttpApi => text(event.get("rawQueryString")),
        Origin::RestApi => rest_query(event.get("multiValueQueryStringParameters")),
    }
    .filter(|q| !q.is_empty());
    Ok(Request {
        method: method.ok_or(NotHttpEvent)?,
        path: path.unwrap_or_default(),
        stage,
        headers,
        query,
        body: take_body(event, max_body_bytes),
    })
}

/// A REST event's query string, rebuilt form-encoded from its decoded parameters (REST events
/// keep no raw query string; a sender that signs its URL is best served by an HTTP API).
pub(crate) fn rest_query(params: Option<&Value>) -> Option<String> {
    let params = params?.as_object()?;
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, values) in params {
        for value in values.as_array()?.iter().filter_map(Value::as_str) {
            query.append_pair(name, value);
        }
    }
    Some(query.finish())
}

/// A `headers` map of single values; absent or `null` is no headers.
fn single_value_headers(map: Option<&Value>) -> Result<HeaderMap, NotHttpEvent> {
    let mut headers = HeaderMap::new();
    match map {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (name, value) in map {
                append(&mut headers, header_name(name)?, header_value(value)?)?;
            }
        }
        Some(_) => return Err(NotHttpEvent),
    }
    Ok(headers)
}

/// REST's `multiValueHeaders`: every value of every name (names compared case-insensitively, so
/// `X-A` and `x-a` are one header given twice).
fn multi_value_headers(map: &Map<String, Value>) -> Result<HeaderMap, NotHttpEvent> {
    let mut headers = HeaderMap::new();
    for (name, values) in map {
        let name = header_name(name)?;
        for value in values.as_array().ok_or(NotHttpEvent)? {
            append(&mut headers, name.clone(), header_value(value)?)?;
        }
    }
    Ok(headers)
}

/// More headers than a header map holds (`HeaderMap::append` panics past its capacity) is an
/// event no HTTP request could carry.
fn append(
    headers: &mut HeaderMap,
    name: HeaderName,
    value: HeaderValue,
) -> Result<(), NotHttpEvent> {
    headers
        .try_append(name, value)
        .map(drop)
        .map_err(|_| NotHttpEvent)
}

fn header_name(name: &str) -> Result<HeaderName, NotHttpEvent> {
    HeaderName::from_bytes(name.as_bytes()).map_err(|_| NotHttpEvent)
}

fn header_value(value: &Value) -> Result<HeaderValue, NotHttpEvent> {
    value
        .as_str()
        .and_then(|v| HeaderValue::from_str(v).ok())
        .ok_or(NotHttpEvent)
}

/// The body's bytes, bounded by `max_bytes` (the one place the size limit is checked): moved out
/// of the event, base64-decoded when flagged, refused before decoding when it cannot fit once
/// decoded.
fn take_body(event: &mut Map<String, Value>, max_bytes: usize) -> Result<Vec<u8>, BodyRejected> {
    let encoded = event.get("isBase64Encoded") == Some(&Value::Bool(true));
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

/// The response as the event's origin expects it: payload 2.0 names single-valued `headers`,
/// REST (1.0) `multiValueHeaders`.
pub(crate) fn to_event_response(origin: Origin, response: Response) -> Value {
    let headers = response.headers.into_iter();
    match origin {
        Origin::HttpApi => json!({
            "statusCode": response.status,
            "headers": headers.map(|(k, v)| (k.to_owned(), Value::String(v))).collect::<Map<_, _>>(),
            "body": response.body,
            "isBase64Encoded": false,
            // Part of the 2.0 response; some emulators (cargo lambda's) refuse a response without it.
            "cookies": [],
        }),
        Origin::RestApi => json!({
            "statusCode": response.status,
            "multiValueHeaders": headers.map(|(k, v)| (k.to_owned(), json!([v]))).collect::<Map<_, _>>(),
            "body": response.body,
            "isBase64Encoded": false,
        }),
    }
}

#[cfg(test)]
mod tests {
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
                          "requestContext": {"stage": "prod"},
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

    #[test]
    fn multi_value_headers_keep_every_value() {
        let map = json!({"X-Sig": ["a", "b"], "x-sig": ["c"], "Other": ["d"]});
        let h = multi_value_headers(map.as_object().unwrap()).unwrap();
        assert_eq!(h.get_all("x-sig").iter().count(), 3);
        assert_eq!(h["other"], "d");
        // REST without multiValueHeaders falls back to headers.
        let rest = json!({"httpMethod": "POST", "headers": {"a": "b"}, "multiValueHeaders": {}});
        assert_eq!(parse_event(rest, 10).1.unwrap().headers["a"], "b");
        for bad in [
            json!({"bad name": ["x"]}),
            json!({"a": "not a list"}),
            json!({"a": [1]}),
            json!({"a": ["line\nbreak"]}),
        ] {
            let rest = json!({"httpMethod": "POST", "multiValueHeaders": bad});
            assert_eq!(parse_event(rest, 10).1.unwrap_err(), NotHttpEvent, "{bad}");
        }
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
        let v2 = to_event_response(Origin::HttpApi, response.clone());
        assert_eq!(v2["statusCode"], 405);
        assert_eq!(v2["headers"]["allow"], "POST");
        assert_eq!(v2["body"], "{}");
        assert_eq!(
            v2["cookies"],
            json!([]),
            "cargo lambda's Function URL answers 500 without it"
        );
        let rest = to_event_response(Origin::RestApi, response);
        assert_eq!(rest["multiValueHeaders"]["allow"], json!(["POST"]));
        assert!(rest.get("headers").is_none());
    }
}
