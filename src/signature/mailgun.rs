//! Mailgun: the signature is inside the body, `{"signature": {"timestamp", "token",
//! "signature"}, "event-data": {…}}`, `signature` the hex HMAC-SHA256 (the account's webhook
//! signing key) of `{timestamp}{token}` as sent. Mailgun signs its time and a random token, not
//! the event: TLS alone protects `event-data`. The token is the delivery's signed id, so each is
//! accepted once; a retry that carries a new token is stored again.

use std::sync::Arc;

use super::{
    check_tolerance, decode_hex_mac, parse_unix_seconds, HmacKeys, Inbox, Keys, Proof, Request,
    Sender, SignatureError, TimeAt, TypeAt,
};
#[cfg(any(test, feature = "signing"))]
use super::{Delivery, HeaderRole};
use crate::domain::DeliveryId;
use crate::json;
#[cfg(any(test, feature = "signing"))]
use serde_json::{Map, Value};

pub(super) const SENDER: Sender = Sender {
    name: "mailgun",
    keys: |input| {
        Ok(Arc::new(SigningKeys(HmacKeys::from_strings(
            input.secrets,
        )?)))
    },
    inbox: Inbox {
        reads: &["event-data.event", "event-data.timestamp"],
        event_type: TypeAt::Body("event-data.event"),
        event_time: TimeAt::BodySeconds("event-data.timestamp"),
        ..Inbox::RECEIPT
    },
    signature_in_body: Some(OBJECT),
    signs_body: false,
    ..Sender::BASE
};

const OBJECT: &str = "signature";
const TIMESTAMP: &str = "signature.timestamp";
const TOKEN: &str = "signature.token";
const SIGNATURE: &str = "signature.signature";

/// The account's webhook signing keys.
#[derive(Debug)]
struct SigningKeys(HmacKeys);

/// The signed bytes (verify and sign alike).
fn signed<'a>(timestamp: &'a str, token: &'a str) -> [&'a [u8]; 2] {
    [timestamp.as_bytes(), token.as_bytes()]
}

impl Keys for SigningKeys {
    fn verify(&self, r: &Request<'_, '_>) -> Result<Proof, SignatureError> {
        // Not JSON, or no signature in it: nothing was signed.
        let doc = json::read_object(r.body, &[TIMESTAMP, TOKEN, SIGNATURE])
            .map_err(|_| SignatureError::Missing)?;
        if [TIMESTAMP, TOKEN, SIGNATURE]
            .iter()
            .all(|p| doc.get(p).is_none() && doc.problem(p).is_none())
        {
            return Err(SignatureError::Missing);
        }
        let field = |path| doc.text(path).ok_or(SignatureError::Invalid);
        let (timestamp, token) = (field(TIMESTAMP)?, field(TOKEN)?);
        let candidate = decode_hex_mac(field(SIGNATURE)?).ok_or(SignatureError::Invalid)?;
        let time = parse_unix_seconds(timestamp)?;
        let id = DeliveryId::parse(token).ok_or(SignatureError::Invalid)?;
        if !self.0.any_matches(&signed(timestamp, token), &[candidate]) {
            return Err(SignatureError::Invalid);
        }
        Ok(Proof {
            signed_id: Some(id),
            signed_at: Some(check_tolerance(time, r.now, r.tolerance)?),
            ..Proof::default()
        })
    }

    #[cfg(any(test, feature = "signing"))]
    fn sign(&self, _: &Delivery<'_>) -> Vec<(HeaderRole, &'static str, String)> {
        Vec::new()
    }

    #[cfg(any(test, feature = "signing"))]
    /// The body with its `signature` object written: the token the body has, else the
    /// delivery's id.
    fn sign_body(&self, d: &Delivery<'_>) -> Option<Vec<u8>> {
        let Ok(Value::Object(mut body)) = serde_json::from_slice::<Value>(d.body) else {
            return None;
        };
        let token = body
            .get(OBJECT)
            .and_then(|s| s.get("token"))
            .and_then(Value::as_str)
            .filter(|t| DeliveryId::parse(t).is_some())
            .map_or_else(|| token_for(d), str::to_owned);
        let timestamp = d.timestamp.to_string();
        let mac = hex::encode(self.0.first_mac(&signed(&timestamp, &token)));
        let signature = Map::from_iter([
            ("timestamp".to_owned(), Value::from(timestamp)),
            ("token".to_owned(), Value::from(token)),
            ("signature".to_owned(), Value::from(mac)),
        ]);
        body.insert(OBJECT.to_owned(), Value::Object(signature));
        serde_json::to_vec(&Value::Object(body)).ok()
    }

