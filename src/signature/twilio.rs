//! Twilio (`X-Twilio-Signature`): base64 HMAC-SHA1, keyed with the account's Auth Token, of the
//! full URL Twilio requested followed, for a form body, by every parameter name in sorted order
//! each followed by its values (sorted). The URL is the tenant's `public_url` (as entered in
//! Twilio's console; API Gateway stages, mappings and custom domains make it unrecoverable from
//! the event) plus `?` and the raw query string when there is one, tried as Twilio's own library
//! does with the scheme's default port added and removed. A JSON body is signed through the URL:
//! its query carries `bodySHA256=<hex SHA-256 of the body>`, which must match. A request that
//! names `algorithm=HMAC_SHA256` in `X-Twilio-Webhooks-Signature-Settings` (a SharedKey webhook)
//! is checked with HMAC-SHA256, as the library does. No id and no time are signed.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::domain::ContentKey;

#[cfg(any(test, feature = "signing"))]
use super::Delivery;
use super::{
    required_header, single_header, HeaderRole, HmacKeys, Keys, Proof, Request, Sender,
    SignatureError,
};

pub(super) const SENDER: Sender = Sender {
    name: "twilio",
    headers: &[(HeaderRole::Signature, SIGNATURE_HEADER)],
    keys: |input| {
        // Checked (`https://…`, no query) and required by the configuration for this sender.
        let url = input
            .public_url
            .ok_or("needs the tenant's `public_url`, the URL entered in Twilio's console")?;
        Ok(Arc::new(Twilio {
            tokens: HmacKeys::from_strings(input.secrets)?,
            urls: url_forms(url),
        }))
    },
    form_bodies: true,
    signs_url: true,
    ..Sender::BASE
};

const SIGNATURE_HEADER: &str = "x-twilio-signature";
const SETTINGS_HEADER: &str = "x-twilio-webhooks-signature-settings";
/// The query parameter that carries a JSON body's hash.
const BODY_HASH_PARAM: &str = "bodySHA256";
/// The hash parameter as it reads in a signed string.
const BODY_HASH_MARK: &str = "bodySHA256=";

#[derive(Debug)]
struct Twilio {
    /// The Auth Tokens (or SharedKey secrets), as strings' bytes; the same rules as any
    /// raw-string secret.
    tokens: HmacKeys,
    /// The public URL as configured, with its default port and without it.
    urls: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    Sha1,
    Sha256,
}

/// The HMAC of `data` under `key` with `algorithm`, ready to finish or verify.
fn keyed(key: &[u8], algorithm: Algorithm, data: &[&[u8]]) -> Box<dyn MacCheck> {
    match algorithm {
        Algorithm::Sha1 => Box::new(hmac_of::<Hmac<Sha1>>(key, data)),
        Algorithm::Sha256 => Box::new(hmac_of::<Hmac<Sha256>>(key, data)),
    }
}

fn hmac_of<M: Mac + KeyInit>(key: &[u8], data: &[&[u8]]) -> M {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <M as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    for part in data {
        mac.update(part);
    }
    mac
}

/// What the two HMACs share here: a constant-time check, or the bytes (signing).
trait MacCheck {
    fn verifies(self: Box<Self>, candidate: &[u8]) -> bool;
    #[cfg(any(test, feature = "signing"))]
    fn bytes(self: Box<Self>) -> Vec<u8>;
}

impl<M: Mac> MacCheck for M {
    fn verifies(self: Box<Self>, candidate: &[u8]) -> bool {
        self.verify_slice(candidate).is_ok()
    }
    #[cfg(any(test, feature = "signing"))]
    fn bytes(self: Box<Self>) -> Vec<u8> {
        self.finalize().into_bytes().to_vec()
    }
}

