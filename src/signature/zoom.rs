//! Zoom (`x-zm-signature: v0=<hex>` of `v0:{x-zm-request-timestamp}:{raw body}`, keyed with the
//! app's secret token string). Zoom signs no id: inbox items are keyed by the body's hash. It
//! checks a new endpoint with a signed `endpoint.url_validation` event, answered with the
//! `plainToken` and its HMAC under the secret token (proof that the receiver holds it).

use super::shape::{Grammar, TimestampedHmac, Unit};
use super::{Handshake, HeaderRole, Inbox, Reply, Sender, TimeAt, TypeAt, VerifiedBody};
use crate::domain::Detail;
use crate::json;

pub(super) const SENDER: Sender = Sender {
    name: "zoom",
    headers: &[
        (HeaderRole::Signature, SIGNATURE_HEADER),
        (HeaderRole::Timestamp, TIMESTAMP_HEADER),
    ],
    keys: |input| SHAPE.keys(input),
    inbox: Inbox {
        reads: &["event", "event_ts"],
        event_type: TypeAt::Body("event"),
        event_time: TimeAt::BodyMillis("event_ts"),
        ..Inbox::RECEIPT
    },
    handshake: Some(url_validation),
    ..Sender::BASE
};

const SIGNATURE_HEADER: &str = "x-zm-signature";
const TIMESTAMP_HEADER: &str = "x-zm-request-timestamp";
static SHAPE: TimestampedHmac = TimestampedHmac {
    grammar: Grammar::Headers {
        signature: SIGNATURE_HEADER,
        prefix: "v0=",
        timestamp: TIMESTAMP_HEADER,
    },
    before: "v0:",
    between: ":",
    unit: Unit::Seconds,
};

const URL_VALIDATION: &str = "endpoint.url_validation";
const PLAIN_TOKEN: &str = "payload.plainToken";

/// `endpoint.url_validation`: answered `{"plainToken", "encryptedToken"}`; an unusable token is
/// refused (it is echoed, so only `^[A-Za-z0-9_-]{1,128}$` is).
fn url_validation(body: &VerifiedBody<'_>) -> Result<Option<Handshake>, Detail> {
    let Ok(doc) = json::read_object(body.bytes(), &["event", PLAIN_TOKEN]) else {
        return Ok(None);
    };
    if doc.text("event") != Some(URL_VALIDATION) {
        return Ok(None);
    }
    let token = doc
        .text(PLAIN_TOKEN)
        .filter(|t| super::is_challenge(t))
        .ok_or_else(|| {
            Detail::new(
                PLAIN_TOKEN,
                "must be a string matching ^[A-Za-z0-9_-]{1,128}$",
            )
        })?;
    let mac = body.handshake_mac(token.as_bytes()).unwrap_or_default();
    Ok(Some(Handshake::Reply(Reply::Json(vec![
        ("plainToken", token.to_owned()),
        ("encryptedToken", hex::encode(mac)),
    ]))))
}

#[cfg(test)]
mod tests {
    use super::super::{check, Verifier};
    use super::*;
    use crate::clock::Timestamp;
    use std::time::Duration;

    const SECRET: &str = "zoom-secret-token-for-tests";

    #[test]
    fn url_validation_answers_the_token_and_its_mac() {
        use hmac::{KeyInit, Mac};
        let body = br#"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}"#;
        let mac = |secret: &str, ts: &str| {
            let mut m = super::super::HmacSha256::new_from_slice(secret.as_bytes()).unwrap();
            m.update(format!("v0:{ts}:").as_bytes());
            m.update(body);
            format!("v0={}", hex::encode(m.finalize().into_bytes()))
        };
        let headers: http::HeaderMap = [
            (SIGNATURE_HEADER, mac(SECRET, "1654503849")),
            (TIMESTAMP_HEADER, "1654503849".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (http::HeaderName::from_static(k), v.parse().unwrap()))
        .collect();
        let other = "zoom-rotated-secret-token-2";
        let verifier = Verifier::new(&SENDER, &format!("{SECRET} {other}")).unwrap();
        let verified = verifier
            .verify(
                &headers,
                body,
                Timestamp::from_unix_seconds(1654503849),
                Duration::from_secs(300),
            )
            .unwrap();
        let mut expected = super::super::HmacSha256::new_from_slice(SECRET.as_bytes()).unwrap();
        expected.update(b"qgg8vlvZRS6UYooatFL8Aw");
        assert_eq!(
            verified.handshake(),
            Ok(Some(Handshake::Reply(Reply::Json(vec![
                ("plainToken", "qgg8vlvZRS6UYooatFL8Aw".into()),
                (
                    "encryptedToken",
                    hex::encode(expected.finalize().into_bytes())
                ),
            ]))))
        );
        let ts = "1654503849";
        assert!(check(
            &SENDER,
            SECRET,
            &[
                (SIGNATURE_HEADER, Some(&mac(other, ts))),
                (TIMESTAMP_HEADER, Some(ts))
            ],
            body,
            1654503849
        )
        .is_err());
    }
}
