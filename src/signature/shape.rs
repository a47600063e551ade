//! Signature shapes a sender declares instead of programming: the code of a shape is here once,
//! and a sender file fills in its constants. One signed-layout function serves verify and sign.
//!
//! - [`TimestampedHmac`]: an HMAC-SHA256 (hex) of `{before}{t}{between}{body}`, where `t` is a
//!   signed time (seconds or milliseconds) written in a header by one of a few grammars: Stripe,
//!   Paddle, WorkOS, Slack.
//! - [`BodyHmac`]: an HMAC-SHA256 of the body alone in one header, hex or base64, with the
//!   delivery-id header the sender sets beside it (not signed), if any: GitHub, Shopify, Meta.
//! - [`SignedByKey`]: an Ed25519 signature, by the sender's private key, of the timestamp
//!   header's bytes and the body; the tenant lists public keys: Discord.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::{
    check_tolerance, check_tolerance_ms, decode_hex_mac, id_header, parse_unix_millis,
    parse_unix_seconds, required_header, HmacKeys, KeyInput, Keys, PrivateKey, Proof, PublicKeys,
    Request, SignatureError,
};
#[cfg(any(test, feature = "signing"))]
use super::{demo_seed, Delivery, HeaderRole};

/// Most `key=value` items a header may hold: bounds the work a hostile header can cause.
const MAX_ITEMS: usize = 32;

/// An HMAC-SHA256, hex, of `{before}{t}{between}{body}` with the secret string's bytes, `t`
/// exactly as sent; `t` within the tolerance, checked after the signature.
#[derive(Debug)]
pub(crate) struct TimestampedHmac {
    /// Where the time and the signatures are written.
    pub(crate) grammar: Grammar,
    /// What the signed bytes start with, before the time.
    pub(crate) before: &'static str,
    /// What stands between the time and the body.
    pub(crate) between: &'static str,
    pub(crate) unit: Unit,
}

/// How a timestamped HMAC's header is written.
#[derive(Debug)]
pub(crate) enum Grammar {
    /// One header of `key=value` items joined by `separator` (`t=…,v1=…`, `ts=…;h1=…`): the time
    /// once, one or more signatures (an undecodable one is skipped), at most 32 items. `others`:
    /// whether an item of another key is ignored (a version the receiver does not check) or
    /// makes the header malformed.
    Items {
        header: &'static str,
        separator: &'static str,
        time: &'static str,
        signature: &'static str,
        others: Others,
    },
    /// Exactly `{time}{t}{separator}{signature}{hex}` in one header (`t=…, v1=…`).
    Pair {
        header: &'static str,
        time: &'static str,
        separator: &'static str,
        signature: &'static str,
    },
    /// The time in a header of its own; one signature behind `prefix` in another (`v0=…`).
    Headers {
        signature: &'static str,
        prefix: &'static str,
        timestamp: &'static str,
    },
}

/// What an item of an unknown key in a header means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Others {
    Ignored,
    Refused,
}

/// The signed time's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Seconds,
    Millis,
}

impl TimestampedHmac {
    /// A tenant's keys: its secret strings' bytes.
    pub(crate) fn keys(&'static self, input: &KeyInput<'_>) -> Result<Arc<dyn Keys>, String> {
        Ok(Arc::new(ShapedKeys {
            shape: self,
            keys: HmacKeys::from_strings(input.secrets)?,
        }))
    }

