//! GitHub (`X-Hub-Signature-256: sha256=<hex>` of the raw body, keyed with the secret string;
//! delivery id `X-GitHub-Delivery`). Nothing time-related is signed, so replay protection rests on
//! the delivery record and event ordering; the delivery id header is not covered by the
//! signature either, so a replay under a new id is refused by ordering (`stale`), not as a
//! duplicate.

use http::HeaderMap;

use super::{
    decode_hex_mac, hex_mac, matches_any, required_header, DeliveryId, Proof, SignatureError,
    SigningKey,
};

pub const SCHEME: &str = "github";
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";
pub const ID_HEADER: &str = "x-github-delivery";
/// The event's type (`push`, `ping`, …); not signed.
pub(crate) const EVENT_HEADER: &str = "x-github-event";
/// The event GitHub sends when a webhook is created, to check the endpoint.
pub(crate) const PING_EVENT: &str = "ping";

#[derive(Debug, Clone)]
pub struct GitHub {
    pub(super) keys: Vec<SigningKey>,
}

impl GitHub {
    pub(super) fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Proof, SignatureError> {
        let signature = required_header(headers, SIGNATURE_HEADER)?;
        let id = required_header(headers, ID_HEADER)?;
        let candidate = signature
            .strip_prefix("sha256=")
            .and_then(decode_hex_mac)
            .ok_or(SignatureError::Invalid)?;
        if !matches_any(&self.keys, &[body], &[candidate]) {
            return Err(SignatureError::Invalid);
        }
        let delivery_id = DeliveryId::parse(id).ok_or(SignatureError::Invalid)?;
        Ok(Proof {
            delivery_id,
            signed_at: None,
        })
    }
}

/// `sha256=<hex>`: what GitHub sends.
pub(crate) fn sign(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hex_mac(secret.as_bytes(), &[body]))
}

#[cfg(test)]
mod tests {
    use super::super::test_headers;
    use super::*;

    // GitHub's documentation: validating webhook deliveries.
    const SECRET: &str = "It's a Secret to Everybody";
    const BODY: &[u8] = b"Hello, World!";
    const SIG: &str = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    const ID: &str = "72d3162e-cc78-11e3-81ab-4c9367dc0958";

    fn verify(sig: Option<&str>, id: Option<&str>, body: &[u8]) -> Result<Proof, SignatureError> {
        let h = test_headers(&[(SIGNATURE_HEADER, sig), (ID_HEADER, id)]);
        GitHub {
            keys: vec![SigningKey::new(SECRET.as_bytes().to_vec())],
        }
        .verify(&h, body)
    }

    #[test]
    fn published_vector() {
        assert_eq!(sign(SECRET, BODY), SIG);
        let Proof {
            delivery_id: id,
            signed_at: ts,
        } = verify(Some(SIG), Some(ID), BODY).unwrap();
        assert_eq!((id.as_str(), ts), (ID, None));
    }

    #[test]
    fn rejections() {
        assert_eq!(
            verify(Some(SIG), Some(ID), b"Hello, World?"),
            Err(SignatureError::Invalid)
        );
        assert_eq!(verify(None, Some(ID), BODY), Err(SignatureError::Missing));
        assert_eq!(verify(Some(SIG), None, BODY), Err(SignatureError::Missing));
        for bad in [
            "",
            "sha256",
            "sha256=",
            &SIG[7..],
            &SIG.replace("sha256=", "sha1="),
            &SIG[..70],
            &format!("{SIG}00"),
        ] {
            assert_eq!(
                verify(Some(bad), Some(ID), BODY),
                Err(SignatureError::Invalid),
                "{bad:?}"
            );
        }
        assert_eq!(
            verify(Some(SIG), Some("not.a.valid.id"), BODY),
            Err(SignatureError::Invalid)
        );
    }
}
