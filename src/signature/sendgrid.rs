//! SendGrid's signed Event Webhook (`X-Twilio-Email-Event-Webhook-Signature`): the base64 DER
//! ECDSA P-256 / SHA-256 signature of the `X-Twilio-Email-Event-Webhook-Timestamp` header's
//! bytes followed by the raw body; the tenant lists the verification key as SendGrid shows it
//! (base64 DER SubjectPublicKeyInfo). The body is a batch: each event is its own inbox item,
//! keyed by its `sg_event_id`.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};

use super::{
    check_tolerance, parse_unix_seconds, required_header, Batch, BodyId, HeaderRole, Inbox,
    KeyInput, Keys, Proof, Request, Sender, SignatureError, TimeAt, TypeAt,
};
#[cfg(any(test, feature = "signing"))]
use super::{demo_seed, Delivery};
#[cfg(any(test, feature = "signing"))]
use p256::ecdsa::signature::hazmat::PrehashSigner;
#[cfg(any(test, feature = "signing"))]
use p256::pkcs8::EncodePublicKey;

pub(super) const SENDER: Sender = Sender {
    name: "sendgrid",
    headers: &[
        (HeaderRole::Signature, SIGNATURE_HEADER),
        (HeaderRole::Timestamp, TIMESTAMP_HEADER),
    ],
    keys: |input| read(input, false),
    #[cfg(any(test, feature = "signing"))]
    signing_keys: Some(|input| read(input, true)),
    inbox: Inbox {
        reads: &["sg_event_id", "event", "timestamp"],
        id: Some(BodyId {
            path: "sg_event_id",
            valid: |_| true,
        }),
        event_type: TypeAt::Body("event"),
        event_time: TimeAt::BodySeconds("timestamp"),
    },
    batch: Some(Batch { key: None }),
    #[cfg(any(test, feature = "signing"))]
    demo_secret: |label| {
        let der = demo_key(label).verifying_key().to_public_key_der();
        STANDARD.encode(der.map(|d| d.into_vec()).unwrap_or_default())
    },
    #[cfg(any(test, feature = "signing"))]
    demo_signing_secret: Some(|label| STANDARD.encode(demo_key(label).to_bytes())),
    ..Sender::BASE
};

const SIGNATURE_HEADER: &str = "x-twilio-email-event-webhook-signature";
const TIMESTAMP_HEADER: &str = "x-twilio-email-event-webhook-timestamp";

/// The tenant's verification keys (each with its DER, to compare tenants), or the sender's
/// private key.
struct EcdsaKeys {
    public: Vec<(Vec<u8>, VerifyingKey)>,
    private: Option<SigningKey>,
}

impl std::fmt::Debug for EcdsaKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EcdsaKeys({} public", self.public.len())?;
        f.write_str(if self.private.is_some() {
            ", 1 private)"
        } else {
            ")"
        })
    }
}

/// A receiver's list holds verification keys only; the signing tooling's, one private key
/// (base64 of its 32-byte scalar).
fn read(input: &KeyInput<'_>, signer: bool) -> Result<Arc<dyn Keys>, String> {
    let mut keys = EcdsaKeys {
        public: Vec::new(),
        private: None,
    };
    for (i, entry) in input.secrets.iter().enumerate() {
        let bytes = STANDARD
            .decode(entry)
            .map_err(|_| format!("secret #{}: must be base64", i + 1))?;
        if let Ok(key) = VerifyingKey::from_public_key_der(&bytes) {
            keys.public.push((bytes, key));
        } else if let (true, Ok(key)) = (signer, SigningKey::from_slice(&bytes)) {
            keys.public.push((Vec::new(), *key.verifying_key()));
            keys.private = Some(key);
        } else {
            return Err(format!(
                "secret #{}: is not a P-256 verification key (base64 DER SubjectPublicKeyInfo, as SendGrid shows it)",
                i + 1
            ));
        }
    }
    Ok(Arc::new(keys))
}

#[cfg(any(test, feature = "signing"))]
/// The demo tenant `label`'s private key.
fn demo_key(label: &str) -> SigningKey {
    // A SHA-256 output is below the group order but with negligible probability; the label
    // is changed until it is not.
    (0u32..)
        .find_map(|n| SigningKey::from_slice(&demo_seed(&format!("{label} p256 {n}"))).ok())
        .unwrap_or_else(|| unreachable!("some seed is a scalar"))
}