    /// The signed bytes (verify and sign alike).
    fn signed<'a>(&self, t: &'a str, body: &'a [u8]) -> [&'a [u8]; 4] {
        [
            self.before.as_bytes(),
            t.as_bytes(),
            self.between.as_bytes(),
            body,
        ]
    }

    /// The time exactly as sent, and the candidate signatures (at least one).
    fn read<'h>(&self, r: &Request<'h, '_>) -> Result<(&'h str, Vec<Vec<u8>>), SignatureError> {
        match self.grammar {
            Grammar::Items {
                header,
                separator,
                time,
                signature,
                others,
            } => {
                let items: Vec<&str> = required_header(r.headers, header)?
                    .split(separator.trim())
                    .map(str::trim)
                    .collect();
                if items.len() > MAX_ITEMS {
                    return Err(SignatureError::Invalid);
                }
                let mut t = None;
                let mut candidates = Vec::new();
                for item in items {
                    match item.split_once('=').ok_or(SignatureError::Invalid)? {
                        (key, _) if key == time && t.is_some() => {
                            return Err(SignatureError::Invalid)
                        }
                        (key, value) if key == time => t = Some(value),
                        (key, value) if key == signature => {
                            candidates.extend(decode_hex_mac(value))
                        }
                        _ if others == Others::Refused => return Err(SignatureError::Invalid),
                        _ => {}
                    }
                }
                let t = t.ok_or(SignatureError::Invalid)?;
                if candidates.is_empty() {
                    return Err(SignatureError::Invalid);
                }
                Ok((t, candidates))
            }
            Grammar::Pair {
                header,
                time,
                separator,
                signature,
            } => {
                let (t, candidate) = required_header(r.headers, header)?
                    .split_once(separator)
                    .and_then(|(t, s)| Some((t.strip_prefix(time)?, s.strip_prefix(signature)?)))
                    .ok_or(SignatureError::Invalid)?;
                let candidate = decode_hex_mac(candidate).ok_or(SignatureError::Invalid)?;
                Ok((t, vec![candidate]))
            }
            Grammar::Headers {
                signature,
                prefix,
                timestamp,
            } => {
                let candidate = required_header(r.headers, signature)?;
                let t = required_header(r.headers, timestamp)?;
                let candidate = candidate
                    .strip_prefix(prefix)
                    .and_then(decode_hex_mac)
                    .ok_or(SignatureError::Invalid)?;
                Ok((t, vec![candidate]))
            }
        }
    }

    /// The headers that carry time `t` and signature `hex`.
    #[cfg(any(test, feature = "signing"))]
    fn write(&self, t: String, hex: String) -> Vec<(HeaderRole, &'static str, String)> {
        match self.grammar {
            Grammar::Items {
                header,
                separator,
                time,
                signature,
                ..
            } => vec![(
                HeaderRole::Signature,
                header,
                format!("{time}={t}{separator}{signature}={hex}"),
            )],
            Grammar::Pair {
                header,
                time,
                separator,
                signature,
            } => vec![(
                HeaderRole::Signature,
                header,
                format!("{time}{t}{separator}{signature}{hex}"),
            )],
            Grammar::Headers {
                signature,
                prefix,
                timestamp,
            } => vec![
                (HeaderRole::Timestamp, timestamp, t),
                (HeaderRole::Signature, signature, format!("{prefix}{hex}")),
            ],
        }
    }
}

/// A tenant's keys for a [`TimestampedHmac`] sender.
#[derive(Debug)]
struct ShapedKeys {
    shape: &'static TimestampedHmac,
    keys: HmacKeys,
}

impl Keys for ShapedKeys {
    fn verify(&self, r: &Request<'_, '_>) -> Result<Proof, SignatureError> {
        let (t, candidates) = self.shape.read(r)?;
        let time = match self.shape.unit {
            Unit::Seconds => parse_unix_seconds(t)?,
            Unit::Millis => parse_unix_millis(t)?,
        };
        if !self
            .keys
            .any_matches(&self.shape.signed(t, r.body), &candidates)
        {
            return Err(SignatureError::Invalid);
        }
        // After the signature, so an unsigned caller learns nothing about our clock.
        let signed_at = match self.shape.unit {
            Unit::Seconds => check_tolerance(time, r.now, r.tolerance)?,
            Unit::Millis => check_tolerance_ms(time, r.now, r.tolerance)?,
        };
        Ok(Proof {
            signed_at: Some(signed_at),
            ..Proof::default()
        })
    }

    #[cfg(any(test, feature = "signing"))]
    fn sign(&self, d: &Delivery<'_>) -> Vec<(HeaderRole, &'static str, String)> {
        // The signing command's times are whole seconds.
        let t = match self.shape.unit {
            Unit::Seconds => d.timestamp,
            Unit::Millis => d.timestamp.saturating_mul(1000),
        }
        .to_string();
        let mac = self.keys.first_mac(&self.shape.signed(&t, d.body));
        self.shape.write(t, hex::encode(mac))
    }

    fn material(&self) -> Vec<&[u8]> {
        self.keys.material()
    }

    fn handshake_mac(&self, message: &[u8]) -> Option<Vec<u8>> {
        Some(self.keys.first_mac(&[message]))
    }
}

/// An HMAC-SHA256 of the body alone, behind `prefix` in one header, keyed with the secret
/// string's bytes. Nothing dates it: replays are caught by the delivery record and ordering.
#[derive(Debug)]
pub(crate) struct BodyHmac {
    pub(crate) header: &'static str,
    pub(crate) prefix: &'static str,
    pub(crate) encoding: Encoding,
    /// The delivery id the sender sets beside the signature (required; not signed), if it
    /// sets one.
    pub(crate) id_header: Option<&'static str>,
}

