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

use hmac::{KeyInit, Mac};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::{
    check_tolerance, check_tolerance_ms, decode_hex_mac, id_header, parse_unix_millis,
    parse_unix_seconds, requested_url, required_header, HmacKeys, KeyInput, Keys, PrivateKey,
    Proof, PublicKeys, Request, SignatureError,
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

/// An HMAC of the body (after the URL the sender requested, where it signs that), behind
/// `prefix` in one header, keyed with the secret string's bytes. Nothing dates it: replays are
/// caught by the delivery record and ordering. A sender spreads [`BodyHmac::BASE`] and names
/// only what differs.
#[derive(Debug)]
pub(crate) struct BodyHmac {
    pub(crate) header: &'static str,
    pub(crate) prefix: &'static str,
    pub(crate) encoding: Encoding,
    /// The delivery id the sender sets beside the signature (required; not signed), if it
    /// sets one.
    pub(crate) id_header: Option<&'static str>,
    /// The hash under the HMAC.
    pub(crate) hash: Hash,
    /// Where the header holds several `prefix`-MAC entries (one per active secret), what
    /// separates them; an entry of another prefix (another version) is ignored. `None`: the
    /// header is one entry.
    pub(crate) entries: Option<&'static str>,
    /// Whether the URL the sender requested is signed before the body: the tenant's
    /// `public_url`, then `?` and the query when there is one (the sender also sets
    /// `signs_url`, so the tenant must name it).
    pub(crate) url: bool,
}

/// The hash an HMAC shape uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha256,
    /// Only where a sender still signs with it (Intercom).
    Sha1,
}

impl Hash {
    /// The MAC's length in bytes.
    fn len(self) -> usize {
        match self {
            Hash::Sha256 => 32,
            Hash::Sha1 => 20,
        }
    }
}

/// How a MAC is written in its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Hex,
    Base64,
}

impl Encoding {
    /// A MAC of `len` bytes as written, or nothing.
    fn decode(self, s: &str, len: usize) -> Option<Vec<u8>> {
        self.bytes(s).filter(|c| c.len() == len)
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
    /// What a body-HMAC sender leaves out: hex SHA-256 of the body alone, no prefix, one
    /// entry, no id header.
    pub(crate) const BASE: BodyHmac = BodyHmac {
        header: "",
        prefix: "",
        encoding: Encoding::Hex,
        id_header: None,
        hash: Hash::Sha256,
        entries: None,
        url: false,
    };

    /// A tenant's keys: its secret strings' bytes (and its `public_url`, where it is signed).
    pub(crate) fn keys(&'static self, input: &KeyInput<'_>) -> Result<Arc<dyn Keys>, String> {
        let url = match (self.url, input.public_url) {
            (false, _) => None,
            // Checked (`https://…`, no query) and required by the configuration.
            (true, Some(url)) => Some(url.to_owned()),
            (true, None) => return Err("needs the tenant's `public_url`".into()),
        };
        Ok(Arc::new(BodyKeys {
            shape: self,
            keys: HmacKeys::from_strings(input.secrets)?,
            url,
        }))
    }
}

/// A tenant's keys for a [`BodyHmac`] sender.
#[derive(Debug)]
struct BodyKeys {
    shape: &'static BodyHmac,
    keys: HmacKeys,
    /// The tenant's `public_url`, where the shape signs it.
    url: Option<String>,
}

impl BodyKeys {
    /// The URL signed before the body for a request with `query`, if the shape signs one.
    fn signed_url(&self, query: Option<&str>) -> Option<String> {
        Some(requested_url(self.url.as_deref()?, query))
    }

    /// Whether any candidate is the MAC of `parts` under any key.
    fn matches(&self, parts: &[&[u8]], candidates: &[Vec<u8>]) -> bool {
        match self.shape.hash {
            Hash::Sha256 => self.keys.any_matches(parts, candidates),
            Hash::Sha1 => self.keys.material().iter().any(|key| {
                candidates
                    .iter()
                    .any(|c| sha1_mac(key, parts).verify_slice(c).is_ok())
            }),
        }
    }

    /// The MAC of `parts` under the first key.
    #[cfg(any(test, feature = "signing"))]
    fn first_mac(&self, parts: &[&[u8]]) -> Vec<u8> {
        match self.shape.hash {
            Hash::Sha256 => self.keys.first_mac(parts),
            Hash::Sha1 => self.keys.material().first().map_or_else(Vec::new, |key| {
                sha1_mac(key, parts).finalize().into_bytes().to_vec()
            }),
        }
    }
}

/// HMAC-SHA1 of `parts` under `key`.
fn sha1_mac(key: &[u8], parts: &[&[u8]]) -> hmac::Hmac<sha1::Sha1> {
    // HMAC accepts keys of any length.
    let mut mac = <hmac::Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    for part in parts {
        mac.update(part);
    }
    mac
}

impl Keys for BodyKeys {
    fn verify(&self, r: &Request<'_, '_>) -> Result<Proof, SignatureError> {
        let signature = required_header(r.headers, self.shape.header)?;
        let id = match self.shape.id_header {
            Some(name) => Some(id_header(r.headers, name)?.ok_or(SignatureError::Missing)?),
            None => None,
        };
        let (prefix, len) = (self.shape.prefix, self.shape.hash.len());
        let candidates: Vec<Vec<u8>> = match self.shape.entries {
            None => vec![signature
                .strip_prefix(prefix)
                .and_then(|mac| self.shape.encoding.decode(mac, len))
                .ok_or(SignatureError::Invalid)?],
            Some(separator) => {
                let entries: Vec<&str> = signature.split(separator).map(str::trim).collect();
                if entries.len() > MAX_ITEMS {
                    return Err(SignatureError::Invalid);
                }
                entries
                    .iter()
                    .filter_map(|entry| entry.strip_prefix(prefix))
                    .map(|mac| self.shape.encoding.decode(mac, len))
                    .collect::<Option<_>>()
                    .ok_or(SignatureError::Invalid)?
            }
        };
        let url = self.signed_url(r.query);
        let parts: &[&[u8]] = match &url {
            Some(url) => &[url.as_bytes(), r.body],
            None => &[r.body],
        };
        if candidates.is_empty() || !self.matches(parts, &candidates) {
            return Err(SignatureError::Invalid);
        }
        Ok(Proof {
            unsigned_id: id,
            ..Proof::default()
        })
    }