impl Keys for Twilio {
    fn verify(&self, r: &Request<'_, '_>) -> Result<Proof, SignatureError> {
        let signature = required_header(r.headers, SIGNATURE_HEADER)?;
        let algorithm = algorithm(single_header(r.headers, SETTINGS_HEADER)?)?;
        let candidate = STANDARD
            .decode(signature)
            .map_err(|_| SignatureError::Invalid)?;
        let form = r.form;
        if !form {
            // A JSON body's own bytes are signed through their hash in the query.
            let hash = hex::encode(Sha256::digest(r.body));
            let named = r.query.is_some_and(|q| {
                form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k == BODY_HASH_PARAM && v == hash)
            });
            if !named {
                return Err(SignatureError::Invalid);
            }
        }
        let signed = signed_after_url(r.query, r.body, form);
        // The signed string has no separator between the query and a form's parameters, so
        // text moves between them (a JSON request's query into a form's body, say) and verifies
        // alike. Twilio hashes JSON bodies only: a form whose signed string names the hash
        // carries a JSON request's signature.
        if form && signed.contains(BODY_HASH_MARK) {
            return Err(SignatureError::Invalid);
        }
        let keys = self.tokens.material();
        let matched = self.urls.iter().any(|url| {
            keys.iter().any(|key| {
                keyed(key, algorithm, &[url.as_bytes(), signed.as_bytes()]).verifies(&candidate)
            })
        });
        if !matched {
            return Err(SignatureError::Invalid);
        }
        // Keyed by exactly what was signed after the URL: every re-encoding, reordering or
        // query/parameter split of one captured request is one delivery.
        Ok(Proof {
            content_key: Some(ContentKey::of_sha256(&hex::encode(Sha256::digest(signed)))),
            ..Proof::default()
        })
    }

    #[cfg(any(test, feature = "signing"))]
    fn sign(&self, d: &Delivery<'_>) -> Vec<(HeaderRole, &'static str, String)> {
        let (Some(key), Some(url)) = (self.tokens.material().first().copied(), self.urls.first())
        else {
            return Vec::new();
        };
        let query = self.query(d).or_else(|| d.query.map(str::to_owned));
        let signed = signed_after_url(query.as_deref(), d.body, d.form);
        let signature = keyed(key, Algorithm::Sha1, &[url.as_bytes(), signed.as_bytes()]).bytes();
        vec![(
            HeaderRole::Signature,
            SIGNATURE_HEADER,
            STANDARD.encode(signature),
        )]
    }

    #[cfg(any(test, feature = "signing"))]
    /// A JSON body's request carries its hash in the query, as Twilio sends it.
    fn query(&self, d: &Delivery<'_>) -> Option<String> {
        if d.form {
            return None;
        }
        let hash = format!("{BODY_HASH_PARAM}={}", hex::encode(Sha256::digest(d.body)));
        Some(match d.query.filter(|q| !q.is_empty()) {
            Some(q) if q.contains(BODY_HASH_PARAM) => q.to_owned(),
            Some(q) => format!("{q}&{hash}"),
            None => hash,
        })
    }

    fn material(&self) -> Vec<&[u8]> {
        self.tokens.material()
    }
}

/// The algorithm a SharedKey webhook names; the Auth Token's HMAC-SHA1 without one. An
/// algorithm Twilio's library does not know fails, as it does there.
fn algorithm(settings: Option<&str>) -> Result<Algorithm, SignatureError> {
    let named = settings
        .into_iter()
        .flat_map(|s| s.split(','))
        .find_map(|part| {
            let (name, value) = part.split_once('=')?;
            (name.trim() == "algorithm" && !value.trim().is_empty()).then(|| value.trim())
        });
    match named.map(str::to_ascii_uppercase).as_deref() {
        None | Some("HMAC_SHA1") => Ok(Algorithm::Sha1),
        Some("HMAC_SHA256") => Ok(Algorithm::Sha256),
        Some(_) => Err(SignatureError::Invalid),
    }
}

/// What Twilio signs after the URL: `?` and the query when there is one, then, for a form, its
/// sorted parameters (JSON bodies are signed through the query's hash).
fn signed_after_url(query: Option<&str>, body: &[u8], form: bool) -> String {
    let mut signed = query.map(|q| format!("?{q}")).unwrap_or_default();
    if form {
        signed.push_str(&sorted_params(body));
    }
    signed
}

