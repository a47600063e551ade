//! Discord Webhook Events (not Interactions): `X-Signature-Ed25519: <hex>` is the Ed25519
//! signature, by the application's key, of the `X-Signature-Timestamp` header's bytes followed by
//! the raw body; the tenant lists the application's public key (64 hex characters). The
//! timestamp is Unix seconds within the tolerance. Discord sends invalid signatures on purpose
//! and expects 401. A PING (`type` 0) is answered 204 and writes nothing; an event (`type` 1) is
//! stored, keyed by the body's hash (nothing in it is an id Discord signs apart from the body),
//! and answered 204 too (Discord wants no body).

use super::shape::{Encoding, SignedByKey};
use super::{Acknowledge, Handshake, HeaderRole, Inbox, Sender, TimeAt, TypeAt, VerifiedBody};
use crate::clock::Timestamp;
use crate::domain::Detail;
use crate::json::{self, Doc};

pub(super) const SENDER: Sender = Sender {
    name: "discord",
    headers: &[
        (HeaderRole::Signature, SIGNATURE_HEADER),
        (HeaderRole::Timestamp, TIMESTAMP_HEADER),
    ],
    keys: |input| SHAPE.keys(input),
    inbox: Inbox {
        reads: &["event.type", "event.timestamp"],
        id: None,
        event_type: TypeAt::Body("event.type"),
        event_time: TimeAt::Rule(event_time),
    },
    handshake: Some(ping),
    acknowledge: Acknowledge::NoContent,
    #[cfg(any(test, feature = "signing"))]
    demo_secret: |label| SHAPE.demo_public(label),
    #[cfg(any(test, feature = "signing"))]
    signing_keys: Some(|input| SHAPE.signing_keys(input)),
    #[cfg(any(test, feature = "signing"))]
    demo_signing_secret: Some(|label| SHAPE.demo_private(label)),
    ..Sender::BASE
};

const SIGNATURE_HEADER: &str = "x-signature-ed25519";
const TIMESTAMP_HEADER: &str = "x-signature-timestamp";
/// The body's `type` of Discord's endpoint check.
const PING: i64 = 0;

/// `X-Signature-Ed25519: <hex>` over `{X-Signature-Timestamp}{body}`.
static SHAPE: SignedByKey = SignedByKey {
    signature: SIGNATURE_HEADER,
    timestamp: TIMESTAMP_HEADER,
    between: "",
    encoding: Encoding::Hex,
    key_name: "the application's public key",
};

/// Discord's PING (`{"type": 0, …}`), sent to check the endpoint: answered, never stored.
fn ping(body: &VerifiedBody<'_>) -> Result<Option<Handshake>, Detail> {
    let Ok(doc) = json::read_object(body.bytes(), &["type"]) else {
        return Ok(None);
    };
    Ok((doc.int("type") == Some(PING)).then_some(Handshake::Acknowledge))
}

/// `event.timestamp`: ISO 8601, with an offset or (as Discord writes it) without one, in UTC.
fn event_time(doc: &Doc) -> Option<Timestamp> {
    let raw = doc.text("event.timestamp")?;
    Timestamp::parse_rfc3339(raw).or_else(|| Timestamp::parse_rfc3339(&format!("{raw}Z")))
}

#[cfg(test)]
mod tests {
    use super::super::{
        check, demo_seed, signed_value, Delivery, PrivateKey, Proof, SignatureError, Signer,
        Verifier,
    };
    use super::*;

    const T: i64 = 1_795_867_200;
    const BODY: &[u8] = br#"{"version":1,"application_id":"1234567890","type":1,"event":{"type":"APPLICATION_AUTHORIZED","timestamp":"2026-11-28T11:59:00.123456","data":{}}}"#;

    fn keys() -> (String, String) {
        let seed = demo_seed("discord-test");
        let public = PrivateKey::from_seed(&seed).public();
        (hex::encode(public), hex::encode([seed, public].concat()))
    }

    fn headers(ts: &str, body: &[u8], private: &str) -> Vec<(HeaderRole, &'static str, String)> {
        Signer::new(&SENDER, private).unwrap().sign(&Delivery {
            timestamp: ts.parse().unwrap(),
            body,
            ..Delivery::default()
        })
    }

    fn verify(
        public: &str,
        sig: &str,
        ts: &str,
        body: &[u8],
        now: i64,
    ) -> Result<Proof, SignatureError> {
        check(
            &SENDER,
            public,
            &[(SIGNATURE_HEADER, Some(sig)), (TIMESTAMP_HEADER, Some(ts))],
            body,
            now,
        )
    }

    #[test]
    fn signs_and_verifies_over_timestamp_and_body() {
        let (public, private) = keys();
        let ts = T.to_string();
        let d = Delivery {
            timestamp: T,
            body: BODY,
            ..Delivery::default()
        };
        let sig = signed_value(&SENDER, &private, HeaderRole::Signature, &d);
        assert_eq!(sig.len(), 128);
        assert_eq!(headers(&ts, BODY, &private).len(), 2);
        assert!(verify(&public, &sig, &ts, BODY, T).is_ok());
        assert_eq!(
            verify(&public, &sig, &ts, b"{}", T),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            verify(&public, &sig, &(T + 1).to_string(), BODY, T),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            verify(&public, &sig, &ts, BODY, T + 301),
            Err(SignatureError::TimestampOutOfTolerance)
        );
        for bad in ["", "zz", &sig[..126], &"0".repeat(128)] {
            assert_eq!(
                verify(&public, bad, &ts, BODY, T),
                Err(SignatureError::Invalid),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn key_kinds_are_checked() {
        let (public, private) = keys();
        assert!(Verifier::new(&SENDER, &public).is_ok());
        // A NaCl secret key (seed then public key) is a private key, named and never shown.
        let err = Verifier::new(&SENDER, &private).unwrap_err();
        assert!(err.starts_with("secret #1: is a private key"), "{err}");
        assert!(!err.contains(&private[..64]), "{err}");
        // What signs is that secret key, never the public key (which would sign wrongly).
        assert!(Signer::new(&SENDER, &private).is_ok());
        assert!(Signer::new(&SENDER, &public).is_err());
        let mismatched = format!("{}{}", &private[..64], "00".repeat(32));
        assert!(Signer::new(&SENDER, &mismatched).is_err());
        assert!(Verifier::new(&SENDER, "not-hex").is_err());
        assert!(Verifier::new(&SENDER, &public[..62]).is_err());
    }

    #[test]
    fn event_times_without_an_offset_are_utc() {
        let doc = json::read_object(BODY, SENDER.inbox.reads).unwrap();
        assert_eq!(
            event_time(&doc),
            Some(Timestamp::from_unix_millis(1_795_867_140_123))
        );
    }
}
