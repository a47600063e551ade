//! Webhook authentication. A scheme verifies the raw body bytes against the request headers and
//! yields a [`VerifiedBody`]; nothing downstream accepts a body any other way, so an unverified
//! request cannot reach the payload parser or the store by construction.
//!
//! Adding a scheme is one new file here plus its variant in [`Verifier`] and that variant's arm
//! in each of `Verifier`'s matches and in [`sign_headers`] (and its headers in the signing
//! command's table).

pub mod github;
pub mod shopify;
pub mod slack;
pub mod standard_webhooks;
pub mod stripe;

use std::fmt;
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use http::HeaderMap;
use sha2::{Digest, Sha256};

use crate::clock::Timestamp;

/// Why a request failed authentication. Deliberately coarse: the sender learns which header to fix,
/// never which secret or entry came close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("a required signature header is absent")]
    Missing,
    #[error("the signature headers are malformed or no signature matches")]
    Invalid,
    #[error("the signed timestamp is outside the tolerance")]
    TimestampOutOfTolerance,
}

/// A sender's delivery id: `^[A-Za-z0-9_:-]{1,128}$`. No dots, so `{id}.{timestamp}.{body}`
/// splits one way only.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeliveryId(String);

impl DeliveryId {
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = (1..=128).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'-'));
        ok.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeliveryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Key material for HMAC, with the HMAC state its key sets up (two SHA-256 blocks) computed once
/// at cold start rather than per request. `Debug` never shows it.
#[derive(Clone)]
pub(crate) struct SigningKey {
    bytes: Vec<u8>,
    keyed: HmacSha256,
}

impl SigningKey {
    pub(crate) fn new(bytes: Vec<u8>) -> Self {
        // HMAC accepts keys of any length, so this cannot fail.
        let keyed = <HmacSha256 as KeyInit>::new_from_slice(&bytes)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        Self { bytes, keyed }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// HMAC-SHA256 under this key over the concatenation of `parts`.
    pub(crate) fn mac(&self, parts: &[&[u8]]) -> HmacSha256 {
        let mut mac = self.keyed.clone();
        for part in parts {
            mac.update(part);
        }
        mac
    }
}

impl PartialEq for SigningKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for SigningKey {}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

/// A body whose signature has been checked. Only this module can make one.
#[derive(Debug)]
pub struct VerifiedBody<'a> {
    bytes: &'a [u8],
    delivery_id: DeliveryId,
    delivery_id_signed: bool,
    signed_at: Option<Timestamp>,
    sender_event: Option<String>,
}

impl<'a> VerifiedBody<'a> {
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    pub fn delivery_id(&self) -> &DeliveryId {
        &self.delivery_id
    }

    /// Whether the signature covers the delivery id (Standard Webhooks). Elsewhere the id is an
    /// unsigned header (GitHub, Shopify) or the body's hash (Stripe, Slack).
    pub(crate) fn delivery_id_signed(&self) -> bool {
        self.delivery_id_signed
    }

    /// The signed timestamp, where the scheme signs one.
    pub fn signed_at(&self) -> Option<Timestamp> {
        self.signed_at
    }

    /// The event type the sender reports in a header (GitHub's `X-GitHub-Event`, Shopify's
    /// `X-Shopify-Topic`). Not signed: what the sender says, not what it proved. `None` when
    /// absent, repeated or not a plain token.
    pub(crate) fn sender_event(&self) -> Option<&str> {
        self.sender_event.as_deref()
    }
}

/// What a scheme proved about a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Proof {
    pub(crate) delivery_id: DeliveryId,
    /// The signed timestamp, where the scheme signs one.
    pub(crate) signed_at: Option<Timestamp>,
}

/// The verifier a tenant is configured with, built once at cold start.
#[derive(Debug, Clone)]
pub enum Verifier {
    StandardWebhooks(standard_webhooks::StandardWebhooks),
    Stripe(stripe::Stripe),
    GitHub(github::GitHub),
    Slack(slack::Slack),
    Shopify(shopify::Shopify),
}