/// Every parameter name in sorted order, each followed by its values (sorted, each once), as
/// Twilio's library concatenates them.
fn sorted_params(body: &[u8]) -> String {
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    pairs.dedup();
    pairs.into_iter().map(|(k, v)| k + &v).collect()
}

/// The URL with its port removed, and with the scheme's default port added when it has none:
/// the two forms Twilio's library tries (which one Twilio signed depends on how the URL was
/// entered).
fn url_forms(url: &str) -> Vec<String> {
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => (host, Some(port)),
        _ => (authority, None),
    };
    let default = if scheme.eq_ignore_ascii_case("http") {
        "80"
    } else {
        "443"
    };
    let without_port = format!("{scheme}://{host}{path}");
    let with_port = format!("{scheme}://{host}:{}{path}", port.unwrap_or(default));
    vec![without_port, with_port]
}

#[cfg(test)]
mod tests {
    use super::super::KeyInput;
    use super::*;

    const TOKEN: &str = "12345678901234567890123456789012";
    const URL: &str = "https://mycompany.example/myapp";
    const FORM: &str = "application/x-www-form-urlencoded";

    fn keys(url: &str) -> Arc<dyn Keys> {
        (SENDER.keys)(&KeyInput {
            secrets: &[TOKEN],
            public_url: Some(url),
        })
        .unwrap()
    }

    fn headers(signature: &str, content_type: &'static str) -> http::HeaderMap {
        [
            (
                http::HeaderName::from_static(SIGNATURE_HEADER),
                http::HeaderValue::from_str(signature).unwrap(),
            ),
            (
                http::HeaderName::from_static("content-type"),
                http::HeaderValue::from_static(content_type),
            ),
        ]
        .into_iter()
        .collect()
    }

    fn verify(
        keys: &dyn Keys,
        headers: &http::HeaderMap,
        query: Option<&str>,
        body: &[u8],
    ) -> Result<Proof, SignatureError> {
        let form = headers.get("content-type").is_some_and(|v| v == FORM);
        keys.verify(&Request {
            headers,
            query,
            body,
            form,
            now: crate::clock::Timestamp::from_unix_seconds(0),
            tolerance: std::time::Duration::from_secs(300),
        })
    }

    #[test]
    fn ports_are_added_and_removed() {
        assert_eq!(
            url_forms("https://a.example/x"),
            ["https://a.example/x", "https://a.example:443/x"]
        );
        assert_eq!(
            url_forms("https://a.example:443/x"),
            ["https://a.example/x", "https://a.example:443/x"]
        );
        // A port other than the default is kept, never replaced by it.
        assert_eq!(
            url_forms("https://a.example:8443/x"),
            ["https://a.example/x", "https://a.example:8443/x"]
        );
    }

    #[test]
    fn params_are_sorted_by_name_then_value() {
        assert_eq!(
            sorted_params(b"To=%2B1&Body=hi+there&From=x&Body=a"),
            "BodyaBodyhi thereFromxTo+1"
        );
    }

    #[test]
    fn a_form_body_and_its_url_are_signed() {
        let body: &[u8] = b"CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&To=%2B18005551212";
        let k = keys(URL);
        let sig = k.sign(&Delivery {
            query: Some("foo=1"),
            body,
            form: true,
            ..Delivery::default()
        })[0]
            .2
            .clone();
        let h = headers(&sig, FORM);
        assert!(verify(k.as_ref(), &h, Some("foo=1"), body).is_ok());
        // The URL with the port Twilio may have signed instead verifies too.
        let k443 = keys("https://mycompany.example:443/myapp");
        assert!(verify(k443.as_ref(), &h, Some("foo=1"), body).is_ok());
        assert_eq!(
            verify(k.as_ref(), &h, Some("foo=2"), body),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            verify(k.as_ref(), &h, None, body),
            Err(SignatureError::Invalid)
        );
        let tampered = &body[..body.len() - 1];
        assert_eq!(
            verify(k.as_ref(), &h, Some("foo=1"), tampered),
            Err(SignatureError::Invalid)
        );
        // Reordered, re-encoded or repeated pairs verify alike: they key the same delivery.
        let id = |body: &[u8]| {
            verify(k.as_ref(), &h, Some("foo=1"), body)
                .unwrap()
                .content_key
                .unwrap()
        };
        let reordered: &[u8] = b"To=%2B18005551212&CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&Digits=1234&";
        assert_eq!(id(body), id(reordered));
        // A form of no parameters, however it is written, is one delivery too.
        let empty = k.sign(&Delivery {
            form: true,
            ..Delivery::default()
        })[0]
            .2
            .clone();
        let h = headers(&empty, FORM);
        let id = |body: &[u8]| {
            verify(k.as_ref(), &h, None, body)
                .unwrap()
                .content_key
                .unwrap()
        };
        assert_eq!(id(b""), id(b"&&"));
    }

