//! Signs API Gateway sample events for local use and tests, for every scheme. Tooling, not part
//! of the function: it lives with the `webhook-sign` command, and the integration tests and
//! fuzz targets include this file by path. Fixtures carry
//! placeholders: a timestamp header `<now>` becomes the signing time, a signature header `<sign>`
//! becomes a valid signature over the event's raw body (the scheme is the one whose signature
//! header holds `<sign>`). Anything else is left as written, so fixtures for rejected signatures
//! stay rejected. [`sign_event_as`] instead writes a scheme's headers outright.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;

use webhook_receiver::signature::{
    github, shopify, sign_headers, slack, standard_webhooks, stripe,
};

const NOW_PLACEHOLDER: &str = "<now>";
const SIGN_PLACEHOLDER: &str = "<sign>";

/// Where each scheme carries its signature, timestamp and delivery id (lower-case names).
struct SchemeHeaders {
    scheme: &'static str,
    signature: &'static [&'static str],
    timestamp: &'static [&'static str],
    id: &'static [&'static str],
}

const SCHEMES: [SchemeHeaders; 5] = [
    SchemeHeaders {
        scheme: standard_webhooks::SCHEME,
        signature: &[
            standard_webhooks::HEADERS.signature,
            standard_webhooks::SVIX_HEADERS.signature,
        ],
        timestamp: &[
            standard_webhooks::HEADERS.timestamp,
            standard_webhooks::SVIX_HEADERS.timestamp,
        ],
        id: &[
            standard_webhooks::HEADERS.id,
            standard_webhooks::SVIX_HEADERS.id,
        ],
    },
    SchemeHeaders {
        scheme: stripe::SCHEME,
        signature: &[stripe::HEADER],
        timestamp: &[],
        id: &[],
    },
    SchemeHeaders {
        scheme: github::SCHEME,
        signature: &[github::SIGNATURE_HEADER],
        timestamp: &[],
        id: &[github::ID_HEADER],
    },
    SchemeHeaders {
        scheme: slack::SCHEME,
        signature: &[slack::SIGNATURE_HEADER],
        timestamp: &[slack::TIMESTAMP_HEADER],
        id: &[],
    },
    SchemeHeaders {
        scheme: shopify::SCHEME,
        signature: &[shopify::SIGNATURE_HEADER],
        timestamp: &[],
        id: &[shopify::ID_HEADER],
    },
];

/// Replaces the placeholders in `event` (HTTP API 2.0, REST 1.0 or Function URL shape).
pub fn sign_event(event: &mut Value, secret: &str, now_s: i64) -> Result<(), String> {
    for s in &SCHEMES {
        replace_header(event, s.timestamp, NOW_PLACEHOLDER, &now_s.to_string());
    }
    let Some(s) = SCHEMES
        .iter()
        .find(|s| header(event, s.signature).as_deref() == Some(SIGN_PLACEHOLDER))
    else {
        return Ok(());
    };
    let body = raw_body(event)?;
    let id = match s.id {
        [] => String::new(),
        names => header(event, names).ok_or("event has no delivery-id header to sign")?,
    };
    let ts = match s.timestamp {
        [] => now_s,
        names => header(event, names)
            .ok_or("event has no timestamp header to sign")?
            .parse::<i64>()
            .map_err(|_| "the timestamp header is not a number")?,
    };
    let signed = sign_headers(s.scheme, secret, &id, ts, &body)?;
    let value = signed
        .iter()
        .find(|(name, _)| *name == s.signature[0])
        .map(|(_, v)| v.clone())
        .ok_or("the scheme produced no signature header")?;
    replace_header(event, s.signature, SIGN_PLACEHOLDER, &value);
    Ok(())
}