impl Verifier {
    /// Scheme names as they appear in `WEBHOOK_TENANTS`.
    pub const SCHEMES: &'static [&'static str] = &[
        standard_webhooks::SCHEME,
        stripe::SCHEME,
        github::SCHEME,
        slack::SCHEME,
        shopify::SCHEME,
    ];

    /// Builds the verifier for `scheme` from the space-separated secret list.
    /// Errors never contain secret material.
    pub fn from_secrets(scheme: &str, secrets: &str) -> Result<Self, String> {
        // A Secrets Manager key/value secret pasted whole would otherwise be split into "words",
        // some of which might even pass as keys.
        if secrets.trim_start().starts_with(['{', '[']) {
            return Err(
                "looks like a JSON document; store the secret(s) as plain text, separated by spaces"
                    .into(),
            );
        }
        match scheme {
            standard_webhooks::SCHEME => standard_webhooks::StandardWebhooks::from_secrets(secrets)
                .map(Self::StandardWebhooks),
            stripe::SCHEME => raw_keys(secrets).map(|keys| Self::Stripe(stripe::Stripe { keys })),
            github::SCHEME => raw_keys(secrets).map(|keys| Self::GitHub(github::GitHub { keys })),
            slack::SCHEME => raw_keys(secrets).map(|keys| Self::Slack(slack::Slack { keys })),
            shopify::SCHEME => {
                raw_keys(secrets).map(|keys| Self::Shopify(shopify::Shopify { keys }))
            }
            other => Err(format!(
                "unknown scheme `{}` (supported: {})",
                other.escape_debug(),
                Self::SCHEMES.join(", ")
            )),
        }
    }

    /// The scheme's name, as in `WEBHOOK_TENANTS`.
    pub fn scheme(&self) -> &'static str {
        match self {
            Self::StandardWebhooks(_) => standard_webhooks::SCHEME,
            Self::Stripe(_) => stripe::SCHEME,
            Self::GitHub(_) => github::SCHEME,
            Self::Slack(_) => slack::SCHEME,
            Self::Shopify(_) => shopify::SCHEME,
        }
    }

    /// Whether this verifier and `other` accept a common key: then a delivery signed for one
    /// tenant would verify for the other.
    pub(crate) fn shares_a_key(&self, other: &Verifier) -> bool {
        self.keys().iter().any(|k| other.keys().contains(k))
    }

    fn keys(&self) -> &[SigningKey] {
        match self {
            Self::StandardWebhooks(v) => v.keys(),
            Self::Stripe(v) => &v.keys,
            Self::GitHub(v) => &v.keys,
            Self::Slack(v) => &v.keys,
            Self::Shopify(v) => &v.keys,
        }
    }

    /// Verifies `body` against `headers` at time `now`, accepting a signed timestamp up to
    /// `tolerance` (whole seconds) either way.
    pub fn verify<'a>(
        &self,
        headers: &HeaderMap,
        body: &'a [u8],
        now: Timestamp,
        tolerance: Duration,
    ) -> Result<VerifiedBody<'a>, SignatureError> {
        let proof = match self {
            Self::StandardWebhooks(v) => v.verify(headers, body, now, tolerance)?,
            Self::Stripe(v) => v.verify(headers, body, now, tolerance)?,
            Self::GitHub(v) => v.verify(headers, body)?,
            Self::Slack(v) => v.verify(headers, body, now, tolerance)?,
            Self::Shopify(v) => v.verify(headers, body)?,
        };
        let event_header = match self {
            Self::GitHub(_) => Some(github::EVENT_HEADER),
            Self::Shopify(_) => Some(shopify::TOPIC_HEADER),
            Self::StandardWebhooks(_) | Self::Stripe(_) | Self::Slack(_) => None,
        };
        let sender_event = event_header
            .and_then(|name| single_header(headers, name).ok().flatten())
            .filter(|v| is_event_type(v))
            .map(str::to_owned);
        Ok(VerifiedBody {
            bytes: body,
            delivery_id: proof.delivery_id,
            delivery_id_signed: matches!(self, Self::StandardWebhooks(_)),
            signed_at: proof.signed_at,
            sender_event,
        })
    }
}