    #[test]
    fn a_form_under_a_json_signature_is_refused() {
        let k = keys(URL);
        let d = Delivery {
            body: b"{}",
            ..Delivery::default()
        };
        let query = k.query(&d).unwrap();
        let h = headers(&k.sign(&d)[0].2, FORM);
        for empty in [&b""[..], b"&", b"&&"] {
            assert_eq!(
                verify(k.as_ref(), &h, Some(&query), empty),
                Err(SignatureError::Invalid)
            );
        }
    }

    /// Twilio's signed string runs the query and a form's parameters together: text moved
    /// between them verifies, and is keyed as the same delivery; a JSON request's query moved
    /// into a form is refused.
    #[test]
    fn a_query_moved_into_the_parameters_is_the_same_delivery() {
        let k = keys(URL);
        let verify_form = |sig: &str, query: Option<&str>, body: &[u8]| {
            verify(k.as_ref(), &headers(sig, FORM), query, body)
        };
        let body: &[u8] = b"Body=hi&From=%2B1";
        let d = Delivery {
            query: Some("src=console"),
            body,
            form: true,
            ..Delivery::default()
        };
        let sig = k.sign(&d)[0].2.clone();
        let original = verify_form(&sig, Some("src=console"), body).unwrap();
        // `?src=console` becomes a parameter named so, which sorts first.
        let moved = verify_form(&sig, None, b"%3Fsrc%3Dconsole=&Body=hi&From=%2B1").unwrap();
        assert_eq!(original.content_key, moved.content_key);
        assert!(original.signed_id.is_none() && original.unsigned_id.is_none());

        // A JSON capture's signature, its query carried in a form's body (whole or split).
        let json = Delivery {
            body: br#"{"a":1}"#,
            ..Delivery::default()
        };
        let query = k.query(&json).unwrap();
        let sig = k.sign(&json)[0].2.clone();
        let whole = format!("%3F{}", query.replace('=', "%3D"));
        assert_eq!(
            verify_form(&sig, None, whole.as_bytes()),
            Err(SignatureError::Invalid)
        );
        let (head, tail) = query.split_at(5);
        let split = tail.replace('=', "%3D");
        assert_eq!(
            verify_form(&sig, Some(head), split.as_bytes()),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn a_json_body_is_signed_through_its_hash() {
        let body: &[u8] = br#"{"AccountSid":"AC123","Status":"delivered"}"#;
        let k = keys(URL);
        let d = Delivery {
            body,
            ..Delivery::default()
        };
        let query = k.query(&d).unwrap();
        assert!(query.starts_with("bodySHA256="), "{query}");
        let h = headers(&k.sign(&d)[0].2, "application/json");
        assert!(verify(k.as_ref(), &h, Some(&query), body).is_ok());
        // Without the hash in the query, or with another body, nothing matches.
        assert_eq!(
            verify(k.as_ref(), &h, None, body),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            verify(k.as_ref(), &h, Some(&query), b"{}"),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn algorithms_as_the_library_reads_them() {
        assert!(algorithm(None) == Ok(Algorithm::Sha1));
        assert!(algorithm(Some("key=abc,algorithm=HMAC_SHA256")) == Ok(Algorithm::Sha256));
        assert!(algorithm(Some("key=abc")) == Ok(Algorithm::Sha1));
        assert!(algorithm(Some("algorithm=MD5")) == Err(SignatureError::Invalid));
    }
}
