//! HubSpot webhooks, signature v3 (`X-HubSpot-Signature-v3`): the base64 HMAC-SHA256, keyed
//! with the app's client secret, of `{method}{uri}{body}{X-HubSpot-Request-Timestamp}`, the
//! timestamp in Unix milliseconds. `uri` is the URL HubSpot requested — the tenant's
//! `public_url`, then `?` and the query when there is one — with the percent-escapes HubSpot's
//! documentation lists decoded. The body is a batch; an element is keyed by the five fields
//! that name one event, never by `attemptNumber`, which a retry changes.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

#[cfg(any(test, feature = "signing"))]
use super::Delivery;
use super::{
    check_tolerance_ms, parse_unix_millis, requested_url, required_header, Batch, HeaderRole,
    HmacKeys, Inbox, Keys, Proof, Request, Sender, SignatureError, TimeAt, TypeAt,
};
use crate::domain::{DeliveryId, Detail};
use crate::json::Doc;

pub(super) const SENDER: Sender = Sender {
    name: "hubspot",
    headers: &[
        (HeaderRole::Signature, SIGNATURE_HEADER),
        (HeaderRole::Timestamp, TIMESTAMP_HEADER),
    ],
    keys: |input| {
        // Checked (`https://…`, no query) and required by the configuration for this sender.
        let url = input
            .public_url
            .ok_or("needs the tenant's `public_url`, the target URL set in the HubSpot app")?;
        Ok(Arc::new(ClientSecrets {
            secrets: HmacKeys::from_strings(input.secrets)?,
            url: url.to_owned(),
        }))
    },
    inbox: Inbox {
        reads: &[
            "portalId",
            "subscriptionId",
            "eventId",
            "objectId",
            "occurredAt",
            "subscriptionType",
        ],
        id: None,
        event_type: TypeAt::Body("subscriptionType"),
        event_time: TimeAt::BodyMillis("occurredAt"),
    },
    batch: Some(Batch {
        key: Some(element_key),
    }),
    signs_url: true,
    ..Sender::BASE
};

const SIGNATURE_HEADER: &str = "x-hubspot-signature-v3";
const TIMESTAMP_HEADER: &str = "x-hubspot-request-timestamp";
/// HubSpot requests its webhooks with `POST`, the only method that reaches a signature check.
const METHOD: &str = "POST";
/// The escapes HubSpot decodes in the URI it signs, and what each stands for.
const DECODED: [(&str, char); 12] = [
    ("%3A", ':'),
    ("%2F", '/'),
    ("%3F", '?'),
    ("%40", '@'),
    ("%21", '!'),
    ("%24", '$'),
    ("%27", '\''),
    ("%28", '('),
    ("%29", ')'),
    ("%2A", '*'),
    ("%2C", ','),
    ("%3B", ';'),
];

#[derive(Debug)]
struct ClientSecrets {
    secrets: HmacKeys,
    /// The tenant's `public_url`.
    url: String,
}

impl ClientSecrets {
    /// The URI HubSpot signs for a request with `query`.
    fn uri(&self, query: Option<&str>) -> String {
        decode_listed(&requested_url(&self.url, query))
    }
}