/// The signed bytes' SHA-256 (verify and sign alike): the timestamp header, then the body.
fn digest(timestamp: &str, body: &[u8]) -> [u8; 32] {
    Sha256::new()
        .chain_update(timestamp)
        .chain_update(body)
        .finalize()
        .into()
}

impl Keys for EcdsaKeys {
    fn verify(&self, r: &Request<'_, '_>) -> Result<Proof, SignatureError> {
        let signature = required_header(r.headers, SIGNATURE_HEADER)?;
        let ts = required_header(r.headers, TIMESTAMP_HEADER)?;
        let timestamp = parse_unix_seconds(ts)?;
        let signature = STANDARD
            .decode(signature)
            .ok()
            .and_then(|der| Signature::from_der(&der).ok())
            .ok_or(SignatureError::Invalid)?;
        // Hashed once, whatever the number of keys.
        let digest = digest(ts, r.body);
        if !self
            .public
            .iter()
            .any(|(_, key)| key.verify_prehash(&digest, &signature).is_ok())
        {
            return Err(SignatureError::Invalid);
        }
        Ok(Proof {
            signed_at: Some(check_tolerance(timestamp, r.now, r.tolerance)?),
            ..Proof::default()
        })
    }

    #[cfg(any(test, feature = "signing"))]
    fn sign(&self, d: &Delivery<'_>) -> Vec<(HeaderRole, &'static str, String)> {
        let Some(key) = &self.private else {
            return Vec::new();
        };
        let ts = d.timestamp.to_string();
        let Ok(signature): Result<Signature, _> = key.sign_prehash(&digest(&ts, d.body)) else {
            return Vec::new();
        };
        vec![
            (HeaderRole::Timestamp, TIMESTAMP_HEADER, ts),
            (
                HeaderRole::Signature,
                SIGNATURE_HEADER,
                STANDARD.encode(signature.to_der().as_bytes()),
            ),
        ]
    }

    fn material(&self) -> Vec<&[u8]> {
        self.public.iter().map(|(der, _)| der.as_slice()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{check, signed_value};
    use super::*;

    const BODY: &[u8] = br#"[{"email":"a@example.com","event":"delivered","sg_event_id":"ZGVsaXZlcmVk","timestamp":1795867140}]"#;

    #[test]
    fn the_timestamp_and_body_are_signed_by_the_private_key() {
        let public = (SENDER.demo_secret)("t");
        let d = Delivery {
            timestamp: 1_795_867_200,
            body: BODY,
            ..Delivery::default()
        };
        let private = SENDER.demo_signing_secret("t");
        let sig = signed_value(&SENDER, &private, HeaderRole::Signature, &d);
        let verify = |ts: &str, body: &[u8], now: i64| {
            check(
                &SENDER,
                &public,
                &[(SIGNATURE_HEADER, Some(&sig)), (TIMESTAMP_HEADER, Some(ts))],
                body,
                now,
            )
        };
        assert!(verify("1795867200", BODY, 1_795_867_200).is_ok());
        assert_eq!(
            verify("1795867201", BODY, 1_795_867_200),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            verify("1795867200", &BODY[1..], 1_795_867_200),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            verify("1795867200", BODY, 1_795_867_501),
            Err(SignatureError::TimestampOutOfTolerance)
        );
        // Another tenant's key does not verify it.
        let other = (SENDER.demo_secret)("other");
        let result = check(
            &SENDER,
            &other,
            &[
                (SIGNATURE_HEADER, Some(&sig)),
                (TIMESTAMP_HEADER, Some("1795867200")),
            ],
            BODY,
            1_795_867_200,
        );
        assert_eq!(result, Err(SignatureError::Invalid));
    }

    #[test]
    fn a_receiver_holds_verification_keys_only() {
        let private = SENDER.demo_signing_secret("t");
        let err = super::super::Verifier::new(&SENDER, &private).unwrap_err();
        assert!(
            err.contains("secret #1: is not a P-256 verification key"),
            "{err}"
        );
        assert!(!err.contains(&private));
        assert!(super::super::Verifier::new(&SENDER, "not-base64!").is_err());
    }
}