    fn material(&self) -> Vec<&[u8]> {
        self.0.material()
    }
}

#[cfg(any(test, feature = "signing"))]
/// A token for a body that has none: the delivery's id, else one from the body's hash (50 hex
/// digits, as Mailgun's are).
fn token_for(d: &Delivery<'_>) -> String {
    if DeliveryId::parse(d.id).is_some() {
        return d.id.to_owned();
    }
    let mut hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(d.body));
    hash.truncate(50);
    hash
}

#[cfg(test)]
mod tests {
    use super::super::check;
    use super::*;
    use crate::clock::Timestamp;

    const KEY: &str = "mailgun-signing-key-for-tests";
    const TOKEN_VALUE: &str = "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0";

    fn body(timestamp: &str, token: &str, signature: &str) -> Vec<u8> {
        format!(
            r#"{{"signature":{{"timestamp":"{timestamp}","token":"{token}","signature":"{signature}"}},"event-data":{{"event":"delivered","timestamp":1529006854.329574}}}}"#
        )
        .into_bytes()
    }

    fn mac(timestamp: &str, token: &str) -> String {
        let keys = HmacKeys::from_strings(&[KEY]).unwrap();
        hex::encode(keys.first_mac(&signed(timestamp, token)))
    }

    fn verify(body: &[u8], now: i64) -> Result<Proof, SignatureError> {
        check(
            &SENDER,
            &format!("{KEY} another-mailgun-key-0001"),
            &[],
            body,
            now,
        )
    }

    #[test]
    fn the_timestamp_and_token_are_signed_and_the_token_keys_the_delivery() {
        let ts = "1529006854";
        let proof = verify(&body(ts, TOKEN_VALUE, &mac(ts, TOKEN_VALUE)), 1529006854).unwrap();
        assert_eq!(proof.signed_id.unwrap().as_str(), TOKEN_VALUE);
        assert_eq!(
            proof.signed_at,
            Some(Timestamp::from_unix_seconds(1529006854))
        );
        // Another token, time or key: not what was signed.
        let other = body(
            ts,
            "b8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0",
            &mac(ts, TOKEN_VALUE),
        );
        assert_eq!(verify(&other, 1529006854), Err(SignatureError::Invalid));
        let late = body(ts, TOKEN_VALUE, &mac(ts, TOKEN_VALUE));
        assert_eq!(
            verify(&late, 1529007155),
            Err(SignatureError::TimestampOutOfTolerance)
        );
    }

    #[test]
    fn a_body_without_a_signature_is_missing_one_and_a_malformed_one_invalid() {
        for missing in [&b"not json"[..], b"[]", b"{}", br#"{"event-data":{}}"#] {
            assert_eq!(
                verify(missing, 0),
                Err(SignatureError::Missing),
                "{missing:?}"
            );
        }
        let ts = "1529006854";
        let good = mac(ts, TOKEN_VALUE);
        for bad in [
            body("+1529006854", TOKEN_VALUE, &good),
            body(ts, "not a token", &good),
            body(ts, TOKEN_VALUE, &good[1..]),
            format!(r#"{{"signature":{{"timestamp":1529006854,"token":"{TOKEN_VALUE}","signature":"{good}"}}}}"#).into_bytes(),
            format!(r#"{{"signature":{{"timestamp":"{ts}","token":"{TOKEN_VALUE}","token":"x","signature":"{good}"}}}}"#).into_bytes(),
        ] {
            assert_eq!(verify(&bad, 1529006854), Err(SignatureError::Invalid));
        }
    }

    #[test]
    fn signing_writes_the_signature_object_that_verifies() {
        let keys = SigningKeys(HmacKeys::from_strings(&[KEY]).unwrap());
        let d = Delivery {
            id: "msg_1",
            timestamp: 1529006854,
            body: br#"{"event-data":{"event":"opened"}}"#,
            ..Delivery::default()
        };
        let signed_body = keys.sign_body(&d).unwrap();
        let proof = verify(&signed_body, 1529006854).unwrap();
        assert_eq!(proof.signed_id.unwrap().as_str(), "msg_1");
        // A token already in the body is kept.
        let again = keys
            .sign_body(&Delivery {
                body: &body("0", TOKEN_VALUE, "<sign>"),
                ..d
            })
            .unwrap();
        let proof = verify(&again, 1529006854).unwrap();
        assert_eq!(proof.signed_id.unwrap().as_str(), TOKEN_VALUE);
    }
}