/// How a MAC is written in its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Hex,
    Base64,
}

impl Encoding {
    /// A SHA-256 MAC (32 bytes) as written, or nothing.
    fn decode(self, s: &str) -> Option<Vec<u8>> {
        match self {
            Encoding::Hex => decode_hex_mac(s),
            Encoding::Base64 => self.bytes(s).filter(|c| c.len() == 32),
        }
    }

    /// Any bytes as written.
    fn bytes(self, s: &str) -> Option<Vec<u8>> {
        match self {
            Encoding::Hex => hex::decode(s).ok(),
            Encoding::Base64 => STANDARD.decode(s).ok(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Encoding::Hex => "hexadecimal",
            Encoding::Base64 => "base64",
        }
    }

    #[cfg(any(test, feature = "signing"))]
    fn encode(self, mac: &[u8]) -> String {
        match self {
            Encoding::Hex => hex::encode(mac),
            Encoding::Base64 => STANDARD.encode(mac),
        }
    }
}

impl BodyHmac {
    /// A tenant's keys: its secret strings' bytes.
    pub(crate) fn keys(&'static self, input: &KeyInput<'_>) -> Result<Arc<dyn Keys>, String> {
        Ok(Arc::new(BodyKeys {
            shape: self,
            keys: HmacKeys::from_strings(input.secrets)?,
        }))
    }
}

/// A tenant's keys for a [`BodyHmac`] sender.
#[derive(Debug)]
struct BodyKeys {
    shape: &'static BodyHmac,
    keys: HmacKeys,
}

impl Keys for BodyKeys {
    fn verify(&self, r: &Request<'_, '_>) -> Result<Proof, SignatureError> {
        let signature = required_header(r.headers, self.shape.header)?;
        let id = match self.shape.id_header {
            Some(name) => Some(id_header(r.headers, name)?.ok_or(SignatureError::Missing)?),
            None => None,
        };
        let candidate = signature
            .strip_prefix(self.shape.prefix)
            .and_then(|s| self.shape.encoding.decode(s))
            .ok_or(SignatureError::Invalid)?;
        if !self.keys.any_matches(&[r.body], &[candidate]) {
            return Err(SignatureError::Invalid);
        }
        Ok(Proof {
            unsigned_id: id,
            ..Proof::default()
        })
    }

    #[cfg(any(test, feature = "signing"))]
    fn sign(&self, d: &Delivery<'_>) -> Vec<(HeaderRole, &'static str, String)> {
        let mac = self.keys.first_mac(&[d.body]);
        let id = self
            .shape
            .id_header
            .map(|name| (HeaderRole::Id, name, d.id.to_owned()));
        id.into_iter()
            .chain([(
                HeaderRole::Signature,
                self.shape.header,
                format!("{}{}", self.shape.prefix, self.shape.encoding.encode(&mac)),
            )])
            .collect()
    }

    fn material(&self) -> Vec<&[u8]> {
        self.keys.material()
    }
}

/// An Ed25519 signature (strict verification) by the sender's private key of
/// `{t}{between}{body}`, `t` the timestamp header's bytes (Unix seconds, within the tolerance,
/// checked after the signature). The tenant lists the sender's public keys (32 bytes each); the
/// signing tooling holds the private one (seed then public key, 64 bytes, as NaCl exports it).
#[derive(Debug)]
pub(crate) struct SignedByKey {
    pub(crate) signature: &'static str,
    pub(crate) timestamp: &'static str,
    pub(crate) between: &'static str,
    /// How the signature and the keys are written.
    pub(crate) encoding: Encoding,
    /// What the public key is called where it is shown ("the application's public key").
    pub(crate) key_name: &'static str,
}

/// Whose keys are read: a receiver's (public) or the sender's (the signing tooling's, the
/// only reader of `Sender`).
#[cfg_attr(not(any(test, feature = "signing")), allow(dead_code))]
#[derive(Clone, Copy, PartialEq, Eq)]
enum Holder {
    Receiver,
    Sender,
}

impl SignedByKey {
    /// A tenant's keys: public keys only (a private key fails init, named, never shown).
    pub(crate) fn keys(&'static self, input: &KeyInput<'_>) -> Result<Arc<dyn Keys>, String> {
        self.read(input.secrets, Holder::Receiver)
    }

    #[cfg(any(test, feature = "signing"))]
    /// What the sender signs with (the signing tooling).
    pub(crate) fn signing_keys(
        &'static self,
        input: &KeyInput<'_>,
    ) -> Result<Arc<dyn Keys>, String> {
        self.read(input.secrets, Holder::Sender)
    }

