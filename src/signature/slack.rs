//! Slack (`X-Slack-Signature: v0=<hex>` of `v0:{timestamp}:{raw body}`, keyed with the signing
//! secret string; `X-Slack-Request-Timestamp`). Slack sends no delivery id, so it is the body's
//! SHA-256 (a retry carries the same body).

use std::time::Duration;

use http::HeaderMap;

use super::{
    body_delivery_id, check_tolerance, decode_hex_mac, hex_mac, matches_any, parse_unix_seconds,
    required_header, Proof, SignatureError, SigningKey,
};
use crate::clock::Timestamp;

pub const SCHEME: &str = "slack";
pub const SIGNATURE_HEADER: &str = "x-slack-signature";
pub const TIMESTAMP_HEADER: &str = "x-slack-request-timestamp";
/// The `type` of the signed request Slack sends to check a new endpoint.
pub(crate) const URL_VERIFICATION: &str = "url_verification";

#[derive(Debug, Clone)]
pub struct Slack {
    pub(super) keys: Vec<SigningKey>,
}

impl Slack {
    pub(super) fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: Timestamp,
        tolerance: Duration,
    ) -> Result<Proof, SignatureError> {
        let signature = required_header(headers, SIGNATURE_HEADER)?;
        let ts = required_header(headers, TIMESTAMP_HEADER)?;
        let timestamp = parse_unix_seconds(ts)?;
        let candidate = signature
            .strip_prefix("v0=")
            .and_then(decode_hex_mac)
            .ok_or(SignatureError::Invalid)?;
        if !matches_any(
            &self.keys,
            &[b"v0:", ts.as_bytes(), b":", body],
            &[candidate],
        ) {
            return Err(SignatureError::Invalid);
        }
        let signed_at = check_tolerance(timestamp, now, tolerance)?;
        Ok(Proof {
            delivery_id: body_delivery_id(body),
            signed_at: Some(signed_at),
        })
    }
}

/// `v0=<hex>`: what Slack sends in `X-Slack-Signature`.
pub(crate) fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let ts = timestamp.to_string();
    format!(
        "v0={}",
        hex_mac(secret.as_bytes(), &[b"v0:", ts.as_bytes(), b":", body])
    )
}

#[cfg(test)]
mod tests {
    use super::super::{at, test_headers, TOL};
    use super::*;

    // Slack's documentation and python-slack-sdk's tests.
    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const TS: i64 = 1531420618;
    const BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const SIG: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    fn verify(sig: &str, ts: &str, body: &[u8], now: i64) -> Result<Proof, SignatureError> {
        let h = test_headers(&[(SIGNATURE_HEADER, Some(sig)), (TIMESTAMP_HEADER, Some(ts))]);
        Slack {
            keys: vec![SigningKey::new(SECRET.as_bytes().to_vec())],
        }
        .verify(&h, body, at(now), TOL)
    }

    #[test]
    fn published_vector() {
        assert_eq!(sign(SECRET, TS, BODY.as_bytes()), SIG);
        let Proof {
            delivery_id: id,
            signed_at: ts,
        } = verify(SIG, &TS.to_string(), BODY.as_bytes(), TS).unwrap();
        assert_eq!(ts, Some(at(TS)));
        assert!(id.as_str().starts_with("sha256:"));
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
        assert_eq!(
            verify(SIG, &ts, BODY.as_bytes(), TS + 301),
            Err(SignatureError::TimestampOutOfTolerance)
        );
        assert_eq!(
            verify(SIG, &ts, BODY.as_bytes(), TS - 301),
            Err(SignatureError::TimestampOutOfTolerance)
        );
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
            Slack { keys: vec![] }.verify(&HeaderMap::new(), BODY.as_bytes(), at(TS), TOL),
            Err(SignatureError::Missing)
        );
    }
}
