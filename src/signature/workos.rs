//! WorkOS (`WorkOS-Signature: t=<unix ms>, v1=<hex>`): HMAC-SHA256 of `{t}.{raw body}` (`t`
//! exactly as sent) keyed with the endpoint's secret string, hex. The time is in milliseconds,
//! and the tolerance is compared in milliseconds. The event id (`event_…`) is signed inside the
//! body. As WorkOS's own verifier does, the header is exactly those two items, in that order.

use super::shape::{Grammar, TimestampedHmac, Unit};
use super::{BodyId, HeaderRole, Inbox, Sender, TimeAt, TypeAt};

pub(super) const SENDER: Sender = Sender {
    name: "workos",
    headers: &[(HeaderRole::Signature, HEADER)],
    keys: |input| SHAPE.keys(input),
    inbox: Inbox {
        reads: &["id", "event", "created_at"],
        id: Some(BodyId {
            path: "id",
            valid: is_event_id,
        }),
        event_type: TypeAt::Body("event"),
        event_time: TimeAt::BodyRfc3339("created_at"),
    },
    ..Sender::BASE
};

const HEADER: &str = "workos-signature";

/// Exactly `t=<unix ms>, v1=<hex>` over `{t}.{body}`.
static SHAPE: TimestampedHmac = TimestampedHmac {
    grammar: Grammar::Pair {
        header: HEADER,
        time: "t=",
        separator: ", ",
        signature: "v1=",
    },
    before: "",
    between: ".",
    unit: Unit::Millis,
};

/// `^event_[A-Za-z0-9]{1,64}$`.
fn is_event_id(id: &str) -> bool {
    id.strip_prefix("event_").is_some_and(|rest| {
        (1..=64).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::super::{check, HmacSha256, KeyInput, Proof, Request, SignatureError};
    use super::*;
    use hmac::{KeyInit, Mac};

    const SECRET: &str = "workos-endpoint-secret-for-tests";
    const T_MS: i64 = 1_795_867_200_123;
    const BODY: &[u8] = br#"{"id":"event_01HV8X2ACMA2GZ33Q5B7EWCYB2","event":"user.created"}"#;

    /// WorkOS's header, computed here from its documentation (`{t}.{body}`), not by the shape.
    fn header(t_ms: i64, secret: &str) -> String {
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t_ms}.").as_bytes());
        mac.update(BODY);
        format!("t={t_ms}, v1={}", hex::encode(mac.finalize().into_bytes()))
    }

    fn verify(header: &str, now_ms: i64) -> Result<Proof, SignatureError> {
        // `check` takes whole seconds; the tolerance is compared in milliseconds here.
        check(
            &SENDER,
            SECRET,
            &[(HEADER, Some(header))],
            BODY,
            now_ms.div_euclid(1000),
        )
    }

    #[test]
    fn milliseconds_are_signed_and_compared() {
        let good = header(T_MS, SECRET);
        let proof = verify(&good, T_MS).unwrap();
        assert_eq!(
            proof.signed_at,
            Some(crate::clock::Timestamp::from_unix_millis(T_MS))
        );
        // 300 s of tolerance, in milliseconds: the edge passes, one millisecond past fails.
        let keys = (SENDER.keys)(&KeyInput {
            secrets: &[SECRET],
            public_url: None,
        })
        .unwrap();
        let headers: http::HeaderMap = [(
            http::HeaderName::from_static(HEADER),
            http::HeaderValue::from_str(&good).unwrap(),
        )]
        .into_iter()
        .collect();
        let at = |now_ms| Request {
            headers: &headers,
            query: None,
            body: BODY,
            form: false,
            now: crate::clock::Timestamp::from_unix_millis(now_ms),
            tolerance: std::time::Duration::from_secs(300),
        };
        assert!(keys.verify(&at(T_MS + 300_000)).is_ok());
        assert!(keys.verify(&at(T_MS - 300_000)).is_ok());
        assert_eq!(
            keys.verify(&at(T_MS + 300_001)),
            Err(SignatureError::TimestampOutOfTolerance)
        );
        assert_eq!(
            keys.verify(&at(T_MS - 300_001)),
            Err(SignatureError::TimestampOutOfTolerance)
        );
    }

    #[test]
    fn rejections() {
        let good = header(T_MS, SECRET);
        assert_eq!(
            verify(&header(T_MS, "another-workos-secret-value"), T_MS),
            Err(SignatureError::Invalid)
        );
        let v1 = good.split_once(", ").unwrap().1;
        for bad in [
            String::new(),
            format!("t={T_MS}"),
            v1.to_owned(),
            format!("t={T_MS},{v1}"),
            format!("{v1}, t={T_MS}"),
            format!("t=abc, {v1}"),
            format!("t={T_MS}, {v1}, v1=00"),
            format!("t={}, {v1}", T_MS + 1),
        ] {
            assert_eq!(verify(&bad, T_MS), Err(SignatureError::Invalid), "{bad:?}");
        }
    }

    #[test]
    fn event_id_form() {
        assert!(is_event_id("event_01HV8X2ACMA2GZ33Q5B7EWCYB2"));
        for bad in [
            "event_",
            "evt_1",
            "event_a-b",
            &format!("event_{}", "a".repeat(65)),
        ] {
            assert!(!is_event_id(bad), "{bad}");
        }
    }
}
