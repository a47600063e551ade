//! Stripe (`Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…][,v0=…]`): HMAC-SHA256 of
//! `{t}.{raw body}` keyed with the endpoint secret's string bytes, hex. Stripe's own libraries
//! check only that `t` is not too old; this checks both directions. The event id (`evt_…`) is
//! signed inside the body; there is no delivery-id header.

use std::sync::Arc;

use super::{
    check_tolerance, decode_hex_mac, parse_unix_seconds, required_header, BodyId, Delivery,
    HeaderRole, HmacKeys, Inbox, Keys, Proof, Request, Sender, SignatureError, TimeAt, TypeAt,
};

pub(super) const SENDER: Sender = Sender {
    name: "stripe",
    headers: &[(HeaderRole::Signature, HEADER)],
    keys: |input| Ok(Arc::new(Stripe(HmacKeys::from_strings(input.secrets)?))),
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
/// Bounds the work a hostile header can cause.
const MAX_ITEMS: usize = 32;

#[derive(Debug)]
struct Stripe(HmacKeys);

impl Keys for Stripe {
    fn verify(&self, r: &Request<'_, '_>) -> Result<Proof, SignatureError> {
        let header = required_header(r.headers, HEADER)?;
        let (t, timestamp, candidates) = parse_header(header)?;
        if !self
            .0
            .any_matches(&[t.as_bytes(), b".", r.body], &candidates)
        {
            return Err(SignatureError::Invalid);
        }
        let signed_at = check_tolerance(timestamp, r.now, r.tolerance)?;
        Ok(Proof {
            signed_at: Some(signed_at),
            ..Proof::default()
        })
    }

    fn sign(&self, d: &Delivery<'_>) -> Vec<(HeaderRole, &'static str, String)> {
        let t = d.timestamp.to_string();
        let mac = self.0.first_mac(&signed(&t, d.body));
        vec![(
            HeaderRole::Signature,
            HEADER,
            format!("t={t},v1={}", hex::encode(mac)),
        )]
    }

    fn material(&self) -> Vec<&[u8]> {
        self.0.material()
    }
}

/// What the signature covers: `t` exactly as sent, a dot, the body.
fn signed<'a>(t: &'a str, body: &'a [u8]) -> [&'a [u8]; 3] {
    [t.as_bytes(), b".", body]
}

/// `t` (exactly once, as sent and as a number) and the decodable `v1` signatures (at least
/// one). Other schemes (`v0`) are ignored; an item without `=` makes the header malformed.
fn parse_header(header: &str) -> Result<(&str, i64, Vec<Vec<u8>>), SignatureError> {
    let items: Vec<&str> = header.split(',').map(str::trim).collect();
    if items.len() > MAX_ITEMS {
        return Err(SignatureError::Invalid);
    }
    let mut t = None;
    let mut v1 = Vec::new();
    for item in items {
        let (key, value) = item.split_once('=').ok_or(SignatureError::Invalid)?;
        match key {
            "t" if t.is_some() => return Err(SignatureError::Invalid),
            "t" => t = Some(value),
            "v1" => v1.extend(decode_hex_mac(value)),
            _ => {}
        }
    }
    let t = t.ok_or(SignatureError::Invalid)?;
    let timestamp = parse_unix_seconds(t)?;
    if v1.is_empty() {
        return Err(SignatureError::Invalid);
    }
    Ok((t, timestamp, v1))
}

/// `^evt_[A-Za-z0-9_]{1,120}$`.
fn is_event_id(id: &str) -> bool {
    id.strip_prefix("evt_").is_some_and(|rest| {
        (1..=120).contains(&rest.len())
            && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::super::{check, signed_value};
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
