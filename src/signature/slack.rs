//! Slack (`X-Slack-Signature: v0=<hex>` of `v0:{timestamp}:{raw body}`, keyed with the signing
//! secret string; `X-Slack-Request-Timestamp`). Slack sends no delivery-id header; an Events API
//! callback signs its `event_id` inside the body. Slack checks a new endpoint with a signed
//! `url_verification` request, answered with its challenge.

use super::shape::{Grammar, TimestampedHmac, Unit};
use super::{BodyId, Handshake, HeaderRole, Inbox, Reply, Sender, TimeAt, TypeAt, VerifiedBody};
use crate::domain::Detail;
use crate::json::{self, Doc};

pub(super) const SENDER: Sender = Sender {
    name: "slack",
    headers: &[
        (HeaderRole::Signature, SIGNATURE_HEADER),
        (HeaderRole::Timestamp, TIMESTAMP_HEADER),
    ],
    keys: |input| SHAPE.keys(input),
    inbox: Inbox {
        reads: &["event_id", "type", "event.type", "event_time"],
        id: Some(BodyId {
            path: "event_id",
            valid: is_event_id,
        }),
        event_type: TypeAt::Rule(event_type),
        event_time: TimeAt::BodySeconds("event_time"),
    },
    handshake: Some(url_verification),
    user_events: true,
    ..Sender::BASE
};

const SIGNATURE_HEADER: &str = "x-slack-signature";
const TIMESTAMP_HEADER: &str = "x-slack-request-timestamp";
/// `X-Slack-Signature: v0=<hex>` over `v0:{ts}:{body}`, `ts` in its own header.
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

/// The `type` of the signed request Slack sends to check a new endpoint.
const URL_VERIFICATION: &str = "url_verification";

/// `^[A-Za-z0-9]{1,64}$`.
fn is_event_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// An Events API callback's type is its inner event's; any other request's is its own.
fn event_type<'a>(doc: &'a Doc, _reported: Option<&'a str>) -> Option<&'a str> {
    match doc.text("type") {
        Some("event_callback") => doc.text("event.type"),
        other => other,
    }
}

/// Slack's `url_verification`: anything that is not a JSON object with that `type` is left to
/// the format; with it, an unusable challenge is refused (it is a handshake, never an event).
fn url_verification(body: &VerifiedBody<'_>) -> Result<Option<Handshake>, Detail> {
    let Ok(doc) = json::read_object(body.bytes(), &["type", "challenge"]) else {
        return Ok(None);
    };
    if doc.text("type") != Some(URL_VERIFICATION) {
        return Ok(None);
    }
    match doc.text("challenge") {
        Some(c) if super::is_challenge(c) => Ok(Some(Handshake::Reply(Reply::Json(vec![(
            "challenge",
            c.to_owned(),
        )])))),
        _ => Err(Detail::new(
            "challenge",
            "must be a string matching ^[A-Za-z0-9_-]{1,128}$",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{check, signed_value, Delivery, Proof, SignatureError};
    use super::*;

    // Slack's documentation and python-slack-sdk's tests.
    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const TS: i64 = 1531420618;
    const BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const SIG: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    fn verify(sig: &str, ts: &str, body: &[u8], now: i64) -> Result<Proof, SignatureError> {
        check(
            &SENDER,
            SECRET,
            &[(SIGNATURE_HEADER, Some(sig)), (TIMESTAMP_HEADER, Some(ts))],
            body,
            now,
        )
    }

    #[test]
    fn published_vector() {
        let d = Delivery {
            id: "",
            timestamp: TS,
            body: BODY.as_bytes(),
            ..Delivery::default()
        };
        assert_eq!(
            signed_value(&SENDER, SECRET, HeaderRole::Signature, &d),
            SIG
        );
        let proof = verify(SIG, &TS.to_string(), BODY.as_bytes(), TS).unwrap();
        assert_eq!(
            proof.signed_at,
            Some(crate::clock::Timestamp::from_unix_seconds(TS))
        );
        assert_eq!((proof.signed_id, proof.unsigned_id), (None, None));
    }

    #[test]
    fn rejections() {
        let ts = TS.to_string();
        assert_eq!(
            verify(SIG, &ts, b"token=xyzz", TS),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            verify(SIG, "1531420619", BODY.as_bytes(), TS),
            Err(SignatureError::Invalid)
        );
        for now in [TS + 301, TS - 301] {
            assert_eq!(
                verify(SIG, &ts, BODY.as_bytes(), now),
                Err(SignatureError::TimestampOutOfTolerance)
            );
        }
        for bad in [
            "",
            "v0",
            "v0=",
            &SIG[3..],
            &SIG.replace("v0=", "v1="),
            &SIG[..60],
        ] {
            assert_eq!(
                verify(bad, &ts, BODY.as_bytes(), TS),
                Err(SignatureError::Invalid),
                "{bad:?}"
            );
        }
        assert_eq!(
            verify(SIG, "soon", BODY.as_bytes(), TS),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            check(&SENDER, SECRET, &[], BODY.as_bytes(), TS),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn event_ids_and_types() {
        assert!(is_event_id("Ev0PV52K21"));
        for bad in ["", "Ev0-PV", &"a".repeat(65)] {
            assert!(!is_event_id(bad), "{bad}");
        }
        let doc = |b: &[u8]| json::read_object(b, SENDER.inbox.reads).unwrap();
        assert_eq!(
            event_type(
                &doc(br#"{"type":"event_callback","event":{"type":"message"}}"#),
                None
            ),
            Some("message")
        );
        assert_eq!(
            event_type(&doc(br#"{"type":"app_rate_limited"}"#), None),
            Some("app_rate_limited")
        );
    }
}
