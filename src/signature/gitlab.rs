//! GitLab (`X-Gitlab-Token`): the webhook's secret token itself, compared in constant time with
//! each of the tenant's. Nothing is signed — not the body, the event, a time or an id: TLS alone
//! protects the event, and a captured request replayed is a `duplicate` only while its item lives
//! (inbox items are keyed by the body's hash). `X-Gitlab-Event-UUID` is kept as
//! `sender_delivery_id`. GitLab's signing tokens send Standard Webhooks headers instead: a tenant
//! with one uses `standard-webhooks`.

use std::sync::Arc;

use subtle::ConstantTimeEq;

#[cfg(any(test, feature = "signing"))]
use super::Delivery;
use super::{
    id_header, required_header, HeaderRole, HmacKeys, Inbox, Keys, Proof, Request, Sender,
    SignatureError, TypeAt,
};

pub(super) const SENDER: Sender = Sender {
    name: "gitlab",
    headers: &[
        (HeaderRole::Signature, TOKEN_HEADER),
        (HeaderRole::Id, UUID_HEADER),
    ],
    keys: |input| Ok(Arc::new(Tokens(HmacKeys::from_strings(input.secrets)?))),
    inbox: Inbox {
        reads: &["object_kind"],
        // `X-Gitlab-Event` names it too, with spaces no event type keeps.
        event_type: TypeAt::Body("object_kind"),
        ..Inbox::RECEIPT
    },
    signs_body: false,
    ..Sender::BASE
};

const TOKEN_HEADER: &str = "x-gitlab-token";
const UUID_HEADER: &str = "x-gitlab-event-uuid";

/// The tokens, with the rules of any raw-string secret (16 to 256 bytes).
#[derive(Debug)]
struct Tokens(HmacKeys);

impl Keys for Tokens {
    fn verify(&self, r: &Request<'_, '_>) -> Result<Proof, SignatureError> {
        let token = required_header(r.headers, TOKEN_HEADER)?;
        // Every token is compared, each in constant time.
        let matched = self
            .0
            .material()
            .iter()
            .fold(false, |m, key| m | bool::from(key.ct_eq(token.as_bytes())));
        if !matched {
            return Err(SignatureError::Invalid);
        }
        let unsigned_id = id_header(r.headers, UUID_HEADER)?;
        Ok(Proof {
            unsigned_id,
            ..Proof::default()
        })
    }

    #[cfg(any(test, feature = "signing"))]
    fn sign(&self, d: &Delivery<'_>) -> Vec<(HeaderRole, &'static str, String)> {
        let token = self.0.material().first().copied().unwrap_or_default();
        vec![
            (
                HeaderRole::Signature,
                TOKEN_HEADER,
                String::from_utf8_lossy(token).into_owned(),
            ),
            (HeaderRole::Id, UUID_HEADER, d.id.to_owned()),
        ]
    }

    fn material(&self) -> Vec<&[u8]> {
        self.0.material()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{check, Proof};
    use super::*;

    const SECRET: &str = "gitlab-secret-token-for-tests";
    const UUID: &str = "3b8c2e4a-9f1d-4c6b-8a2e-5d7f0c1b9e33";

    fn verify(token: Option<&str>, uuid: Option<&str>) -> Result<Proof, SignatureError> {
        let secrets = format!("another-gitlab-token-rotated {SECRET}");
        check(
            &SENDER,
            &secrets,
            &[(TOKEN_HEADER, token), (UUID_HEADER, uuid)],
            b"{}",
            0,
        )
    }

    #[test]
    fn the_token_is_compared_and_the_uuid_kept_unsigned() {
        let proof = verify(Some(SECRET), Some(UUID)).unwrap();
        assert_eq!(proof.unsigned_id.unwrap().as_str(), UUID);
        assert_eq!((proof.signed_id, proof.signed_at), (None, None));
        assert!(verify(Some(SECRET), None).unwrap().unsigned_id.is_none());
        assert_eq!(verify(None, Some(UUID)), Err(SignatureError::Missing));
        for wrong in [
            "gitlab-secret-token-for-test",
            "gitlab-secret-token-for-tests ",
            "",
        ] {
            assert_eq!(
                verify(Some(wrong), Some(UUID)),
                Err(SignatureError::Invalid),
                "{wrong:?}"
            );
        }
        assert_eq!(
            verify(Some(SECRET), Some("not a uuid")),
            Err(SignatureError::Invalid)
        );
    }
}
