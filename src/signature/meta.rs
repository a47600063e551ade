//! Meta (WhatsApp, Messenger, Instagram: `X-Hub-Signature-256: sha256=<hex>` of the raw body,
//! keyed with the app secret string). Only the body is signed — no id, no time — so inbox items
//! are keyed by its hash. Meta checks a new endpoint with a `GET` carrying `hub.mode=subscribe`,
//! the verify token the app was given and a challenge to echo: the tenant lists that token as
//! exactly one `verify_token:<value>` entry beside its app secret(s).

use std::sync::Arc;

use subtle::ConstantTimeEq;

use super::shape::{BodyHmac, Encoding};
#[cfg(any(test, feature = "signing"))]
use super::Delivery;
use super::{
    is_challenge, HeaderRole, HmacKeys, Inbox, KeyInput, Keys, Proof, Request, Sender,
    SignatureError, Subscription, TypeAt,
};
use crate::domain::Detail;

pub(super) const SENDER: Sender = Sender {
    name: "meta",
    headers: &[(HeaderRole::Signature, SIGNATURE_HEADER)],
    keys: read_keys,
    // The signing tooling needs only the app secret.
    #[cfg(any(test, feature = "signing"))]
    signing_keys: Some(app_secrets),
    inbox: Inbox {
        reads: &["object"],
        event_type: TypeAt::Body("object"),
        ..Inbox::RECEIPT
    },
    #[cfg(any(test, feature = "signing"))]
    demo_secret: |label| {
        format!("local-{label}-app-secret-never-deployed {TOKEN_PREFIX}local-{label}-verify-token")
    },
    ..Sender::BASE
};

const SIGNATURE_HEADER: &str = "x-hub-signature-256";
static SHAPE: BodyHmac = BodyHmac {
    header: SIGNATURE_HEADER,
    prefix: "sha256=",
    encoding: Encoding::Hex,
    ..BodyHmac::BASE
};
const TOKEN_PREFIX: &str = "verify_token:";

/// The app secrets (the entries that are not a verify token), and the verify tokens with their
/// places in the list.
fn split<'a>(list: &[&'a str]) -> (Vec<&'a str>, Vec<(usize, &'a str)>) {
    let mut secrets = Vec::new();
    let mut tokens = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        match entry.strip_prefix(TOKEN_PREFIX) {
            Some(token) => tokens.push((i, token)),
            None => secrets.push(*entry),
        }
    }
    (secrets, tokens)
}

/// The app secrets alone, as a [`BodyHmac`] reads them.
fn app_secrets(input: &KeyInput<'_>) -> Result<Arc<dyn Keys>, String> {
    let (secrets, _) = split(input.secrets);
    if secrets.is_empty() {
        return Err("lists no app secret beside the verify token".into());
    }
    SHAPE.keys(&KeyInput {
        secrets: &secrets,
        public_url: input.public_url,
    })
}

fn read_keys(input: &KeyInput<'_>) -> Result<Arc<dyn Keys>, String> {
    let (_, tokens) = split(input.secrets);
    let (at, token) = match tokens.as_slice() {
        [one] => *one,
        [] => {
            return Err(format!(
                "lists no `{TOKEN_PREFIX}<value>` entry (Meta's verify token)"
            ))
        }
        [_, (i, _), ..] => {
            return Err(format!(
                "secret #{}: a second `{TOKEN_PREFIX}` entry; list one",
                i + 1
            ))
        }
    };
    if !(16..=256).contains(&token.len()) {
        return Err(format!(
            "secret #{}: the verify token must be 16 to 256 bytes",
            at + 1
        ));
    }
    // Checked here so that an error names the entry's place in the whole list.
    for (i, entry) in input.secrets.iter().enumerate() {
        if !entry.starts_with(TOKEN_PREFIX) {
            HmacKeys::from_strings(&[entry])
                .map_err(|e| e.replacen("#1", &format!("#{}", i + 1), 1))?;
        }
    }
    Ok(Arc::new(MetaKeys {
        body: app_secrets(input)?,
        verify_token: token.as_bytes().to_vec(),
    }))
}

/// The app secrets, and the verify token (never shown).
struct MetaKeys {
    body: Arc<dyn Keys>,
    verify_token: Vec<u8>,
}

