//! Signs API Gateway sample events for local use and tests. Fixtures carry placeholders:
//! a timestamp header `<now>` becomes the signing time, a signature header `<sign>` becomes a
//! valid signature over the event's raw body. Anything else is left as written, so fixtures
//! for rejected signatures stay rejected.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;

use crate::signature::standard_webhooks;

pub const NOW_PLACEHOLDER: &str = "<now>";
pub const SIGN_PLACEHOLDER: &str = "<sign>";

const TIMESTAMP_HEADERS: [&str; 2] = ["webhook-timestamp", "svix-timestamp"];
const ID_HEADERS: [&str; 2] = ["webhook-id", "svix-id"];
const SIGNATURE_HEADERS: [&str; 2] = ["webhook-signature", "svix-signature"];

/// Replaces the placeholders in `event` (HTTP API 2.0, REST 1.0 or Function URL shape).
pub fn sign_event(event: &mut Value, secret: &str, now_s: i64) -> Result<(), String> {
    replace_header(
        event,
        &TIMESTAMP_HEADERS,
        NOW_PLACEHOLDER,
        &now_s.to_string(),
    );
    if header(event, &SIGNATURE_HEADERS).as_deref() != Some(SIGN_PLACEHOLDER) {
        return Ok(());
    }
    let body = raw_body(event)?;
    let id = header(event, &ID_HEADERS).ok_or("event has no webhook-id header to sign")?;
    let ts = header(event, &TIMESTAMP_HEADERS)
        .ok_or("event has no webhook-timestamp header to sign")?
        .parse::<i64>()
        .map_err(|_| "webhook-timestamp is not a number")?;
    let signature = standard_webhooks::sign(secret, &id, ts, &body)?;
    replace_header(event, &SIGNATURE_HEADERS, SIGN_PLACEHOLDER, &signature);
    Ok(())
}

/// The raw body bytes the event carries.
pub fn raw_body(event: &Value) -> Result<Vec<u8>, String> {
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
pub fn header(event: &Value, names: &[&str]) -> Option<String> {
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
