//! Stripe (`Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…][,v0=…]`): HMAC-SHA256 of
//! `{t}.{raw body}` keyed with the endpoint secret's string bytes, hex. Stripe's own libraries
//! check only that `t` is not too old; this checks both directions. Stripe sends no delivery-id
//! header, so the delivery id is the body's SHA-256.

use std::time::Duration;

use http::HeaderMap;

use super::{
    body_delivery_id, check_tolerance, decode_hex_mac, hex_mac, matches_any, parse_unix_seconds,
    required_header, Proof, SignatureError, SigningKey,
};
use crate::clock::Timestamp;

pub const SCHEME: &str = "stripe";
pub const HEADER: &str = "stripe-signature";
/// Bounds the work a hostile header can cause.
const MAX_ITEMS: usize = 32;

#[derive(Debug, Clone)]
pub struct Stripe {
    pub(super) keys: Vec<SigningKey>,
}

impl Stripe {
    pub(super) fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: Timestamp,
        tolerance: Duration,
    ) -> Result<Proof, SignatureError> {
        let header = required_header(headers, HEADER)?;
        let (t, candidates) = parse_header(header)?;
        if !matches_any(&self.keys, &[t.as_bytes(), b".", body], &candidates) {
            return Err(SignatureError::Invalid);
        }
        let timestamp = parse_unix_seconds(t)?;
        let signed_at = check_tolerance(timestamp, now, tolerance)?;
        Ok(Proof {
            delivery_id: body_delivery_id(body),
            signed_at: Some(signed_at),
        })
    }
}

/// `t` (exactly once) and the decodable `v1` signatures (at least one). Other schemes (`v0`) are
/// ignored; an item without `=` makes the header malformed.
fn parse_header(header: &str) -> Result<(&str, Vec<Vec<u8>>), SignatureError> {
    let items: Vec<&str> = header.split(',').map(str::trim).collect();
    if items.len() > MAX_ITEMS {
        return Err(SignatureError::Invalid);
    }
    let mut t = None;
    let mut v1 = Vec::new();
    for item in items {
        let (key, value) = item.split_once('=').ok_or(SignatureError::Invalid)?;
        match key {
            "t" if t.is_some() => return Err(SignatureError::Invalid),
            "t" => t = Some(value),
            "v1" => v1.extend(decode_hex_mac(value)),
            _ => {}
        }
    }
    let t = t.ok_or(SignatureError::Invalid)?;
    parse_unix_seconds(t)?;
    if v1.is_empty() {
        return Err(SignatureError::Invalid);
    }
    Ok((t, v1))
}

/// `t=<timestamp>,v1=<hex>`: what Stripe sends.
pub(crate) fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let t = timestamp.to_string();
    format!(
        "t={t},v1={}",
        hex_mac(secret.as_bytes(), &[t.as_bytes(), b".", body])
    )
}

#[cfg(test)]
mod tests {
    use super::super::{at, test_headers, TOL};
    use super::*;

    // Computed per Stripe's documented scheme with an independent HMAC implementation.
    const SECRET: &str = "whsec_test_secret_for_stripe_vector";
    const T: i64 = 1614265330;
    const BODY: &[u8] = br#"{"id":"evt_test_webhook","object":"event"}"#;
    const V1: &str = "12e9ca49e19b786d062a0a52697a0a466877fcd767bd39bda72b8a75902e4017";

    fn verify(header: &str, body: &[u8], now: i64) -> Result<Proof, SignatureError> {
        let h = test_headers(&[(HEADER, Some(header))]);
        Stripe {
            keys: vec![SigningKey::new(SECRET.as_bytes().to_vec())],
        }
        .verify(&h, body, at(now), TOL)
    }

    #[test]
    fn documented_scheme_vector() {
        assert_eq!(sign(SECRET, T, BODY), format!("t={T},v1={V1}"));
        let Proof {
            delivery_id: id,
            signed_at: ts,
        } = verify(&format!("t={T},v1={V1}"), BODY, T).unwrap();
        assert_eq!(ts, Some(at(T)));
        assert!(id.as_str().starts_with("sha256:") && id.as_str().len() == 71);
    }

    #[test]
    fn several_v1_and_an_unknown_v0() {
        let bogus = "0".repeat(64);
        let header = format!("t={T}, v1={bogus}, v0={bogus},v1={V1}");
        assert!(verify(&header, BODY, T).is_ok());
        assert_eq!(
            verify(&format!("t={T},v0={V1}"), BODY, T),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn both_directions_of_tolerance() {
        let header = format!("t={T},v1={V1}");
        assert!(verify(&header, BODY, T + 300).is_ok());
        assert!(verify(&header, BODY, T - 300).is_ok());
        assert_eq!(
            verify(&header, BODY, T + 301),
            Err(SignatureError::TimestampOutOfTolerance)
        );
        assert_eq!(
            verify(&header, BODY, T - 301),
            Err(SignatureError::TimestampOutOfTolerance)
        );
    }

    #[test]
    fn malformed_headers() {
        for header in [
            String::new(),
            format!("t={T}"),
            format!("v1={V1}"),
            format!("t={T},v1"),
            format!("t={T},t={T},v1={V1}"),
            format!("t=abc,v1={V1}"),
            format!("t={T},v1=zz{}", &V1[2..]),
            format!("t={T},v1={}", &V1[..62]),
            format!("t={T},v1={V1}{}", ",v0=x".repeat(40)),
        ] {
            assert_eq!(
                verify(&header, BODY, T),
                Err(SignatureError::Invalid),
                "{header:?}"
            );
        }
        assert_eq!(
            Stripe { keys: vec![] }.verify(&HeaderMap::new(), BODY, at(T), TOL),
            Err(SignatureError::Missing)
        );
    }
}
