//! Standard Webhooks (<https://www.standardwebhooks.com>), also sent by Svix (and so Clerk) under
//! `svix-*` names. Signed bytes: `{webhook-id}.{webhook-timestamp}.{raw body}`: `v1,<base64>` is
//! their HMAC-SHA256 under a `whsec_` secret, `v1a,<base64>` their Ed25519 signature under the
//! private key whose public key (`whpk_`) the tenant lists. The id and the time are signed; every
//! retry is signed anew with the time of that attempt. A receiver never holds a private key
//! (`whsk_`): one in a tenant's secrets fails init.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine};
use std::sync::Arc;

use super::{
    check_tolerance, parse_unix_seconds, single_header, HeaderRole, HmacKeys, Inbox, Keys,
    PrivateKey, Proof, PublicKeys, Request, Sender, SignatureError, TimeAt, TypeAt,
};
#[cfg(any(test, feature = "signing"))]
use super::{demo_seed, Delivery};
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
    keys: |input| read_keys(input.secrets, Holder::Receiver),
    inbox: Inbox {
        reads: &["type"],
        // The id is signed, in its header.
        id: None,
        event_type: TypeAt::Body("type"),
        event_time: TimeAt::Signed,
    },
    user_events: true,
    #[cfg(any(test, feature = "signing"))]
    demo_secret,
    #[cfg(any(test, feature = "signing"))]
    signing_keys: Some(|input| read_keys(input.secrets, Holder::Sender)),
    #[cfg(any(test, feature = "signing"))]
    demo_signing_secret: Some(demo_signing_secret),
    ..Sender::BASE
};

const SECRET_PREFIX: &str = "whsec_";
const PUBLIC_KEY_PREFIX: &str = "whpk_";
const PRIVATE_KEY_PREFIX: &str = "whsk_";

#[cfg(any(test, feature = "signing"))]
/// A local-only HMAC secret for a demo tenant named `label`.
fn demo_hmac(label: &str) -> String {
    format!(
        "{SECRET_PREFIX}{}",
        STANDARD.encode(format!("local {label} key, never deployed"))
    )
}

#[cfg(any(test, feature = "signing"))]
/// A demo tenant's secrets: an HMAC secret and an Ed25519 public key, both accepted.
fn demo_secret(label: &str) -> String {
    let public = PrivateKey::from_seed(&demo_seed(label)).public();
    format!(
        "{} {PUBLIC_KEY_PREFIX}{}",
        demo_hmac(label),
        STANDARD.encode(public)
    )
}

#[cfg(any(test, feature = "signing"))]
/// What signs for that demo tenant: the HMAC secret and the private key (`v1` and `v1a`).
fn demo_signing_secret(label: &str) -> String {
    format!(
        "{} {PRIVATE_KEY_PREFIX}{}",
        demo_hmac(label),
        STANDARD.encode(demo_seed(label))
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

/// A tenant's keys (secrets and public keys), or a sender's (secrets and private keys).
#[derive(Debug)]
struct StandardWebhooks {
    secrets: HmacKeys,
    public: PublicKeys,
    /// Only the signing tooling's keys have any, and only it signs.
    #[cfg_attr(not(any(test, feature = "signing")), allow(dead_code))]
    private: Vec<PrivateKey>,
}

/// Who holds the keys being read: what each may hold differs by one kind.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Holder {
    Receiver,
    Sender,
}

fn read_keys(list: &[&str], holder: Holder) -> Result<Arc<dyn Keys>, String> {
    let mut secrets = Vec::new();
    let mut public = Vec::new();
    // The list position of each public key, to name a bad one.
    let mut public_at = Vec::new();
    let mut private = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let at = |why: &str| format!("secret #{}: {why}", i + 1);
        if entry.starts_with(SECRET_PREFIX) {
            secrets.push(parse_secret(entry).map_err(at)?);
        } else if let Some(b64) = entry.strip_prefix(PUBLIC_KEY_PREFIX) {
            if holder == Holder::Sender {
                return Err(at("a public key (`whpk_`) cannot sign"));
            }
            let key: [u8; 32] = SECRET_BASE64
                .decode(b64)
                .ok()
                .and_then(|k| k.try_into().ok())
                .ok_or_else(|| at("must be `whpk_` + base64 of a 32-byte Ed25519 public key"))?;
            public.push(key);
            public_at.push(i);
        } else if let Some(b64) = entry.strip_prefix(PRIVATE_KEY_PREFIX) {
            if holder == Holder::Receiver {
                return Err(at(
                    "is a signing key (`whsk_`), which belongs to the sender: list its public key \
                     (`whpk_`) instead",
                ));
            }
            let key = SECRET_BASE64
                .decode(b64)
                .ok()
                .and_then(|k| private_key(&k))
                .ok_or_else(|| at("must be `whsk_` + base64 of an Ed25519 seed"))?;
            private.push(key);
        } else {
            return Err(at("must start with `whsec_` or `whpk_`"));
        }
    }
    let public = PublicKeys::from_bytes(&public).map_err(|k| {
        let i = public_at.get(k).copied().unwrap_or_default();
        format!("secret #{}: is not an Ed25519 public key", i + 1)
    })?;
    Ok(Arc::new(StandardWebhooks {
        secrets: HmacKeys::from_bytes(secrets),
        public,
        private,
    }))
}