/// Writes `scheme`'s headers for the event's body at `now_s`, replacing whatever signature headers
/// it had. The delivery id is kept from the event where it has one, else `msg_<now>`.
pub fn sign_event_as(
    event: &mut Value,
    scheme: &str,
    secret: &str,
    now_s: i64,
) -> Result<(), String> {
    let s = SCHEMES
        .iter()
        .find(|s| s.scheme == scheme)
        .ok_or_else(|| format!("unknown scheme `{}`", scheme.escape_debug()))?;
    let body = raw_body(event)?;
    let id = SCHEMES
        .iter()
        .find_map(|s| header(event, s.id))
        .filter(|id| id != SIGN_PLACEHOLDER)
        .unwrap_or_else(|| format!("msg_{now_s}"));
    for other in &SCHEMES {
        for name in other
            .signature
            .iter()
            .chain(other.timestamp)
            .chain(other.id)
        {
            remove_header(event, name);
        }
    }
    for (name, value) in sign_headers(s.scheme, secret, &id, now_s, &body)? {
        set_header(event, name, &value);
    }
    Ok(())
}

/// The raw body bytes the event carries.
fn raw_body(event: &Value) -> Result<Vec<u8>, String> {
    let body = event.get("body").and_then(Value::as_str).unwrap_or("");
    if event.get("isBase64Encoded") == Some(&Value::Bool(true)) {
        STANDARD
            .decode(body)
            .map_err(|_| "event body is flagged base64 but is not".to_owned())
    } else {
        Ok(body.as_bytes().to_vec())
    }
}

/// A header's value from `headers` (or REST's `multiValueHeaders`), names case-insensitive.
fn header(event: &Value, names: &[&str]) -> Option<String> {
    let find = |map: &Value| {
        map.as_object()?.iter().find_map(|(k, v)| {
            if !names.iter().any(|n| k.eq_ignore_ascii_case(n)) {
                return None;
            }
            match v {
                Value::String(s) => Some(s.clone()),
                Value::Array(a) => a.first()?.as_str().map(str::to_owned),
                _ => None,
            }
        })
    };
    find(&event["headers"]).or_else(|| find(&event["multiValueHeaders"]))
}

fn remove_header(event: &mut Value, name: &str) {
    for key in ["headers", "multiValueHeaders"] {
        if let Some(map) = event.get_mut(key).and_then(Value::as_object_mut) {
            map.retain(|k, _| !k.eq_ignore_ascii_case(name));
        }
    }
}

fn set_header(event: &mut Value, name: &str, value: &str) {
    if let Some(map) = event.get_mut("headers").and_then(Value::as_object_mut) {
        map.insert(name.to_owned(), Value::String(value.to_owned()));
    }
    if let Some(map) = event
        .get_mut("multiValueHeaders")
        .and_then(Value::as_object_mut)
    {
        map.insert(
            name.to_owned(),
            Value::Array(vec![Value::String(value.to_owned())]),
        );
    }
}