impl std::fmt::Debug for MetaKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MetaKeys({:?}, verify token <redacted>)", self.body)
    }
}

impl Keys for MetaKeys {
    fn verify(&self, r: &Request<'_, '_>) -> Result<Proof, SignatureError> {
        self.body.verify(r)
    }

    #[cfg(any(test, feature = "signing"))]
    fn sign(&self, d: &Delivery<'_>) -> Vec<(HeaderRole, &'static str, String)> {
        self.body.sign(d)
    }

    fn material(&self) -> Vec<&[u8]> {
        self.body.material()
    }

    /// `hub.mode=subscribe`, the verify token (constant time) and a challenge, each once.
    fn subscribe(&self, query: Option<&str>) -> Subscription {
        let params: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .take(32)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let one = |name: &str| {
            let mut values = params.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
            match (values.next(), values.next()) {
                (Some(v), None) => Some(v.as_str()),
                _ => None,
            }
        };
        let token_matches = one("hub.verify_token")
            .is_some_and(|t| bool::from(t.as_bytes().ct_eq(&self.verify_token)));
        if !token_matches || one("hub.mode") != Some("subscribe") {
            return Subscription::Forbidden;
        }
        match one("hub.challenge").filter(|c| is_challenge(c)) {
            Some(c) => Subscription::Confirmed(c.to_owned()),
            None => Subscription::Unusable(Detail::new(
                "hub.challenge",
                "must be given once, matching ^[A-Za-z0-9_-]{1,128}$",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Verifier;
    use super::*;

    const LIST: &str = "meta-app-secret-for-tests verify_token:meta-verify-token-for-tests";

    #[test]
    fn the_list_holds_exactly_one_verify_token_beside_the_secrets() {
        assert!(Verifier::new(&SENDER, LIST).is_ok());
        let err = Verifier::new(&SENDER, "meta-app-secret-for-tests").unwrap_err();
        assert!(err.contains("verify token"), "{err}");
        let two = format!("{LIST} verify_token:another-verify-token-x");
        let err = Verifier::new(&SENDER, &two).unwrap_err();
        assert!(
            err.starts_with("secret #3") && !err.contains("another"),
            "{err}"
        );
        let short = Verifier::new(&SENDER, "meta-app-secret-for-tests verify_token:short");
        assert!(short.unwrap_err().starts_with("secret #2"));
        let short = Verifier::new(&SENDER, "verify_token:meta-verify-token-for-tests short");
        assert!(short.unwrap_err().starts_with("secret #2"));
        let alone = Verifier::new(&SENDER, "verify_token:meta-verify-token-for-tests");
        assert!(alone.unwrap_err().contains("no app secret"));
        let v = Verifier::new(&SENDER, LIST).unwrap();
        assert!(!format!("{v:?}").contains("meta-"), "{v:?}");
    }

    #[test]
    fn a_get_is_answered_only_with_the_token() {
        let v = Verifier::new(&SENDER, LIST).unwrap();
        let q = |s: &str| v.subscribe(Some(s));
        let ok = "hub.mode=subscribe&hub.verify_token=meta-verify-token-for-tests&hub.challenge=1158201444";
        assert_eq!(q(ok), Subscription::Confirmed("1158201444".into()));
        for forbidden in [
            "",
            "hub.mode=subscribe&hub.verify_token=meta-verify-token-for-test&hub.challenge=1",
            "hub.mode=unsubscribe&hub.verify_token=meta-verify-token-for-tests&hub.challenge=1",
            "hub.mode=subscribe&hub.verify_token=meta-verify-token-for-tests&hub.verify_token=x&hub.challenge=1",
        ] {
            assert_eq!(q(forbidden), Subscription::Forbidden, "{forbidden}");
        }
        let hostile = "hub.mode=subscribe&hub.verify_token=meta-verify-token-for-tests&hub.challenge=%3Cscript%3E";
        assert!(matches!(q(hostile), Subscription::Unusable(_)));
        let github = Verifier::new(
            super::super::sender("github").unwrap(),
            "a-github-secret-0123",
        );
        assert_eq!(
            github.unwrap().subscribe(Some(ok)),
            Subscription::NotOffered
        );
    }
}
