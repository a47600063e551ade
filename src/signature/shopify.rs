//! Shopify (`X-Shopify-Hmac-Sha256`: base64 of HMAC-SHA256 of the raw body, keyed with the app's
//! secret string). Only the body is signed: neither the delivery id (`X-Shopify-Webhook-Id`) nor
//! the topic (`X-Shopify-Topic`) nor any time, so replay protection rests on the body (its hash
//! keys inbox items) and, for user events, on `occurred_at` and event ordering.

use super::shape::{BodyHmac, Encoding};
use super::{HeaderRole, Inbox, Sender, TimeAt, TypeAt};

pub(super) const SENDER: Sender = Sender {
    name: "shopify",
    headers: &[
        (HeaderRole::Signature, SIGNATURE_HEADER),
        (HeaderRole::Id, ID_HEADER),
        (HeaderRole::EventType, TOPIC_HEADER),
    ],
    keys: |input| SHAPE.keys(input),
    inbox: Inbox {
        reads: &[],
        id: None,
        event_type: TypeAt::Header,
        event_time: TimeAt::Receipt,
    },
    user_events: true,
    ..Sender::BASE
};

const SIGNATURE_HEADER: &str = "x-shopify-hmac-sha256";
const ID_HEADER: &str = "x-shopify-webhook-id";
/// The event's topic (`customers/create`, …); not signed.
const TOPIC_HEADER: &str = "x-shopify-topic";

/// `X-Shopify-Hmac-Sha256: <base64>` of the body; `X-Shopify-Webhook-Id` beside it.
static SHAPE: BodyHmac = BodyHmac {
    header: SIGNATURE_HEADER,
    prefix: "",
    encoding: Encoding::Base64,
    id_header: Some(ID_HEADER),
    ..BodyHmac::BASE
};

#[cfg(test)]
mod tests {
    use super::super::{check, signed_value, Delivery, Proof, SignatureError};
    use super::*;

    // The first case of tests/vectors/shopify.json, which Shopify's own library makes and checks
    // (@shopify/shopify-api on npm, `createSHA256HMAC`; scripts/vectors/make.py).
    const SECRET: &str = "vector-shopify-app-client-secret";
    const BODY: &[u8] =
        "{\"id\":820982911946154508,\"email\":\"jon@example.com\",\"tags\":\"ünïcödé\"}".as_bytes();
    const SIG: &str = "vycFD9m0EHX2T8ameW6QmV1CVxVmyXupasLQBCBySTE=";
    const ID: &str = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043";

    #[test]
    fn constants_are_the_vector_files() {
        let vector: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/vectors/shopify.json")).unwrap();
        let case = &vector["cases"][0];
        assert_eq!(vector["secret"], SECRET);
        assert_eq!(case["body"].as_str().unwrap().as_bytes(), BODY);
        assert_eq!(case["headers"][SIGNATURE_HEADER], SIG);
        assert_eq!(case["headers"][ID_HEADER], ID);
    }

    fn verify(sig: Option<&str>, id: Option<&str>, body: &[u8]) -> Result<Proof, SignatureError> {
        check(
            &SENDER,
            SECRET,
            &[(SIGNATURE_HEADER, sig), (ID_HEADER, id)],
            body,
            0,
        )
    }

    #[test]
    fn library_vector() {
        let d = Delivery {
            id: ID,
            timestamp: 0,
            body: BODY,
            ..Delivery::default()
        };
        assert_eq!(
            signed_value(&SENDER, SECRET, HeaderRole::Signature, &d),
            SIG
        );
        let proof = verify(Some(SIG), Some(ID), BODY).unwrap();
        assert_eq!(proof.signed_id, None);
        assert_eq!(proof.unsigned_id.unwrap().as_str(), ID);
        assert_eq!(proof.signed_at, None);
    }

    #[test]
    fn rejections() {
        assert_eq!(
            verify(Some(SIG), Some(ID), b"{}"),
            Err(SignatureError::Invalid)
        );
        assert_eq!(verify(None, Some(ID), BODY), Err(SignatureError::Missing));
        assert_eq!(verify(Some(SIG), None, BODY), Err(SignatureError::Missing));
        for bad in ["", "!!!", &SIG[..20], "AAAA", &hex::encode([0u8; 32])] {
            assert_eq!(
                verify(Some(bad), Some(ID), BODY),
                Err(SignatureError::Invalid),
                "{bad:?}"
            );
        }
    }
}