/// A private key from its 32-byte seed, or from the 64 bytes (seed, public key) some libraries
/// export, whose public half must match.
fn private_key(bytes: &[u8]) -> Option<PrivateKey> {
    let seed: [u8; 32] = bytes.get(..32)?.try_into().ok()?;
    let key = PrivateKey::from_seed(&seed);
    match bytes.len() {
        32 => Some(key),
        64 => (bytes[32..] == key.public()).then_some(key),
        _ => None,
    }
}

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
        let entries = signature_entries(sig)?;
        // A request whose `v1a` entries would cost more checks than allowed is refused before
        // any is run, whatever else it carries.
        self.public.within_budget(entries.v1a.len())?;
        let parts = signed(id, ts, r.body);
        let matched = self.secrets.any_matches(&parts, &entries.v1)
            || self.public.any_verifies(&parts, &entries.v1a);
        if !matched {
            return Err(SignatureError::Invalid);
        }
        // Checked after the signature so an unsigned caller learns nothing about our clock.
        let signed_at = check_tolerance(timestamp, r.now, r.tolerance)?;
        Ok(Proof {
            signed_id: Some(delivery_id),
            signed_at: Some(signed_at),
            ..Proof::default()
        })
    }

    #[cfg(any(test, feature = "signing"))]
    /// `v1` with the first secret, `v1a` with the first private key: one entry each kind the
    /// sender holds.
    fn sign(&self, d: &Delivery<'_>) -> Vec<(HeaderRole, &'static str, String)> {
        let ts = d.timestamp.to_string();
        let parts = signed(d.id, &ts, d.body);
        let mut entries = Vec::new();
        if !self.secrets.is_empty() {
            entries.push(format!(
                "v1,{}",
                STANDARD.encode(self.secrets.first_mac(&parts))
            ));
        }
        if let Some(key) = self.private.first() {
            entries.push(format!("v1a,{}", STANDARD.encode(key.sign(&parts))));
        }
        vec![
            (HeaderRole::Id, STANDARD_NAMES.id, d.id.to_owned()),
            (HeaderRole::Timestamp, STANDARD_NAMES.timestamp, ts),
            (
                HeaderRole::Signature,
                STANDARD_NAMES.signature,
                entries.join(" "),
            ),
        ]
    }

    fn material(&self) -> Vec<&[u8]> {
        let mut all = self.secrets.material();
        all.extend(self.public.material());
        all
    }
}

/// What the signature covers.
fn signed<'a>(id: &'a str, ts: &'a str, body: &'a [u8]) -> [&'a [u8]; 5] {
    [id.as_bytes(), b".", ts.as_bytes(), b".", body]
}

/// The decodable signatures of a `webhook-signature` header, by version.
struct Entries {
    v1: Vec<Vec<u8>>,
    v1a: Vec<[u8; 64]>,
}

