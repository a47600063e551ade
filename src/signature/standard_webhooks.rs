//! Standard Webhooks (<https://www.standardwebhooks.com>), also sent by Svix (and so Clerk) under
//! `svix-*` names. Signed bytes: `{webhook-id}.{webhook-timestamp}.{raw body}`, HMAC-SHA256,
//! base64, `v1,` prefix. The id and the time are signed; every retry is signed anew with the
//! time of that attempt.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine};
use std::sync::Arc;

use super::{
    check_tolerance, parse_unix_seconds, single_header, Delivery, HeaderRole, HmacKeys, Inbox,
    Keys, Proof, Request, Sender, SignatureError, TimeAt, TypeAt,
};
use crate::domain::DeliveryId;

pub(super) const SENDER: Sender = Sender {
    name: "standard-webhooks",
    headers: &[
        (HeaderRole::Id, STANDARD_NAMES.id),
        (HeaderRole::Timestamp, STANDARD_NAMES.timestamp),
        (HeaderRole::Signature, STANDARD_NAMES.signature),
        (HeaderRole::Id, SVIX_NAMES.id),
        (HeaderRole::Timestamp, SVIX_NAMES.timestamp),
        (HeaderRole::Signature, SVIX_NAMES.signature),
    ],
    keys: |input| {
        let keys = input
            .secrets
            .iter()
            .enumerate()
            .map(|(i, s)| parse_secret(s).map_err(|why| format!("secret #{}: {why}", i + 1)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Arc::new(StandardWebhooks(HmacKeys::from_bytes(keys))))
    },
    inbox: Inbox {
        reads: &["type"],
        // The id is signed, in its header.
        id: None,
        event_type: TypeAt::Body("type"),
        event_time: TimeAt::Signed,
    },
    handshake: None,
    user_events: true,
    demo_secret,
    signing_keys: None,
    demo_signing_secret: None,
};

const SECRET_PREFIX: &str = "whsec_";

/// A local-only secret for a demo tenant named `label`.
fn demo_secret(label: &str) -> String {
    format!(
        "{SECRET_PREFIX}{}",
        STANDARD.encode(format!("local {label} key, never deployed"))
    )
}
const MIN_KEY_BYTES: usize = 16;
const MAX_KEY_BYTES: usize = 64;
/// More entries than any rotation needs; bounds the work a hostile header can cause.
const MAX_SIGNATURE_ENTRIES: usize = 32;

/// The names of one set of Standard Webhooks headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct HeaderNames {
    id: &'static str,
    timestamp: &'static str,
    signature: &'static str,
}

const STANDARD_NAMES: HeaderNames = HeaderNames {
    id: "webhook-id",
    timestamp: "webhook-timestamp",
    signature: "webhook-signature",
};

const SVIX_NAMES: HeaderNames = HeaderNames {
    id: "svix-id",
    timestamp: "svix-timestamp",
    signature: "svix-signature",
};

/// A request uses one set, never a mix; the standard names are looked for first.
const HEADER_SETS: [HeaderNames; 2] = [STANDARD_NAMES, SVIX_NAMES];

/// Secrets are `whsec_` + base64, padded or not.
const SECRET_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

#[derive(Debug)]
struct StandardWebhooks(HmacKeys);

impl Keys for StandardWebhooks {
    fn verify(&self, r: &Request<'_, '_>) -> Result<Proof, SignatureError> {
        // The set in use is the first one any of whose headers is present.
        let names = HEADER_SETS
            .iter()
            .find(|set| {
                [set.id, set.timestamp, set.signature]
                    .iter()
                    .any(|n| r.headers.contains_key(*n))
            })
            .ok_or(SignatureError::Missing)?;
        let id = single_header(r.headers, names.id)?;
        let ts = single_header(r.headers, names.timestamp)?;
        let sig = single_header(r.headers, names.signature)?;
        let (Some(id), Some(ts), Some(sig)) = (id, ts, sig) else {
            return Err(SignatureError::Missing);
        };

        let delivery_id = DeliveryId::parse(id).ok_or(SignatureError::Invalid)?;
        let timestamp = parse_unix_seconds(ts)?;
        let candidates = signature_entries(sig)?;
        if !self.0.any_matches(&signed(id, ts, r.body), &candidates) {
            return Err(SignatureError::Invalid);
        }
        // Checked after the signature so an unsigned caller learns nothing about our clock.
        let signed_at = check_tolerance(timestamp, r.now, r.tolerance)?;
        Ok(Proof {
            signed_id: Some(delivery_id),
            unsigned_id: None,
            signed_at: Some(signed_at),
        })
    }

    fn sign(&self, d: &Delivery<'_>) -> Vec<(HeaderRole, &'static str, String)> {
        let ts = d.timestamp.to_string();
        let mac = self.0.first_mac(&signed(d.id, &ts, d.body));
        vec![
            (HeaderRole::Id, STANDARD_NAMES.id, d.id.to_owned()),
            (HeaderRole::Timestamp, STANDARD_NAMES.timestamp, ts),
            (
                HeaderRole::Signature,
                STANDARD_NAMES.signature,
                format!("v1,{}", STANDARD.encode(mac)),
            ),
        ]
    }

    fn material(&self) -> Vec<&[u8]> {
        self.0.material()
    }
}