/// The headers a sender of `scheme` sets for this delivery (for the signing command and tests).
/// `id` is ignored by schemes that have no delivery-id header, `timestamp` by those that sign none.
pub fn sign_headers(
    scheme: &str,
    secret: &str,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<Vec<(&'static str, String)>, String> {
    match scheme {
        standard_webhooks::SCHEME => {
            let names = standard_webhooks::HEADERS;
            Ok(vec![
                (names.id, id.to_owned()),
                (names.timestamp, timestamp.to_string()),
                (
                    names.signature,
                    standard_webhooks::sign(secret, id, timestamp, body)?,
                ),
            ])
        }
        stripe::SCHEME => Ok(vec![(
            stripe::HEADER,
            stripe::sign(secret, timestamp, body),
        )]),
        github::SCHEME => Ok(vec![
            (github::ID_HEADER, id.to_owned()),
            (github::SIGNATURE_HEADER, github::sign(secret, body)),
        ]),
        slack::SCHEME => Ok(vec![
            (slack::TIMESTAMP_HEADER, timestamp.to_string()),
            (
                slack::SIGNATURE_HEADER,
                slack::sign(secret, timestamp, body),
            ),
        ]),
        shopify::SCHEME => Ok(vec![
            (shopify::ID_HEADER, id.to_owned()),
            (shopify::SIGNATURE_HEADER, shopify::sign(secret, body)),
        ]),
        other => Err(format!("unknown scheme `{}`", other.escape_debug())),
    }
}

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// An event type as it may be stored or compared: `^[A-Za-z0-9._:/-]{1,128}$`.
pub(crate) fn is_event_type(s: &str) -> bool {
    (1..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'/' | b'-'))
}

/// HMAC-SHA256 over the concatenation of `parts`.
pub(crate) fn mac(key: &[u8], parts: &[&[u8]]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    for part in parts {
        mac.update(part);
    }
    mac
}

/// Lower-case hex of the MAC of `parts` (Stripe, GitHub and Slack send hex).
pub(crate) fn hex_mac(key: &[u8], parts: &[&[u8]]) -> String {
    hex::encode(mac(key, parts).finalize().into_bytes())
}

/// Whether any candidate is the MAC of `parts` under any key. Each comparison is constant-time
/// (`verify_slice`); every key is tried against every candidate.
pub(crate) fn matches_any(keys: &[SigningKey], parts: &[&[u8]], candidates: &[Vec<u8>]) -> bool {
    keys.iter().any(|key| {
        let mac = key.mac(parts);
        candidates
            .iter()
            .any(|c| mac.clone().verify_slice(c).is_ok())
    })
}

/// Shortest raw-string secret accepted: a shorter one is guessable offline from one captured
/// delivery.
const MIN_RAW_SECRET_BYTES: usize = 16;

/// Secrets used as their raw string bytes (Stripe, GitHub, Slack, Shopify): whitespace-separated,
/// each 16 to 256 bytes.
pub(crate) fn raw_keys(secrets: &str) -> Result<Vec<SigningKey>, String> {
    let keys: Vec<SigningKey> = secrets
        .split_ascii_whitespace()
        .map(|s| SigningKey::new(s.as_bytes().to_vec()))
        .collect();
    if keys.is_empty() {
        return Err("no secret given".into());
    }
    if let Some(i) = keys.iter().position(|k| k.as_bytes().len() > 256) {
        return Err(format!("secret #{}: longer than 256 bytes", i + 1));
    }
    if let Some(i) = keys
        .iter()
        .position(|k| k.as_bytes().len() < MIN_RAW_SECRET_BYTES)
    {
        return Err(format!(
            "secret #{}: shorter than {MIN_RAW_SECRET_BYTES} bytes",
            i + 1
        ));
    }
    Ok(keys)
}

/// For schemes without a delivery-id header: `sha256:` + the body's hex digest, so a retry that
/// is re-signed with a new timestamp is still the same delivery.
pub(crate) fn body_delivery_id(body: &[u8]) -> DeliveryId {
    DeliveryId(format!("sha256:{}", hex::encode(Sha256::digest(body))))
}

/// A hex-encoded SHA-256 MAC (exactly 64 hex digits).
pub(crate) fn decode_hex_mac(s: &str) -> Option<Vec<u8>> {
    (s.len() == 64).then(|| hex::decode(s).ok()).flatten()
}