    #[cfg(any(test, feature = "signing"))]
    fn sign(&self, d: &Delivery<'_>) -> Vec<(HeaderRole, &'static str, String)> {
        let url = self.signed_url(d.query);
        let mac = match &url {
            Some(url) => self.first_mac(&[url.as_bytes(), d.body]),
            None => self.first_mac(&[d.body]),
        };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;
    use std::time::Duration;

    const SECRET: &str = "a-body-hmac-secret-for-tests";
    const URL: &str = "https://hooks.example.com/webhooks/acme";
    static SHA1: BodyHmac = BodyHmac {
        header: "x-sig",
        prefix: "sha1=",
        hash: Hash::Sha1,
        ..BodyHmac::BASE
    };
    static ENTRIES: BodyHmac = BodyHmac {
        header: "x-sig",
        prefix: "v1=",
        entries: Some(","),
        ..BodyHmac::BASE
    };
    static URL_SIGNED: BodyHmac = BodyHmac {
        header: "x-sig",
        encoding: Encoding::Base64,
        url: true,
        ..BodyHmac::BASE
    };

    fn keys(shape: &'static BodyHmac, secrets: &[&str]) -> Arc<dyn Keys> {
        shape
            .keys(&KeyInput {
                secrets,
                public_url: Some(URL),
            })
            .unwrap()
    }

    fn verify(keys: &dyn Keys, sig: &str, query: Option<&str>, body: &[u8]) -> bool {
        let headers: http::HeaderMap =
            [(http::HeaderName::from_static("x-sig"), sig.parse().unwrap())]
                .into_iter()
                .collect();
        keys.verify(&Request {
            headers: &headers,
            query,
            body,
            form: false,
            now: Timestamp::from_unix_seconds(0),
            tolerance: Duration::from_secs(300),
        })
        .is_ok()
    }

    fn signature(keys: &dyn Keys, query: Option<&str>, body: &[u8]) -> String {
        let d = Delivery {
            query,
            body,
            ..Delivery::default()
        };
        keys.sign(&d).pop().unwrap().2
    }

    #[test]
    fn a_sha1_mac_is_twenty_bytes_of_hmac_sha1() {
        use hmac::{KeyInit, Mac};
        let k = keys(&SHA1, &[SECRET]);
        let sig = signature(k.as_ref(), None, b"{}");
        let mut want =
            <hmac::Hmac<sha1::Sha1> as KeyInit>::new_from_slice(SECRET.as_bytes()).unwrap();
        want.update(b"{}");
        assert_eq!(
            sig,
            format!("sha1={}", hex::encode(want.finalize().into_bytes()))
        );
        assert!(verify(k.as_ref(), &sig, None, b"{}"));
        assert!(!verify(k.as_ref(), &sig, None, b"{ }"));
        // A SHA-256 MAC's length is not a SHA-1 MAC.
        assert!(!verify(
            k.as_ref(),
            &format!("sha1={}", "ab".repeat(32)),
            None,
            b"{}"
        ));
    }

    #[test]
    fn any_entry_of_the_prefix_may_match_and_others_are_ignored() {
        let k = keys(&ENTRIES, &[SECRET]);
        let other = keys(&ENTRIES, &["another-body-hmac-secret-0001"]);
        let (good, bad) = (
            signature(k.as_ref(), None, b"{}"),
            signature(other.as_ref(), None, b"{}"),
        );
        for header in [
            good.clone(),
            format!("{bad},{good}"),
            format!("{bad}, {good}"),
            format!("v0=abc,{good}"),
        ] {
            assert!(verify(k.as_ref(), &header, None, b"{}"), "{header}");
        }
        for header in [
            bad.clone(),
            "v0=abc".into(),
            format!("{good},v1=zz"),
            vec![good.as_str(); 33].join(","),
        ] {
            assert!(!verify(k.as_ref(), &header, None, b"{}"), "{header}");
        }
    }

    #[test]
    fn a_signed_url_is_the_public_url_and_the_query() {
        let k = keys(&URL_SIGNED, &[SECRET]);
        let sig = signature(k.as_ref(), Some("a=1"), b"{}");
        assert!(verify(k.as_ref(), &sig, Some("a=1"), b"{}"));
        assert!(!verify(k.as_ref(), &sig, None, b"{}"));
        assert!(!verify(k.as_ref(), &sig, Some("a=2"), b"{}"));
        let no_url = URL_SIGNED.keys(&KeyInput {
            secrets: &[SECRET],
            public_url: None,
        });
        assert!(no_url.is_err());
    }
}
