//! Paddle Billing (`Paddle-Signature: ts=<unix s>;h1=<hex>[;h1=<hex>…]`): HMAC-SHA256 of
//! `{ts}:{raw body}` keyed with the notification destination's secret string (`pdl_ntfset_…`),
//! hex; one `h1` per active secret during a rotation. The event id (`evt_…`) is signed inside
//! the body. As Paddle's own verifier does, a key other than `ts` and `h1` makes the header
//! malformed.

#[cfg(any(test, feature = "signing"))]
use super::raw_demo_secret;
use super::shape::{Grammar, Others, TimestampedHmac, Unit};
use super::{BodyId, HeaderRole, Inbox, Sender, TimeAt, TypeAt};

pub(super) const SENDER: Sender = Sender {
    name: "paddle",
    headers: &[(HeaderRole::Signature, HEADER)],
    keys: |input| SHAPE.keys(input),
    inbox: Inbox {
        reads: &["event_id", "event_type", "occurred_at"],
        id: Some(BodyId {
            path: "event_id",
            valid: is_event_id,
        }),
        event_type: TypeAt::Body("event_type"),
        event_time: TimeAt::BodyRfc3339("occurred_at"),
    },
    #[cfg(any(test, feature = "signing"))]
    demo_secret,
    ..Sender::BASE
};

const HEADER: &str = "paddle-signature";

/// `ts=<unix s>;h1=<hex>[;h1=…]` over `{ts}:{body}`; another key makes the header malformed.
static SHAPE: TimestampedHmac = TimestampedHmac {
    grammar: Grammar::Items {
        header: HEADER,
        separator: ";",
        time: "ts",
        signature: "h1",
        others: Others::Refused,
    },
    before: "",
    between: ":",
    unit: Unit::Seconds,
};

#[cfg(any(test, feature = "signing"))]
/// Paddle's secrets begin `pdl_ntfset_`; any string of 16 bytes or more is accepted, as
/// Paddle's verifier does.
fn demo_secret(label: &str) -> String {
    format!("pdl_ntfset_{}", raw_demo_secret(label))
}

/// `^evt_[A-Za-z0-9]{1,64}$`.
fn is_event_id(id: &str) -> bool {
    id.strip_prefix("evt_").is_some_and(|rest| {
        (1..=64).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::super::{check, Delivery, KeyInput, Proof, SignatureError};
    use super::*;

    const SECRET: &str = "pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI";
    const T: i64 = 1795867200;
    const BODY: &[u8] =
        br#"{"event_id":"evt_01hv8x2acma2gz33q5b7ewcyb2","event_type":"subscription.created"}"#;

    fn header(secret: &str, ts: i64, body: &[u8]) -> String {
        let keys = (SENDER.keys)(&KeyInput {
            secrets: &[secret],
            public_url: None,
        })
        .unwrap();
        keys.sign(&Delivery {
            timestamp: ts,
            body,
            ..Delivery::default()
        })
        .remove(0)
        .2
    }

    fn verify(header: &str, body: &[u8], now: i64) -> Result<Proof, SignatureError> {
        check(&SENDER, SECRET, &[(HEADER, Some(header))], body, now)
    }

    #[test]
    fn signs_and_verifies_with_rotation() {
        let good = header(SECRET, T, BODY);
        assert!(good.starts_with(&format!("ts={T};h1=")));
        assert!(verify(&good, BODY, T).is_ok());
        let other = header("pdl_ntfset_another_rotated_secret_value", T, BODY);
        let both = format!("{other};{}", good.split_once(';').unwrap().1);
        assert!(verify(&both, BODY, T).is_ok());
        assert_eq!(verify(&other, BODY, T), Err(SignatureError::Invalid));
        assert_eq!(
            verify(&good, BODY, T + 301),
            Err(SignatureError::TimestampOutOfTolerance)
        );
    }

    #[test]
    fn malformed_headers() {
        let good = header(SECRET, T, BODY);
        let h1 = good.split_once(';').unwrap().1;
        for bad in [
            String::new(),
            format!("ts={T}"),
            h1.to_owned(),
            format!("ts={T};ts={T};{h1}"),
            format!("ts=abc;{h1}"),
            format!("ts={T};{h1};v2=xyz"),
            format!("ts={T},{h1}"),
            format!("ts={T};{h1}{}", ";h1=00".repeat(40)),
        ] {
            assert_eq!(
                verify(&bad, BODY, T),
                Err(SignatureError::Invalid),
                "{bad:?}"
            );
        }
        assert_eq!(
            check(&SENDER, SECRET, &[], BODY, T),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn event_id_form() {
        assert!(is_event_id("evt_01hv8x2acma2gz33q5b7ewcyb2"));
        for bad in [
            "evt_",
            "evt_a_b",
            "event_1",
            &format!("evt_{}", "a".repeat(65)),
        ] {
            assert!(!is_event_id(bad), "{bad}");
        }
    }
}
