//! Twitch EventSub (`Twitch-Eventsub-Message-Signature: sha256=<hex>` of message id ‖ timestamp
//! ‖ raw body, keyed with the subscription's secret string). The id (`…-Message-Id`) and the
//! time (`…-Message-Timestamp`, RFC 3339) are signed; the message type is not, and says what the
//! request is: a `webhook_callback_verification` is answered with its `challenge` as text, a
//! `notification` is stored typed by its subscription, a `revocation` typed `revocation`.

use std::sync::Arc;

#[cfg(any(test, feature = "signing"))]
use super::Delivery;
use super::{
    check_tolerance_ms, decode_hex_mac, required_header, Handshake, HeaderRole, HmacKeys, Inbox,
    Keys, Proof, Reply, Request, Sender, SignatureError, TimeAt, TypeAt, VerifiedBody,
};
use crate::clock::Timestamp;
use crate::domain::{DeliveryId, Detail};
use crate::json::{self, Doc};

pub(super) const SENDER: Sender = Sender {
    name: "twitch",
    headers: &[
        (HeaderRole::Signature, SIGNATURE_HEADER),
        (HeaderRole::Timestamp, TIMESTAMP_HEADER),
        (HeaderRole::Id, ID_HEADER),
        (HeaderRole::EventType, TYPE_HEADER),
    ],
    keys: |input| Ok(Arc::new(Secrets(HmacKeys::from_strings(input.secrets)?))),
    inbox: Inbox {
        reads: &["subscription.type"],
        id: None,
        event_type: TypeAt::Rule(event_type),
        event_time: TimeAt::Signed,
    },
    handshake: Some(verification),
    ..Sender::BASE
};

const SIGNATURE_HEADER: &str = "twitch-eventsub-message-signature";
const TIMESTAMP_HEADER: &str = "twitch-eventsub-message-timestamp";
const ID_HEADER: &str = "twitch-eventsub-message-id";
const TYPE_HEADER: &str = "twitch-eventsub-message-type";
const PREFIX: &str = "sha256=";

/// The subscription's secret strings.
#[derive(Debug)]
struct Secrets(HmacKeys);

/// The signed bytes (verify and sign alike).
fn signed<'a>(id: &'a str, t: &'a str, body: &'a [u8]) -> [&'a [u8]; 3] {
    [id.as_bytes(), t.as_bytes(), body]
}

impl Keys for Secrets {
    fn verify(&self, r: &Request<'_, '_>) -> Result<Proof, SignatureError> {
        let signature = required_header(r.headers, SIGNATURE_HEADER)?;
        let t = required_header(r.headers, TIMESTAMP_HEADER)?;
        let raw_id = required_header(r.headers, ID_HEADER)?;
        let id = DeliveryId::parse(raw_id).ok_or(SignatureError::Invalid)?;
        let candidate = signature
            .strip_prefix(PREFIX)
            .and_then(decode_hex_mac)
            .ok_or(SignatureError::Invalid)?;
        let time = Timestamp::parse_rfc3339(t).ok_or(SignatureError::Invalid)?;
        if !self.0.any_matches(&signed(raw_id, t, r.body), &[candidate]) {
            return Err(SignatureError::Invalid);
        }
        Ok(Proof {
            signed_id: Some(id),
            signed_at: Some(check_tolerance_ms(time.unix_millis(), r.now, r.tolerance)?),
            ..Proof::default()
        })
    }

    #[cfg(any(test, feature = "signing"))]
    fn sign(&self, d: &Delivery<'_>) -> Vec<(HeaderRole, &'static str, String)> {
        let t = Timestamp::from_unix_seconds(d.timestamp).to_rfc3339();
        let mac = hex::encode(self.0.first_mac(&signed(d.id, &t, d.body)));
        vec![
            (HeaderRole::Id, ID_HEADER, d.id.to_owned()),
            (HeaderRole::Timestamp, TIMESTAMP_HEADER, t),
            (
                HeaderRole::Signature,
                SIGNATURE_HEADER,
                format!("{PREFIX}{mac}"),
            ),
        ]
    }

    fn material(&self) -> Vec<&[u8]> {
        self.0.material()
    }
}

/// A notification is typed by its subscription; a revocation is `revocation`.
fn event_type<'a>(doc: &'a Doc, reported: Option<&'a str>) -> Option<&'a str> {
    match reported {
        Some("notification") => doc.text("subscription.type"),
        Some("revocation") => Some("revocation"),
        _ => None,
    }
}

/// `webhook_callback_verification`: answered with the body's `challenge` as plain text.
fn verification(body: &VerifiedBody<'_>) -> Result<Option<Handshake>, Detail> {
    if body.reported_type() != Some("webhook_callback_verification") {
        return Ok(None);
    }
    json::read_object(body.bytes(), &["challenge"])
        .ok()
        .and_then(|doc| doc.text("challenge").map(str::to_owned))
        .filter(|c| super::is_challenge(c))
        .map(|c| Some(Handshake::Reply(Reply::Text(c))))
        .ok_or_else(|| {
            Detail::new(
                "challenge",
                "must be a string matching ^[A-Za-z0-9_-]{1,128}$",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::super::{check, signed_value};
    use super::*;

    const SECRET: &str = "twitch-subscription-secret";
    const ID: &str = "e76c6bd4-55c9-4987-8304-da1588d8988b";
    const BODY: &[u8] = br#"{"subscription":{"type":"channel.follow"},"event":{}}"#;

    #[test]
    fn the_id_and_rfc3339_time_are_signed() {
        let d = Delivery {
            id: ID,
            timestamp: 1_795_867_200,
            body: BODY,
            ..Delivery::default()
        };
        let sig = signed_value(&SENDER, SECRET, HeaderRole::Signature, &d);
        let ts = "2026-11-28T12:00:00Z";
        let verify = |id: &str, t: &str, now: i64| {
            check(
                &SENDER,
                SECRET,
                &[
                    (SIGNATURE_HEADER, Some(&sig)),
                    (TIMESTAMP_HEADER, Some(t)),
                    (ID_HEADER, Some(id)),
                ],
                BODY,
                now,
            )
        };
        let proof = verify(ID, ts, 1_795_867_200).unwrap();
        assert_eq!(proof.signed_id.unwrap().as_str(), ID);
        assert_eq!(
            proof.signed_at,
            Some(Timestamp::from_unix_seconds(1_795_867_200))
        );
        // The same instant written otherwise is other bytes: not what was signed.
        let other = verify(ID, "2026-11-28T12:00:00.000Z", 1_795_867_200);
        assert_eq!(other, Err(SignatureError::Invalid));
        let other_id = verify("f76c6bd4-55c9-4987-8304-da1588d8988b", ts, 1_795_867_200);
        assert_eq!(other_id, Err(SignatureError::Invalid));
        let late = verify(ID, ts, 1_795_867_501);
        assert_eq!(late, Err(SignatureError::TimestampOutOfTolerance));
        assert_eq!(verify(ID, "yesterday", 0), Err(SignatureError::Invalid));
    }

    #[test]
    fn types_follow_the_message_type() {
        let doc = json::read_object(BODY, SENDER.inbox.reads).unwrap();
        assert_eq!(
            event_type(&doc, Some("notification")),
            Some("channel.follow")
        );
        assert_eq!(event_type(&doc, Some("revocation")), Some("revocation"));
        assert_eq!(event_type(&doc, None), None);
    }
}
