//! Standard Webhooks (<https://www.standardwebhooks.com>), also sent by Svix under `svix-*` names.
//! Signed bytes: `{webhook-id}.{webhook-timestamp}.{raw body}`, HMAC-SHA256, base64, `v1,` prefix.

use std::time::Duration;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine};
use hmac::Mac;
use http::HeaderMap;

use super::{
    check_tolerance, mac, matches_any, parse_unix_seconds, single_header, DeliveryId, Proof,
    SignatureError, SigningKey,
};
use crate::clock::Timestamp;

pub const SCHEME: &str = "standard-webhooks";
const SECRET_PREFIX: &str = "whsec_";
const MIN_KEY_BYTES: usize = 16;
const MAX_KEY_BYTES: usize = 64;
/// More entries than any rotation needs; bounds the work a hostile header can cause.
const MAX_SIGNATURE_ENTRIES: usize = 32;

/// The names of one set of Standard Webhooks headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderNames {
    pub id: &'static str,
    pub timestamp: &'static str,
    pub signature: &'static str,
}

/// The standard names.
pub const HEADERS: HeaderNames = HeaderNames {
    id: "webhook-id",
    timestamp: "webhook-timestamp",
    signature: "webhook-signature",
};

/// Svix's names for the same headers.
pub const SVIX_HEADERS: HeaderNames = HeaderNames {
    id: "svix-id",
    timestamp: "svix-timestamp",
    signature: "svix-signature",
};

/// A request uses one set, never a mix; the standard names are looked for first.
const HEADER_SETS: [HeaderNames; 2] = [HEADERS, SVIX_HEADERS];

/// Secrets are `whsec_` + base64, padded or not.
const SECRET_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

#[derive(Debug, Clone)]
pub struct StandardWebhooks {
    keys: Vec<SigningKey>,
}

impl StandardWebhooks {
    /// Parses a space-separated list of `whsec_` secrets. Every one listed is accepted (rotation).
    pub(crate) fn from_secrets(secrets: &str) -> Result<Self, String> {
        let keys = secrets
            .split_ascii_whitespace()
            .enumerate()
            .map(|(i, s)| parse_secret(s).map_err(|why| format!("secret #{}: {why}", i + 1)))
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err("no secret given".into());
        }
        Ok(Self { keys })
    }

    pub(super) fn keys(&self) -> &[SigningKey] {
        &self.keys
    }

    pub(super) fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: Timestamp,
        tolerance: Duration,
    ) -> Result<Proof, SignatureError> {
        // The set in use is the first one any of whose headers is present.
        let names = HEADER_SETS
            .iter()
            .find(|set| {
                [set.id, set.timestamp, set.signature]
                    .iter()
                    .any(|n| headers.contains_key(*n))
            })
            .ok_or(SignatureError::Missing)?;
        let id = single_header(headers, names.id)?;
        let ts = single_header(headers, names.timestamp)?;
        let sig = single_header(headers, names.signature)?;
        let (Some(id), Some(ts), Some(sig)) = (id, ts, sig) else {
            return Err(SignatureError::Missing);
        };

        let delivery_id = DeliveryId::parse(id).ok_or(SignatureError::Invalid)?;
        let timestamp = parse_unix_seconds(ts)?;
        let candidates = signature_entries(sig)?;

        let signed = [id.as_bytes(), b".", ts.as_bytes(), b".", body];
        let matched = matches_any(&self.keys, &signed, &candidates);
        if !matched {
            return Err(SignatureError::Invalid);
        }
        // Checked after the signature so an unsigned caller learns nothing about our clock.
        let signed_at = check_tolerance(timestamp, now, tolerance)?;
        Ok(Proof {
            delivery_id,
            signed_at: Some(signed_at),
        })
    }
}

/// The `v1` signatures in a `webhook-signature` header, decoded. Other versions are ignored;
/// a header with no decodable `v1` entry is invalid.
fn signature_entries(header: &str) -> Result<Vec<Vec<u8>>, SignatureError> {
    let entries: Vec<&str> = header.split_ascii_whitespace().collect();
    if entries.is_empty() || entries.len() > MAX_SIGNATURE_ENTRIES {
        return Err(SignatureError::Invalid);
    }
    let v1: Vec<Vec<u8>> = entries
        .iter()
        .filter_map(|e| e.strip_prefix("v1,"))
        .filter_map(|b64| STANDARD.decode(b64).ok())
        .collect();
    if v1.is_empty() {
        return Err(SignatureError::Invalid);
    }
    Ok(v1)
}

fn parse_secret(secret: &str) -> Result<SigningKey, &'static str> {
    let b64 = secret
        .strip_prefix(SECRET_PREFIX)
        .ok_or("must start with `whsec_`")?;
    let key = SECRET_BASE64
        .decode(b64)
        .map_err(|_| "is not valid base64 after `whsec_`")?;
    if !(MIN_KEY_BYTES..=MAX_KEY_BYTES).contains(&key.len()) {
        return Err("decoded key must be 16 to 64 bytes");
    }
    Ok(SigningKey::new(key))
}

