//! WorkOS (`WorkOS-Signature: t=<unix ms>, v1=<hex>`): HMAC-SHA256 of `{t}.{raw body}` (`t`
//! exactly as sent) keyed with the endpoint's secret string, hex. The time is in milliseconds,
//! and the tolerance is compared in milliseconds. The event id (`event_…`) is signed inside the
//! body. As WorkOS's own verifier does, the header is exactly those two items, in that order.

use std::sync::Arc;

use super::{
    check_tolerance_ms, decode_hex_mac, parse_unix_millis, required_header, BodyId, Delivery,
    HeaderRole, HmacKeys, Inbox, Keys, Proof, Request, Sender, SignatureError, TimeAt, TypeAt,
};

pub(super) const SENDER: Sender = Sender {
    name: "workos",
    headers: &[(HeaderRole::Signature, HEADER)],
    keys: |input| Ok(Arc::new(WorkOs(HmacKeys::from_strings(input.secrets)?))),
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

#[derive(Debug)]
struct WorkOs(HmacKeys);

impl Keys for WorkOs {
    fn verify(&self, r: &Request<'_, '_>) -> Result<Proof, SignatureError> {
        let header = required_header(r.headers, HEADER)?;
        let (t, candidate) = header
            .split_once(", ")
            .and_then(|(t, v1)| Some((t.strip_prefix("t=")?, v1.strip_prefix("v1=")?)))
            .ok_or(SignatureError::Invalid)?;
        let t_ms = parse_unix_millis(t)?;
        let candidate = decode_hex_mac(candidate).ok_or(SignatureError::Invalid)?;
        if !self.0.any_matches(&signed(t, r.body), &[candidate]) {
            return Err(SignatureError::Invalid);
        }
        let signed_at = check_tolerance_ms(t_ms, r.now, r.tolerance)?;
        Ok(Proof {
            signed_at: Some(signed_at),
            ..Proof::default()
        })
    }

    fn sign(&self, d: &Delivery<'_>) -> Vec<(HeaderRole, &'static str, String)> {
        // The signing command's times are whole seconds.
        let t = d.timestamp.saturating_mul(1000).to_string();
        let mac = self.0.first_mac(&signed(&t, d.body));
        vec![(
            HeaderRole::Signature,
            HEADER,
            format!("t={t}, v1={}", hex::encode(mac)),
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

/// `^event_[A-Za-z0-9]{1,64}$`.
fn is_event_id(id: &str) -> bool {
    id.strip_prefix("event_").is_some_and(|rest| {
        (1..=64).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::super::check;
    use super::*;

    const SECRET: &str = "workos-endpoint-secret-for-tests";
    const T_MS: i64 = 1_795_867_200_123;
    const BODY: &[u8] = br#"{"id":"event_01HV8X2ACMA2GZ33Q5B7EWCYB2","event":"user.created"}"#;

    fn header(t_ms: i64, secret: &str) -> String {
        let keys = WorkOs(HmacKeys::from_strings(&[secret]).unwrap());
        let t = t_ms.to_string();
        format!(
            "t={t}, v1={}",
            hex::encode(keys.0.first_mac(&signed(&t, BODY)))
        )
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
        let keys = WorkOs(HmacKeys::from_strings(&[SECRET]).unwrap());
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
