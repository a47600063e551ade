//! Linear (`Linear-Signature: <hex>`): HMAC-SHA256 of the raw body keyed with the webhook's
//! signing secret, hex. The signed time is the body's own `webhookTimestamp` (integer Unix
//! milliseconds), read only after the signature matched, as Linear's SDK does; absent, it is
//! `signature_missing`. The `Linear-Delivery` id is not signed: kept beside the item, never its
//! key (the body's hash is).

use std::sync::Arc;

#[cfg(any(test, feature = "signing"))]
use super::Delivery;
use super::{
    check_tolerance_ms, decode_hex_mac, id_header, required_header, HeaderRole, HmacKeys, Inbox,
    Keys, Proof, Request, Sender, SignatureError, TimeAt, TypeAt,
};
use crate::json;

pub(super) const SENDER: Sender = Sender {
    name: "linear",
    headers: &[
        (HeaderRole::Signature, SIGNATURE_HEADER),
        (HeaderRole::Id, DELIVERY_HEADER),
    ],
    keys: |input| Ok(Arc::new(Linear(HmacKeys::from_strings(input.secrets)?))),
    inbox: Inbox {
        reads: &["type"],
        id: None,
        event_type: TypeAt::Body("type"),
        event_time: TimeAt::Signed,
    },
    body_time: Some(TIMESTAMP_FIELD),
    ..Sender::BASE
};

const SIGNATURE_HEADER: &str = "linear-signature";
const DELIVERY_HEADER: &str = "linear-delivery";
/// The body field that holds the signed time.
const TIMESTAMP_FIELD: &str = "webhookTimestamp";

#[derive(Debug)]
struct Linear(HmacKeys);

impl Keys for Linear {
    fn verify(&self, r: &Request<'_, '_>) -> Result<Proof, SignatureError> {
        let signature = required_header(r.headers, SIGNATURE_HEADER)?;
        let candidate = decode_hex_mac(signature).ok_or(SignatureError::Invalid)?;
        if !self.0.any_matches(&[r.body], &[candidate]) {
            return Err(SignatureError::Invalid);
        }
        // Only now, with the body known to be Linear's: its own time.
        let t_ms = json::read_object(r.body, &[TIMESTAMP_FIELD])
            .ok()
            .and_then(|doc| doc.int(TIMESTAMP_FIELD))
            .ok_or(SignatureError::Missing)?;
        let signed_at = check_tolerance_ms(t_ms, r.now, r.tolerance)?;
        let unsigned_id = id_header(r.headers, DELIVERY_HEADER)?;
        Ok(Proof {
            unsigned_id,
            signed_at: Some(signed_at),
            ..Proof::default()
        })
    }

    #[cfg(any(test, feature = "signing"))]
    fn sign(&self, d: &Delivery<'_>) -> Vec<(HeaderRole, &'static str, String)> {
        // The time is the body's; the signing command writes it there (`webhookTimestamp`).
        vec![
            (HeaderRole::Id, DELIVERY_HEADER, d.id.to_owned()),
            (
                HeaderRole::Signature,
                SIGNATURE_HEADER,
                hex::encode(self.0.first_mac(&[d.body])),
            ),
        ]
    }

    fn material(&self) -> Vec<&[u8]> {
        self.0.material()
    }
}

#[cfg(test)]
mod tests {
    use super::super::check;
    use super::*;

    const SECRET: &str = "lin_wh_local_test_signing_secret_value";
    const T_MS: i64 = 1_795_867_200_456;

    fn body(t_ms: Option<i64>) -> String {
        let mut b = serde_json::json!({"action": "create", "type": "Issue",
                                       "data": {"id": "2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9"}});
        if let Some(t) = t_ms {
            b["webhookTimestamp"] = serde_json::json!(t);
        }
        b.to_string()
    }

    fn sig(secret: &str, body: &str) -> String {
        let keys = Linear(HmacKeys::from_strings(&[secret]).unwrap());
        hex::encode(keys.0.first_mac(&[body.as_bytes()]))
    }

    fn verify(sig: &str, body: &str, now_s: i64) -> Result<Proof, SignatureError> {
        check(
            &SENDER,
            SECRET,
            &[
                (SIGNATURE_HEADER, Some(sig)),
                (
                    DELIVERY_HEADER,
                    Some("234d1a4e-b617-4388-90fe-adc3633d6b72"),
                ),
            ],
            body.as_bytes(),
            now_s,
        )
    }

    #[test]
    fn the_body_time_is_signed_and_checked_after_the_signature() {
        let b = body(Some(T_MS));
        let proof = verify(&sig(SECRET, &b), &b, T_MS / 1000).unwrap();
        assert_eq!(
            proof.signed_at,
            Some(crate::clock::Timestamp::from_unix_millis(T_MS))
        );
        assert_eq!(proof.signed_id, None);
        assert_eq!(
            proof.unsigned_id.unwrap().as_str(),
            "234d1a4e-b617-4388-90fe-adc3633d6b72"
        );
        assert_eq!(
            verify(&sig(SECRET, &b), &b, T_MS / 1000 + 301),
            Err(SignatureError::TimestampOutOfTolerance)
        );
        // No time in the body: the signature is right, but nothing dates the delivery.
        let untimed = body(None);
        assert_eq!(
            verify(&sig(SECRET, &untimed), &untimed, T_MS / 1000),
            Err(SignatureError::Missing)
        );
        // A bad signature is invalid before the time is looked at.
        assert_eq!(
            verify(&sig("another-linear-secret", &untimed), &untimed, 0),
            Err(SignatureError::Invalid)
        );
        let text_time = b.replace(&T_MS.to_string(), &format!("\"{T_MS}\""));
        assert_eq!(
            verify(&sig(SECRET, &text_time), &text_time, T_MS / 1000),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn rejections() {
        let b = body(Some(T_MS));
        for bad in [
            "",
            "zz",
            &sig(SECRET, &b)[..60],
            &format!("sha256={}", sig(SECRET, &b)),
        ] {
            assert_eq!(
                verify(bad, &b, T_MS / 1000),
                Err(SignatureError::Invalid),
                "{bad:?}"
            );
        }
        assert_eq!(
            check(&SENDER, SECRET, &[], b.as_bytes(), T_MS / 1000),
            Err(SignatureError::Missing)
        );
    }
}