/// `v1,<base64>` for the given delivery: what a sender puts in `webhook-signature`.
/// Used by the signing command and the tests.
pub(crate) fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, String> {
    let key = parse_secret(secret).map_err(str::to_owned)?;
    let ts = timestamp.to_string();
    let mac = mac(
        key.as_bytes(),
        &[id.as_bytes(), b".", ts.as_bytes(), b".", body],
    );
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

#[cfg(test)]
mod tests {
    use super::super::{at, TOL};
    use super::*;
    use http::HeaderValue;

    // The published Standard Webhooks test vector.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: i64 = 1614265330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn headers(set: usize, id: &str, ts: &str, sig: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        let names = HEADER_SETS[set];
        for (n, v) in [
            (names.id, id),
            (names.timestamp, ts),
            (names.signature, sig),
        ] {
            h.insert(n, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn verifier(secrets: &str) -> StandardWebhooks {
        StandardWebhooks::from_secrets(secrets).unwrap()
    }

    #[test]
    fn published_vector_signs_and_verifies() {
        assert_eq!(sign(SECRET, ID, TS, BODY).unwrap(), SIG);
        let h = headers(0, ID, &TS.to_string(), SIG);
        let Proof {
            delivery_id: id,
            signed_at: ts,
        } = verifier(SECRET).verify(&h, BODY, at(TS), TOL).unwrap();
        assert_eq!(id.as_str(), ID);
        assert_eq!(ts, Some(at(TS)));
    }

    #[test]
    fn svix_header_names_verify_too() {
        let h = headers(1, ID, &TS.to_string(), SIG);
        assert!(verifier(SECRET).verify(&h, BODY, at(TS), TOL).is_ok());
    }

    #[test]
    fn any_entry_from_any_secret_passes() {
        let other = "whsec_c2Vjb25kLXNlY3JldC1rZXktYnl0ZXMh";
        let sig = format!("v2,abc v1,AAAA {SIG}");
        let h = headers(0, ID, &TS.to_string(), &sig);
        assert!(verifier(&format!("{other} {SECRET}"))
            .verify(&h, BODY, at(TS), TOL)
            .is_ok());
        assert_eq!(
            verifier(other).verify(&h, BODY, at(TS), TOL),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn tampering_is_rejected() {
        let v = verifier(SECRET);
        let ts = TS.to_string();
        let flipped = br#"{"test": 2432232315}"#;
        assert_eq!(
            v.verify(&headers(0, ID, &ts, SIG), flipped, at(TS), TOL),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            v.verify(&headers(0, "msg_other", &ts, SIG), BODY, at(TS), TOL),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            v.verify(&headers(0, ID, "1614265331", SIG), BODY, at(TS), TOL),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn tolerance_applies_both_ways() {
        let v = verifier(SECRET);
        let h = headers(0, ID, &TS.to_string(), SIG);
        assert!(v.verify(&h, BODY, at(TS + 300), TOL).is_ok());
        assert!(v.verify(&h, BODY, at(TS - 300), TOL).is_ok());
        assert_eq!(
            v.verify(&h, BODY, at(TS + 301), TOL),
            Err(SignatureError::TimestampOutOfTolerance)
        );
        assert_eq!(
            v.verify(&h, BODY, at(TS - 301), TOL),
            Err(SignatureError::TimestampOutOfTolerance)
        );
    }

    #[test]
    fn missing_and_malformed_headers() {
        let v = verifier(SECRET);
        let ts = TS.to_string();
        assert_eq!(
            v.verify(&HeaderMap::new(), BODY, at(TS), TOL),
            Err(SignatureError::Missing)
        );
        let mut h = headers(0, ID, &ts, SIG);
        h.remove("webhook-signature");
        assert_eq!(
            v.verify(&h, BODY, at(TS), TOL),
            Err(SignatureError::Missing)
        );

        for (id, t, sig) in [
            (ID, ts.as_str(), ""),
            (ID, ts.as_str(), "v1"),
            (ID, ts.as_str(), "v1,!!notbase64!!"),
            (
                ID,
                ts.as_str(),
                "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            ),
            (ID, "16142653x0", SIG),
            (ID, "", SIG),
            ("msg.with.dots", ts.as_str(), SIG),
            ("", ts.as_str(), SIG),
        ] {
            assert_eq!(
                v.verify(&headers(0, id, t, sig), BODY, at(TS), TOL),
                Err(SignatureError::Invalid),
                "{id:?} {t:?} {sig:?}"
            );
        }
        let huge = format!("{SIG} ").repeat(MAX_SIGNATURE_ENTRIES + 1);
        assert_eq!(
            v.verify(&headers(0, ID, &ts, &huge), BODY, at(TS), TOL),
            Err(SignatureError::Invalid)
        );
        let mut dup = headers(0, ID, &ts, SIG);
        dup.append("webhook-id", HeaderValue::from_static("msg_two"));
        assert_eq!(
            v.verify(&dup, BODY, at(TS), TOL),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn secrets_are_checked() {
        assert!(StandardWebhooks::from_secrets("").is_err());
        assert!(StandardWebhooks::from_secrets("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
        assert!(StandardWebhooks::from_secrets("whsec_***").is_err());
        // 8 bytes: too short. Padded and unpadded forms of a 16-byte key both parse.
        assert!(StandardWebhooks::from_secrets("whsec_c2hvcnRrZXk=").is_err());
        assert!(StandardWebhooks::from_secrets("whsec_MDEyMzQ1Njc4OWFiY2RlZg==").is_ok());
        assert!(StandardWebhooks::from_secrets("whsec_MDEyMzQ1Njc4OWFiY2RlZg").is_ok());
        let long = format!("whsec_{}", STANDARD.encode([7u8; 65]));
        assert!(StandardWebhooks::from_secrets(&long).is_err());
        let err = StandardWebhooks::from_secrets(&format!("{SECRET} whsec_bad!")).unwrap_err();
        assert!(err.starts_with("secret #2"), "{err}");
        assert!(!err.contains("MfKQ"), "{err}");
    }
}