/// A header that must be present exactly once.
pub(crate) fn required_header<'h>(
    headers: &'h HeaderMap,
    name: &str,
) -> Result<&'h str, SignatureError> {
    single_header(headers, name)?.ok_or(SignatureError::Missing)
}

/// The one value of a header that must appear at most once. Absent is `Ok(None)`; repeated or not
/// visible ASCII is `Invalid` (HTTP API joins repeats with commas, which would change the meaning).
pub(crate) fn single_header<'h>(
    headers: &'h HeaderMap,
    name: &str,
) -> Result<Option<&'h str>, SignatureError> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(SignatureError::Invalid);
    }
    first
        .to_str()
        .map(Some)
        .map_err(|_| SignatureError::Invalid)
}

/// Unix seconds as senders write them: ASCII digits only, no sign, no padding games.
pub(crate) fn parse_unix_seconds(raw: &str) -> Result<i64, SignatureError> {
    if raw.is_empty() || raw.len() > 12 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::Invalid);
    }
    raw.parse().map_err(|_| SignatureError::Invalid)
}

/// A signed timestamp (Unix seconds) within `tolerance` of `now` (both in whole seconds, both
/// directions, inclusive) passes; it is returned as a [`Timestamp`].
pub(crate) fn check_tolerance(
    t: i64,
    now: Timestamp,
    tolerance: Duration,
) -> Result<Timestamp, SignatureError> {
    if now.unix_seconds().abs_diff(t) <= tolerance.as_secs() {
        Ok(Timestamp::from_unix_seconds(t))
    } else {
        Err(SignatureError::TimestampOutOfTolerance)
    }
}

/// Headers for the schemes' unit tests; `None` values are left out.
#[cfg(test)]
pub(crate) fn test_headers(pairs: &[(&str, Option<&str>)]) -> HeaderMap {
    pairs
        .iter()
        .filter_map(|(name, value)| Some((*name, (*value)?)))
        .map(|(name, value)| {
            (
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_str(value).unwrap(),
            )
        })
        .collect()
}

/// Unix seconds as a [`Timestamp`], for the schemes' unit tests.
#[cfg(test)]
pub(crate) fn at(s: i64) -> Timestamp {
    Timestamp::from_unix_seconds(s)
}

/// The tolerance the schemes' unit tests use.
#[cfg(test)]
pub(crate) const TOL: Duration = Duration::from_secs(300);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_id_charset() {
        assert!(DeliveryId::parse("msg_p5jXN8AQM9LWM0D4loKWxJek").is_some());
        assert!(DeliveryId::parse("a:b-c_D").is_some());
        assert!(DeliveryId::parse(&"a".repeat(128)).is_some());
        for bad in ["", "a.b", "a b", "ü", "a/b", &"a".repeat(129)] {
            assert!(DeliveryId::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn tolerance_is_inclusive_both_ways() {
        assert_eq!(check_tolerance(1000, at(1300), TOL), Ok(at(1000)));
        assert!(check_tolerance(1600, at(1300), TOL).is_ok());
        // Receipt time counts in whole seconds, as the signed time does.
        let late = Timestamp::from_unix_millis(1_300_999);
        assert!(check_tolerance(1000, late, TOL).is_ok());
        assert_eq!(
            check_tolerance(999, at(1300), TOL),
            Err(SignatureError::TimestampOutOfTolerance)
        );
        assert_eq!(
            check_tolerance(1601, at(1300), TOL),
            Err(SignatureError::TimestampOutOfTolerance)
        );
    }

    #[test]
    fn timestamps_are_plain_digits() {
        assert_eq!(parse_unix_seconds("1614265330"), Ok(1614265330));
        for bad in ["", "-1", "+1", " 1", "1e9", "0x10", "9999999999999"] {
            assert_eq!(
                parse_unix_seconds(bad),
                Err(SignatureError::Invalid),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn key_debug_is_redacted() {
        let key = SigningKey::new(b"super-secret-key-bytes".to_vec());
        assert_eq!(format!("{key:?}"), "SigningKey(<redacted>)");
    }
}
