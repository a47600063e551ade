//! GitHub (`X-Hub-Signature-256: sha256=<hex>` of the raw body, keyed with the secret string).
//! Only the body is signed: neither the delivery id (`X-GitHub-Delivery`) nor the event type
//! (`X-GitHub-Event`) nor any time, so replay protection rests on the body (its hash keys inbox
//! items) and, for user events, on `occurred_at` and event ordering.

use super::shape::{BodyHmac, Encoding};
use super::{Handshake, HeaderRole, Inbox, Sender, TimeAt, TypeAt, VerifiedBody};
use crate::domain::Detail;

pub(super) const SENDER: Sender = Sender {
    name: "github",
    headers: &[
        (HeaderRole::Signature, SIGNATURE_HEADER),
        (HeaderRole::Id, ID_HEADER),
        (HeaderRole::EventType, EVENT_HEADER),
    ],
    keys: |input| SHAPE.keys(input),
    inbox: Inbox {
        reads: &[],
        id: None,
        event_type: TypeAt::Header,
        event_time: TimeAt::Receipt,
    },
    handshake: Some(ping),
    user_events: true,
    ..Sender::BASE
};

const SIGNATURE_HEADER: &str = "x-hub-signature-256";
const ID_HEADER: &str = "x-github-delivery";
/// The event's type (`push`, `ping`, …); not signed.
const EVENT_HEADER: &str = "x-github-event";
/// The event GitHub sends when a webhook is created, to check the endpoint.
const PING_EVENT: &str = "ping";

/// `X-Hub-Signature-256: sha256=<hex>` of the body; `X-GitHub-Delivery` beside it.
static SHAPE: BodyHmac = BodyHmac {
    header: SIGNATURE_HEADER,
    prefix: "sha256=",
    encoding: Encoding::Hex,
    id_header: Some(ID_HEADER),
    ..BodyHmac::BASE
};

/// GitHub's `ping`, sent (signed) when a webhook is created.
fn ping(body: &VerifiedBody<'_>) -> Result<Option<Handshake>, Detail> {
    Ok((body.reported_type() == Some(PING_EVENT)).then_some(Handshake::Ping))
}

#[cfg(test)]
mod tests {
    use super::super::{check_with, Delivery, KeyInput, Keys, Proof, SignatureError};
    use super::*;

    // GitHub's documentation: validating webhook deliveries. (A secret with spaces: usable here,
    // but not in a tenant's space-separated secret list.)
    const SECRET: &str = "It's a Secret to Everybody";
    const BODY: &[u8] = b"Hello, World!";
    const SIG: &str = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    const ID: &str = "72d3162e-cc78-11e3-81ab-4c9367dc0958";

    fn keys() -> std::sync::Arc<dyn Keys> {
        (SENDER.keys)(&KeyInput {
            secrets: &[SECRET],
            public_url: None,
        })
        .unwrap()
    }

    fn verify(sig: Option<&str>, id: Option<&str>, body: &[u8]) -> Result<Proof, SignatureError> {
        check_with(
            keys().as_ref(),
            &[(SIGNATURE_HEADER, sig), (ID_HEADER, id)],
            body,
            0,
        )
    }

    #[test]
    fn published_vector() {
        let d = Delivery {
            id: ID,
            timestamp: 0,
            body: BODY,
            ..Delivery::default()
        };
        let signed = keys().sign(&d);
        assert!(signed.contains(&(HeaderRole::Signature, SIGNATURE_HEADER, SIG.to_owned())));
        let proof = verify(Some(SIG), Some(ID), BODY).unwrap();
        // The id is the sender's word, not covered by the signature.
        assert_eq!(proof.signed_id, None);
        assert_eq!(proof.unsigned_id.unwrap().as_str(), ID);
        assert_eq!(proof.signed_at, None);
    }

    #[test]
    fn rejections() {
        assert_eq!(
            verify(Some(SIG), Some(ID), b"Hello, World?"),
            Err(SignatureError::Invalid)
        );
        assert_eq!(verify(None, Some(ID), BODY), Err(SignatureError::Missing));
        assert_eq!(verify(Some(SIG), None, BODY), Err(SignatureError::Missing));
        for bad in [
            "",
            "sha256",
            "sha256=",
            &SIG[7..],
            &SIG.replace("sha256=", "sha1="),
            &SIG[..70],
            &format!("{SIG}00"),
        ] {
            assert_eq!(
                verify(Some(bad), Some(ID), BODY),
                Err(SignatureError::Invalid),
                "{bad:?}"
            );
        }
        assert_eq!(
            verify(Some(SIG), Some("not.a.valid.id"), BODY),
            Err(SignatureError::Invalid)
        );
    }
}