fn replace_header(event: &mut Value, names: &[&str], placeholder: &str, value: &str) {
    for key in ["headers", "multiValueHeaders"] {
        let Some(map) = event.get_mut(key).and_then(Value::as_object_mut) else {
            continue;
        };
        for (k, v) in map.iter_mut() {
            if !names.iter().any(|n| k.eq_ignore_ascii_case(n)) {
                continue;
            }
            match v {
                Value::String(s) if s == placeholder => *s = value.to_owned(),
                Value::Array(items) => {
                    for item in items.iter_mut() {
                        if item.as_str() == Some(placeholder) {
                            *item = Value::String(value.to_owned());
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// A `curl` command that sends the (signed) event to `base_url`, for trying a local server.
pub fn curl_command(event: &Value, base_url: &str) -> Result<String, String> {
    let method = event
        .pointer("/requestContext/http/method")
        .or_else(|| event.get("httpMethod"))
        .and_then(Value::as_str)
        .unwrap_or("POST");
    let path = event
        .get("rawPath")
        .or_else(|| event.get("path"))
        .and_then(Value::as_str)
        .unwrap_or("/");
    let body = String::from_utf8(raw_body(event)?).map_err(|_| "body is not UTF-8 text")?;
    let mut cmd = format!(
        "curl -sS -X {method} {}",
        shell_quote(&format!("{}{path}", base_url.trim_end_matches('/')))
    );
    if let Some(headers) = event["headers"].as_object() {
        for (k, v) in headers {
            let skip = ["host", "content-length"]
                .iter()
                .any(|h| k.eq_ignore_ascii_case(h));
            if let (false, Some(v)) = (skip, v.as_str()) {
                cmd.push_str(&format!(" -H {}", shell_quote(&format!("{k}: {v}"))));
            }
        }
    }
    cmd.push_str(&format!(" --data-binary {}", shell_quote(&body)));
    Ok(cmd)
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    #[test]
    fn signs_placeholders_only() {
        let mut ev = json!({
            "headers": {"webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "<now>",
                        "webhook-signature": "<sign>"},
            "body": "{\"test\": 2432232314}", "isBase64Encoded": false
        });
        sign_event(&mut ev, SECRET, 1614265330).unwrap();
        assert_eq!(ev["headers"]["webhook-timestamp"], "1614265330");
        assert_eq!(
            ev["headers"]["webhook-signature"],
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );

        let mut fixed = json!({"headers": {"webhook-id": "a", "webhook-timestamp": "1",
                                           "webhook-signature": "v1,bogus"}, "body": "{}"});
        let before = fixed.clone();
        sign_event(&mut fixed, SECRET, 99).unwrap();
        assert_eq!(fixed, before);
    }

    #[test]
    fn signs_decoded_base64_bodies_and_rest_headers() {
        let mut ev = json!({
            "multiValueHeaders": {"Webhook-Id": ["msg_p5jXN8AQM9LWM0D4loKWxJek"],
                                  "Webhook-Timestamp": ["<now>"], "Webhook-Signature": ["<sign>"]},
            "body": STANDARD.encode("{\"test\": 2432232314}"), "isBase64Encoded": true
        });
        sign_event(&mut ev, SECRET, 1614265330).unwrap();
        assert_eq!(
            ev["multiValueHeaders"]["Webhook-Signature"][0],
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn every_scheme_signs_from_its_placeholder() {
        for (sig_header, extra) in [
            ("stripe-signature", json!({})),
            ("x-hub-signature-256", json!({"x-github-delivery": "d-1"})),
            (
                "x-slack-signature",
                json!({"x-slack-request-timestamp": "<now>"}),
            ),
            (
                "x-shopify-hmac-sha256",
                json!({"x-shopify-webhook-id": "s-1"}),
            ),
        ] {
            let mut headers = extra.as_object().unwrap().clone();
            headers.insert(sig_header.into(), json!("<sign>"));
            let mut ev = json!({"headers": headers, "body": "{}"});
            sign_event(&mut ev, "secret", 1614265330).unwrap();
            let text = ev.to_string();
            assert!(!text.contains('<'), "{sig_header}: {text}");
        }
    }

    #[test]
    fn sign_as_replaces_other_schemes_headers() {
        let mut ev = json!({"headers": {"webhook-id": "msg_1", "webhook-signature": "<sign>",
                                        "webhook-timestamp": "<now>", "content-type": "application/json"},
                            "body": "{}"});
        sign_event_as(&mut ev, "github", "It's a Secret", 1).unwrap();
        let h = ev["headers"].as_object().unwrap();
        assert_eq!(h["x-github-delivery"], "msg_1");
        assert!(h["x-hub-signature-256"]
            .as_str()
            .unwrap()
            .starts_with("sha256="));
        assert!(!h.contains_key("webhook-signature") && h.contains_key("content-type"));
        assert!(sign_event_as(&mut ev, "md5", "s", 1).is_err());
    }

    #[test]
    fn curl_quotes_everything() {
        let ev = json!({"rawPath": "/webhooks/clientA", "requestContext": {"http": {"method": "POST"}},
                        "headers": {"host": "x", "webhook-id": "it's"}, "body": "{\"a\":\"b'c\"}"});
        let cmd = curl_command(&ev, "http://127.0.0.1:9000/").unwrap();
        assert_eq!(
            cmd,
            r#"curl -sS -X POST 'http://127.0.0.1:9000/webhooks/clientA' -H 'webhook-id: it'\''s' --data-binary '{"a":"b'\''c"}'"#
        );
    }
}
