//! Stripe (`Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…][,v0=…]`): HMAC-SHA256 of
//! `{t}.{raw body}` keyed with the endpoint secret's string bytes, hex. Stripe's own libraries
//! check only that `t` is not too old; this checks both directions. The event id (`evt_…`) is
//! signed inside the body; there is no delivery-id header.

use super::shape::{Grammar, Others, TimestampedHmac, Unit};
use super::{BodyId, HeaderRole, Inbox, Sender, TimeAt, TypeAt};

pub(super) const SENDER: Sender = Sender {
    name: "stripe",
    headers: &[(HeaderRole::Signature, HEADER)],
    keys: |input| SHAPE.keys(input),
    inbox: Inbox {
        reads: &["id", "type", "created"],
        id: Some(BodyId {
            path: "id",
            valid: is_event_id,
        }),
        event_type: TypeAt::Body("type"),
        event_time: TimeAt::BodySeconds("created"),
    },
    user_events: true,
    ..Sender::BASE
};

const HEADER: &str = "stripe-signature";

/// `t=<unix s>,v1=<hex>[,v1=…]` over `{t}.{body}`; other versions (`v0`) are ignored.
static SHAPE: TimestampedHmac = TimestampedHmac {
    grammar: Grammar::Items {
        header: HEADER,
        separator: ",",
        time: "t",
        signature: "v1",
        others: Others::Ignored,
    },
    before: "",
    between: ".",
    unit: Unit::Seconds,
};

/// `^evt_[A-Za-z0-9_]{1,120}$`.
fn is_event_id(id: &str) -> bool {
    id.strip_prefix("evt_").is_some_and(|rest| {
        (1..=120).contains(&rest.len())
            && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::super::{check, signed_value, Delivery, Proof, SignatureError};
    use super::*;

    // The first case of tests/vectors/stripe.json, which Stripe's own library makes and checks
    // (stripe on PyPI, `WebhookSignature.generate_signature_header`; scripts/vectors/make.py).
    const SECRET: &str = "whsec_vector_stripe_endpoint_secret";
    const T: i64 = 1795867200;
    const BODY: &[u8] = br#"{"id":"evt_1QZ8Kt2eZvKYlo2CbGqLw0Hx","object":"event","type":"customer.created","created":1795867140}"#;
    const V1: &str = "08b83d7233860717b5ca765c123062f181bbfae511d673459214acfafb641959";

    #[test]
    fn constants_are_the_vector_files() {
        let vector: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/vectors/stripe.json")).unwrap();
        let case = &vector["cases"][0];
        assert_eq!(vector["secret"], SECRET);
        assert_eq!(case["body"].as_str().unwrap().as_bytes(), BODY);
        assert_eq!(case["headers"][HEADER], format!("t={T},v1={V1}"));
    }

    fn verify(header: &str, body: &[u8], now: i64) -> Result<Proof, SignatureError> {
        check(&SENDER, SECRET, &[(HEADER, Some(header))], body, now)
    }

    #[test]
    fn vector_signs_and_verifies() {
        let d = Delivery {
            id: "",
            timestamp: T,
            body: BODY,
            ..Delivery::default()
        };
        assert_eq!(
            signed_value(&SENDER, SECRET, HeaderRole::Signature, &d),
            format!("t={T},v1={V1}")
        );
        let proof = verify(&format!("t={T},v1={V1}"), BODY, T).unwrap();
        assert_eq!(
            proof.signed_at,
            Some(crate::clock::Timestamp::from_unix_seconds(T))
        );
        assert_eq!((proof.signed_id, proof.unsigned_id), (None, None));
    }

    #[test]
    fn several_v1_and_an_unknown_v0() {
        let bogus = "0".repeat(64);
        let header = format!("t={T}, v1={bogus}, v0={bogus},v1={V1}");
        assert!(verify(&header, BODY, T).is_ok());
        assert_eq!(
            verify(&format!("t={T},v0={V1}"), BODY, T),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn both_directions_of_tolerance() {
        let header = format!("t={T},v1={V1}");
        assert!(verify(&header, BODY, T + 300).is_ok());
        assert!(verify(&header, BODY, T - 300).is_ok());
        for now in [T + 301, T - 301] {
            assert_eq!(
                verify(&header, BODY, now),
                Err(SignatureError::TimestampOutOfTolerance)
            );
        }
    }

    #[test]
    fn malformed_headers() {
        for header in [
            String::new(),
            format!("t={T}"),
            format!("v1={V1}"),
            format!("t={T},v1"),
            format!("t={T},t={T},v1={V1}"),
            format!("t=abc,v1={V1}"),
            format!("t={T},v1=zz{}", &V1[2..]),
            format!("t={T},v1={}", &V1[..62]),
            format!("t={T},v1={V1}{}", ",v0=x".repeat(40)),
        ] {
            assert_eq!(
                verify(&header, BODY, T),
                Err(SignatureError::Invalid),
                "{header:?}"
            );
        }
        assert_eq!(
            check(&SENDER, SECRET, &[], BODY, T),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn event_id_form() {
        assert!(is_event_id("evt_1NG8Du2eZvKYlo2CUI79vXWy"));
        for bad in [
            "evt_",
            "evt_a-b",
            "EVT_abc",
            "abc",
            &format!("evt_{}", "a".repeat(121)),
        ] {
            assert!(!is_event_id(bad), "{bad}");
        }
    }
}