    #[cfg(any(test, feature = "signing"))]
    /// A demo tenant's public key.
    pub(crate) fn demo_public(&self, label: &str) -> String {
        self.encoding
            .encode(&PrivateKey::from_seed(&demo_seed(label)).public())
    }

    #[cfg(any(test, feature = "signing"))]
    /// What signs for that demo tenant: its private key, seed then public key.
    pub(crate) fn demo_private(&self, label: &str) -> String {
        let seed = demo_seed(label);
        self.encoding
            .encode(&[seed, PrivateKey::from_seed(&seed).public()].concat())
    }

    fn read(&'static self, list: &[&str], holder: Holder) -> Result<Arc<dyn Keys>, String> {
        let (encoding, key_name) = (self.encoding.name(), self.key_name);
        let mut public = Vec::new();
        let mut private = None;
        for (i, entry) in list.iter().enumerate() {
            let at = |why: String| format!("secret #{}: {why}", i + 1);
            let bytes = self
                .encoding
                .bytes(entry)
                .ok_or_else(|| at(format!("must be {encoding}")))?;
            match (holder, bytes.len()) {
                (Holder::Receiver, 32) => public.push(
                    <[u8; 32]>::try_from(bytes.as_slice())
                        .map_err(|_| at(format!("must be {key_name}")))?,
                ),
                // A 64-byte secret key (seed and public key, as NaCl exports it).
                (Holder::Receiver, 64) => {
                    return Err(at(format!(
                        "is a private key, which belongs to the sender: list {key_name} \
                         (32 bytes, {encoding}) instead"
                    )))
                }
                // The 64-byte secret key only: a 32-byte value could be the public key, which
                // signs nothing.
                (Holder::Sender, 64) if private.is_none() => {
                    let key = <[u8; 32]>::try_from(&bytes[..32])
                        .ok()
                        .map(|seed| PrivateKey::from_seed(&seed))
                        .filter(|key| bytes[32..] == key.public())
                        .ok_or_else(|| {
                            at("is not an Ed25519 secret key (seed, then public key)".into())
                        })?;
                    private = Some(key);
                }
                _ => return Err(at(format!("must be {key_name}: 32 bytes, {encoding}"))),
            }
        }
        let public = PublicKeys::from_bytes(&public)
            .map_err(|i| format!("secret #{}: is not an Ed25519 public key", i + 1))?;
        Ok(Arc::new(KeyPair {
            shape: self,
            public,
            private,
        }))
    }
}

/// A tenant's public keys for a [`SignedByKey`] sender, or the sender's private key.
#[derive(Debug)]
struct KeyPair {
    shape: &'static SignedByKey,
    public: PublicKeys,
    /// Only the signing tooling's keys have one, and only it signs.
    #[cfg_attr(not(any(test, feature = "signing")), allow(dead_code))]
    private: Option<PrivateKey>,
}

impl Keys for KeyPair {
    fn verify(&self, r: &Request<'_, '_>) -> Result<Proof, SignatureError> {
        let signature = required_header(r.headers, self.shape.signature)?;
        let ts = required_header(r.headers, self.shape.timestamp)?;
        let timestamp = parse_unix_seconds(ts)?;
        let signature: [u8; 64] = self
            .shape
            .encoding
            .bytes(signature)
            .and_then(|s| s.try_into().ok())
            .ok_or(SignatureError::Invalid)?;
        let signed = [ts.as_bytes(), self.shape.between.as_bytes(), r.body];
        if !self.public.any_verifies(&signed, &[signature]) {
            return Err(SignatureError::Invalid);
        }
        let signed_at = check_tolerance(timestamp, r.now, r.tolerance)?;
        Ok(Proof {
            signed_at: Some(signed_at),
            ..Proof::default()
        })
    }

    #[cfg(any(test, feature = "signing"))]
    fn sign(&self, d: &Delivery<'_>) -> Vec<(HeaderRole, &'static str, String)> {
        let Some(key) = &self.private else {
            return Vec::new();
        };
        let ts = d.timestamp.to_string();
        let signature = key.sign(&[ts.as_bytes(), self.shape.between.as_bytes(), d.body]);
        vec![
            (HeaderRole::Timestamp, self.shape.timestamp, ts),
            (
                HeaderRole::Signature,
                self.shape.signature,
                self.shape.encoding.encode(&signature),
            ),
        ]
    }

    fn material(&self) -> Vec<&[u8]> {
        self.public.material()
    }
}