/// `uri` with HubSpot's listed escapes decoded (either case of hex digit); every other escape
/// kept as written.
fn decode_listed(uri: &str) -> String {
    let mut out = String::with_capacity(uri.len());
    let mut rest = uri;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let escape = rest.get(at..at + 3);
        match escape.and_then(|e| DECODED.iter().find(|(k, _)| k.eq_ignore_ascii_case(e))) {
            Some((_, c)) => {
                out.push(*c);
                rest = &rest[at + 3..];
            }
            None => {
                out.push('%');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The signed bytes (verify and sign alike).
fn signed<'a>(uri: &'a str, body: &'a [u8], t: &'a str) -> [&'a [u8]; 4] {
    [METHOD.as_bytes(), uri.as_bytes(), body, t.as_bytes()]
}

impl Keys for ClientSecrets {
    fn verify(&self, r: &Request<'_, '_>) -> Result<Proof, SignatureError> {
        let signature = required_header(r.headers, SIGNATURE_HEADER)?;
        let t = required_header(r.headers, TIMESTAMP_HEADER)?;
        let t_ms = parse_unix_millis(t)?;
        let candidate = STANDARD
            .decode(signature)
            .ok()
            .filter(|mac| mac.len() == 32)
            .ok_or(SignatureError::Invalid)?;
        let uri = self.uri(r.query);
        if !self
            .secrets
            .any_matches(&signed(&uri, r.body, t), &[candidate])
        {
            return Err(SignatureError::Invalid);
        }
        Ok(Proof {
            signed_at: Some(check_tolerance_ms(t_ms, r.now, r.tolerance)?),
            ..Proof::default()
        })
    }

    #[cfg(any(test, feature = "signing"))]
    fn sign(&self, d: &Delivery<'_>) -> Vec<(HeaderRole, &'static str, String)> {
        let t = d.timestamp.saturating_mul(1000).to_string();
        let mac = self
            .secrets
            .first_mac(&signed(&self.uri(d.query), d.body, &t));
        vec![
            (HeaderRole::Timestamp, TIMESTAMP_HEADER, t),
            (
                HeaderRole::Signature,
                SIGNATURE_HEADER,
                STANDARD.encode(mac),
            ),
        ]
    }

    fn material(&self) -> Vec<&[u8]> {
        self.secrets.material()
    }
}

/// `{portalId}:{subscriptionId}:{eventId}:{objectId}:{occurredAt}`, each a non-negative
/// integer; `objectId` is left empty where the event names no single object (associations,
/// merges).
fn element_key(doc: &Doc) -> Result<DeliveryId, Detail> {
    let field = |path: &'static str, required: bool| match doc.get(path) {
        // Given twice, or a number too large to read: not absent.
        None if doc.problem(path).is_some() => Err(Detail::new(
            path,
            "must be a non-negative integer, given once",
        )),
        None if !required => Ok(String::new()),
        _ => doc
            .int(path)
            .filter(|n| *n >= 0)
            .map(|n| n.to_string())
            .ok_or_else(|| Detail::new(path, "must be a non-negative integer")),
    };
    let key = [
        field("portalId", true)?,
        field("subscriptionId", true)?,
        field("eventId", true)?,
        field("objectId", false)?,
        field("occurredAt", true)?,
    ]
    .join(":");
    // Five integers of at most 19 digits each: always an id.
    DeliveryId::parse(&key).ok_or_else(|| Detail::new("eventId", "cannot key this event"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;
    use crate::json;
    use std::time::Duration;

    const SECRET: &str = "hubspot-client-secret-for-tests";
    const URL: &str = "https://webhooks.example.com/webhooks/acme-hubspot";
    const BODY: &[u8] = br#"[{"eventId":100,"subscriptionId":7,"portalId":62515,"occurredAt":1795867140000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123}]"#;

    #[test]
    fn the_listed_escapes_are_decoded_and_no_others() {
        assert_eq!(
            decode_listed("https://x.example/a%3Ab%2fc?q=%40%2C%20%25%3b%zz%"),
            "https://x.example/a:b/c?q=@,%20%25;%zz%"
        );
    }

    #[test]
    fn method_uri_body_and_millisecond_time_are_signed() {
        let keys = ClientSecrets {
            secrets: HmacKeys::from_strings(&[SECRET]).unwrap(),
            url: URL.into(),
        };
        let d = Delivery {
            timestamp: 1_795_867_200,
            query: Some("src=hub%3Aspot"),
            body: BODY,
            ..Delivery::default()
        };
        let headers = keys.sign(&d);
        let value = |role| {
            headers
                .iter()
                .find(|(r, _, _)| *r == role)
                .unwrap()
                .2
                .clone()
        };
        let (sig, t) = (value(HeaderRole::Signature), value(HeaderRole::Timestamp));
        assert_eq!(t, "1795867200000");
        let verify = |query: Option<&str>, body: &[u8], t: &str, now_ms: i64| {
            let headers: http::HeaderMap =
                [(SIGNATURE_HEADER, sig.as_str()), (TIMESTAMP_HEADER, t)]
                    .into_iter()
                    .map(|(k, v)| (http::HeaderName::from_static(k), v.parse().unwrap()))
                    .collect();
            keys.verify(&Request {
                headers: &headers,
                query,
                body,
                form: false,
                now: Timestamp::from_unix_millis(now_ms),
                tolerance: Duration::from_secs(300),
            })
        };
        let now = 1_795_867_200_000;
        assert!(verify(Some("src=hub%3Aspot"), BODY, &t, now).is_ok());
        // The same query written with the escape decoded is the same signed URI.
        assert!(verify(Some("src=hub:spot"), BODY, &t, now).is_ok());
        assert_eq!(
            verify(Some("src=hub%3Bspot"), BODY, &t, now),
            Err(SignatureError::Invalid)
        );
        assert_eq!(verify(None, BODY, &t, now), Err(SignatureError::Invalid));
        assert_eq!(
            verify(Some("src=hub%3Aspot"), &BODY[1..], &t, now),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            verify(Some("src=hub%3Aspot"), BODY, &t, now + 300_001),
            Err(SignatureError::TimestampOutOfTolerance)
        );
    }

    #[test]
    fn an_element_is_keyed_by_its_five_fields_not_its_attempt() {
        let key = |element: &str| {
            let doc = json::read_object(element.as_bytes(), SENDER.inbox.reads).unwrap();
            element_key(&doc)
        };
        let first = r#"{"eventId":100,"subscriptionId":7,"portalId":62515,"occurredAt":1795867140000,"attemptNumber":0,"objectId":123}"#;
        assert_eq!(
            key(first).unwrap().as_str(),
            "62515:7:100:123:1795867140000"
        );
        assert_eq!(
            key(first),
            key(&first.replace("\"attemptNumber\":0", "\"attemptNumber\":3"))
        );
        let association = first.replace(",\"objectId\":123", "");
        assert_eq!(
            key(&association).unwrap().as_str(),
            "62515:7:100::1795867140000"
        );
        let err = key(&first.replace("\"eventId\":100", "\"eventId\":\"100\"")).unwrap_err();
        assert_eq!(err.path, "eventId");
        assert!(key(&first.replace("\"portalId\":62515,", "")).is_err());
        // An objectId given twice is not an absent one (two events would share a key).
        let twice = first.replace("\"objectId\":123", "\"objectId\":123,\"objectId\":124");
        assert_eq!(key(&twice).unwrap_err().path, "objectId");
    }
}