/// What the signature covers.
fn signed<'a>(id: &'a str, ts: &'a str, body: &'a [u8]) -> [&'a [u8]; 5] {
    [id.as_bytes(), b".", ts.as_bytes(), b".", body]
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

fn parse_secret(secret: &str) -> Result<Vec<u8>, &'static str> {
    let b64 = secret
        .strip_prefix(SECRET_PREFIX)
        .ok_or("must start with `whsec_`")?;
    let key = SECRET_BASE64
        .decode(b64)
        .map_err(|_| "is not valid base64 after `whsec_`")?;
    if !(MIN_KEY_BYTES..=MAX_KEY_BYTES).contains(&key.len()) {
        return Err("decoded key must be 16 to 64 bytes");
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::super::{check, signed_value, KeyInput};
    use super::*;

    // The published Standard Webhooks test vector.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: i64 = 1614265330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn verify_as(
        set: usize,
        secrets: &str,
        id: &str,
        ts: &str,
        sig: &str,
        body: &[u8],
        now: i64,
    ) -> Result<Proof, SignatureError> {
        let names = HEADER_SETS[set];
        check(
            &SENDER,
            secrets,
            &[
                (names.id, Some(id)),
                (names.timestamp, Some(ts)),
                (names.signature, Some(sig)),
            ],
            body,
            now,
        )
    }

    fn verify(
        id: &str,
        ts: &str,
        sig: &str,
        body: &[u8],
        now: i64,
    ) -> Result<Proof, SignatureError> {
        verify_as(0, SECRET, id, ts, sig, body, now)
    }

    #[test]
    fn published_vector_signs_and_verifies() {
        let d = Delivery {
            id: ID,
            timestamp: TS,
            body: BODY,
            ..Delivery::default()
        };
        assert_eq!(
            signed_value(&SENDER, SECRET, HeaderRole::Signature, &d),
            SIG
        );
        let proof = verify(ID, &TS.to_string(), SIG, BODY, TS).unwrap();
        assert_eq!(proof.signed_id.unwrap().as_str(), ID);
        assert_eq!(proof.unsigned_id, None);
        assert_eq!(
            proof.signed_at,
            Some(crate::clock::Timestamp::from_unix_seconds(TS))
        );
    }

    #[test]
    fn svix_header_names_verify_too() {
        assert!(verify_as(1, SECRET, ID, &TS.to_string(), SIG, BODY, TS).is_ok());
    }

    #[test]
    fn any_entry_from_any_secret_passes() {
        let other = "whsec_c2Vjb25kLXNlY3JldC1rZXktYnl0ZXMh";
        let sig = format!("v2,abc v1,AAAA {SIG}");
        let ts = TS.to_string();
        assert!(verify_as(0, &format!("{other} {SECRET}"), ID, &ts, &sig, BODY, TS).is_ok());
        assert_eq!(
            verify_as(0, other, ID, &ts, &sig, BODY, TS),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn tampering_is_rejected() {
        let ts = TS.to_string();
        let flipped = br#"{"test": 2432232315}"#;
        assert_eq!(
            verify(ID, &ts, SIG, flipped, TS),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            verify("msg_other", &ts, SIG, BODY, TS),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            verify(ID, "1614265331", SIG, BODY, TS),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn tolerance_applies_both_ways() {
        let ts = TS.to_string();
        assert!(verify(ID, &ts, SIG, BODY, TS + 300).is_ok());
        assert!(verify(ID, &ts, SIG, BODY, TS - 300).is_ok());
        for now in [TS + 301, TS - 301] {
            assert_eq!(
                verify(ID, &ts, SIG, BODY, now),
                Err(SignatureError::TimestampOutOfTolerance)
            );
        }
    }

    #[test]
    fn missing_and_malformed_headers() {
        let ts = TS.to_string();
        assert_eq!(
            check(&SENDER, SECRET, &[], BODY, TS),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            check(
                &SENDER,
                SECRET,
                &[("webhook-id", Some(ID)), ("webhook-timestamp", Some(&ts))],
                BODY,
                TS
            ),
            Err(SignatureError::Missing)
        );
        let huge = format!("{SIG} ").repeat(MAX_SIGNATURE_ENTRIES + 1);
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
            (ID, ts.as_str(), huge.as_str()),
        ] {
            assert_eq!(
                verify(id, t, sig, BODY, TS),
                Err(SignatureError::Invalid),
                "{id:?} {t:?} {sig:?}"
            );
        }
    }

    #[test]
    fn a_repeated_header_is_invalid() {
        let mut h = http::HeaderMap::new();
        for (n, v) in [
            ("webhook-id", ID),
            ("webhook-id", "msg_two"),
            ("webhook-timestamp", "1614265330"),
            ("webhook-signature", SIG),
        ] {
            h.append(n, http::HeaderValue::from_static(v));
        }
        let keys = StandardWebhooks(HmacKeys::from_bytes(vec![parse_secret(SECRET).unwrap()]));
        let r = Request {
            headers: &h,
            query: None,
            body: BODY,
            now: crate::clock::Timestamp::from_unix_seconds(TS),
            tolerance: std::time::Duration::from_secs(300),
        };
        assert_eq!(keys.verify(&r), Err(SignatureError::Invalid));
    }

    #[test]
    fn secrets_are_checked() {
        let parse = |s: &str| {
            (SENDER.keys)(&KeyInput {
                secrets: &s.split_ascii_whitespace().collect::<Vec<_>>(),
            })
        };
        assert!(parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
        assert!(parse("whsec_***").is_err());
        // 8 bytes: too short. Padded and unpadded forms of a 16-byte key both parse.
        assert!(parse("whsec_c2hvcnRrZXk=").is_err());
        assert!(parse("whsec_MDEyMzQ1Njc4OWFiY2RlZg==").is_ok());
        assert!(parse("whsec_MDEyMzQ1Njc4OWFiY2RlZg").is_ok());
        let long = format!("whsec_{}", STANDARD.encode([7u8; 65]));
        assert!(parse(&long).is_err());
        let err = parse(&format!("{SECRET} whsec_bad!")).unwrap_err();
        assert!(err.starts_with("secret #2"), "{err}");
        assert!(!err.contains("MfKQ"), "{err}");
    }
}