/// The `v1` and `v1a` signatures in a `webhook-signature` header, decoded. Other versions are
/// ignored; a header with no decodable `v1` or `v1a` entry is invalid.
fn signature_entries(header: &str) -> Result<Entries, SignatureError> {
    let entries: Vec<&str> = header.split_ascii_whitespace().collect();
    if entries.is_empty() || entries.len() > MAX_SIGNATURE_ENTRIES {
        return Err(SignatureError::Invalid);
    }
    let decoded = |prefix: &str| {
        entries
            .iter()
            .filter_map(|e| e.strip_prefix(prefix))
            .filter_map(|b64| STANDARD.decode(b64).ok())
            .collect::<Vec<_>>()
    };
    let v1 = decoded("v1,");
    let v1a: Vec<[u8; 64]> = decoded("v1a,")
        .into_iter()
        .filter_map(|s| s.try_into().ok())
        .collect();
    if v1.is_empty() && v1a.is_empty() {
        return Err(SignatureError::Invalid);
    }
    Ok(Entries { v1, v1a })
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
    use super::super::{check, signed_value, KeyInput, Verifier};
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
        let keys = StandardWebhooks {
            secrets: HmacKeys::from_bytes(vec![parse_secret(SECRET).unwrap()]),
            public: PublicKeys::default(),
            private: Vec::new(),
        };
        let r = Request {
            headers: &h,
            query: None,
            body: BODY,
            form: false,
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
                public_url: None,
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

    #[test]
    fn v1a_verifies_against_the_listed_public_keys() {
        let seed = demo_seed("v1a-test");
        let key = PrivateKey::from_seed(&seed);
        let whpk = format!("whpk_{}", STANDARD.encode(key.public()));
        let whsk = format!("whsk_{}", STANDARD.encode(seed));
        let ts = TS.to_string();
        let sig = format!("v1a,{}", STANDARD.encode(key.sign(&signed(ID, &ts, BODY))));
        // Beside a whsec_ secret, as a tenant in migration lists them.
        let both = format!("{SECRET} {whpk}");
        assert!(verify_as(0, &both, ID, &ts, &sig, BODY, TS).is_ok());
        assert!(verify_as(0, &whpk, ID, &ts, &sig, BODY, TS).is_ok());
        // The HMAC secret alone does not accept a v1a entry, nor the key another message.
        assert_eq!(
            verify_as(0, SECRET, ID, &ts, &sig, BODY, TS),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            verify_as(0, &whpk, ID, &ts, &sig, b"{}", TS),
            Err(SignatureError::Invalid)
        );
        let other = PrivateKey::from_seed(&demo_seed("someone-else"));
        let forged = format!(
            "v1a,{}",
            STANDARD.encode(other.sign(&signed(ID, &ts, BODY)))
        );
        assert_eq!(
            verify_as(0, &whpk, ID, &ts, &forged, BODY, TS),
            Err(SignatureError::Invalid)
        );
        // A v1a entry of the wrong length is not a signature.
        assert_eq!(
            verify_as(0, &whpk, ID, &ts, "v1a,AAAA", BODY, TS),
            Err(SignatureError::Invalid)
        );
        // The signing side: a whsk_ key signs v1a, which the tenant's whpk_ accepts.
        let d = Delivery {
            id: ID,
            timestamp: TS,
            body: BODY,
            ..Delivery::default()
        };
        let value = signed_value(&SENDER, &whsk, HeaderRole::Signature, &d);
        assert!(
            value.starts_with("v1a,") && !value.contains("v1,"),
            "{value}"
        );
        assert!(verify_as(0, &whpk, ID, &ts, &value, BODY, TS).is_ok());
    }

    #[test]
    fn a_signing_key_never_configures_a_receiver() {
        let seed = STANDARD.encode(demo_seed("v1a-test"));
        let err = Verifier::new(&SENDER, &format!("{SECRET} whsk_{seed}")).unwrap_err();
        assert!(err.starts_with("secret #2: is a signing key"), "{err}");
        assert!(!err.contains(&seed), "{err}");
        assert!(Verifier::new(&SENDER, "whpk_AAAA").is_err());
        assert!(crate::signature::Signer::new(&SENDER, "whpk_AAAA").is_err());
    }
}
