//! `inbox`: any sender's events, kept as received for another function to process from the
//! table's stream (SPEC §11). The body must be a JSON object; only the few envelope fields that
//! name the event (its id, type and time) are read, each where its sender puts it, and nothing
//! in the body becomes an attribute name or enters an expression.

use std::fmt;

use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use sha2::{Digest, Sha256};

use super::json::Scalar;
use super::{FormatSpec, Input};
use crate::clock::Timestamp;
use crate::payload::{Detail, Object, PayloadError};
use crate::plan::{EventPut, Expiry, Plan};
use crate::signature::{
    github, is_event_type, shopify, slack, standard_webhooks, stripe, DeliveryId,
};

pub(super) const FORMAT: FormatSpec = FormatSpec {
    name: "inbox",
    scheme: None,
    keeps_pings: true,
    plan,
};

/// The envelope fields any sender may have; everything else is skipped unread.
#[derive(Deserialize)]
struct Envelope {
    /// Stripe's event id (`evt_…`). `null` counts as present (and malformed).
    #[serde(default, deserialize_with = "present")]
    id: Option<Scalar>,
    /// The event type (Stripe, Standard Webhooks; Slack's envelope type).
    #[serde(rename = "type")]
    kind: Option<Scalar>,
    /// Stripe's creation time, Unix seconds.
    created: Option<Scalar>,
    /// Slack's event id and time (Unix seconds). `null` counts as present (and malformed).
    #[serde(default, deserialize_with = "present")]
    event_id: Option<Scalar>,
    event_time: Option<Scalar>,
    /// Slack's inner event, for its type.
    event: Option<InnerEvent>,
}

fn plan(input: &Input<'_>) -> Result<Plan, PayloadError> {
    let bytes = input.body.bytes();
    let text = std::str::from_utf8(bytes).map_err(|_| PayloadError::InvalidJson)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let envelope: Envelope = match serde_path_to_error::deserialize(&mut de) {
        Ok(Object(e)) => e,
        Err(e) => return Err(envelope_error(&e)),
    };
    de.end().map_err(|_| PayloadError::InvalidJson)?;

    let delivery_id = match input.scheme {
        stripe::SCHEME => body_id(envelope.id.as_ref(), "id", is_stripe_event_id)?,
        slack::SCHEME => body_id(envelope.event_id.as_ref(), "event_id", is_slack_event_id)?,
        _ => None,
    }
    .unwrap_or_else(|| input.body.delivery_id().clone());

    let event_type = match input.scheme {
        stripe::SCHEME | standard_webhooks::SCHEME => envelope.kind.as_ref().and_then(Scalar::text),
        slack::SCHEME => match envelope.kind.as_ref().and_then(Scalar::text) {
            Some("event_callback") => envelope
                .event
                .as_ref()
                .and_then(|e| e.kind.as_ref())
                .and_then(Scalar::text),
            other => other,
        },
        github::SCHEME | shopify::SCHEME => input.body.sender_event(),
        _ => None,
    }
    .filter(|t| is_event_type(t))
    .map(str::to_owned);

    let seconds = |v: Option<&Scalar>| {
        v.and_then(Scalar::int)
            .filter(|s| s.checked_mul(1000).is_some())
            .map(Timestamp::from_unix_seconds)
    };
    let event_time = match input.scheme {
        stripe::SCHEME => seconds(envelope.created.as_ref()),
        slack::SCHEME => seconds(envelope.event_time.as_ref()),
        standard_webhooks::SCHEME => input.body.signed_at(),
        _ => None,
    }
    .unwrap_or(input.now);

    Ok(Plan::Event(EventPut {
        delivery_id,
        event_type,
        event_time,
        received_at: input.now.to_rfc3339(),
        payload_sha256: hex::encode(Sha256::digest(bytes)),
        body: text.to_owned(),
        expires_at: Expiry::after(input.now, input.ttls.inbox),
    }))
}

/// A field that, when present, is `Some` even if it is `null` (serde reads `null` as absent).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Scalar>, D::Error> {
    Scalar::deserialize(d).map(Some)
}

/// A delivery id the sender signed inside the body: absent is `None`; present, it must be a
/// string of the sender's form.
fn body_id(
    value: Option<&Scalar>,
    path: &str,
    valid: fn(&str) -> bool,
) -> Result<Option<DeliveryId>, PayloadError> {
    let Some(value) = value else {
        return Ok(None);
    };
    value
        .text()
        .filter(|id| valid(id))
        .and_then(DeliveryId::parse)
        .map(Some)
        .ok_or_else(|| {
            PayloadError::Invalid(vec![Detail::new(
                path,
                "is not an event id of this sender's form",
            )])
        })
}

/// `^evt_[A-Za-z0-9_]{1,120}$`.
fn is_stripe_event_id(id: &str) -> bool {
    id.strip_prefix("evt_").is_some_and(|rest| {
        (1..=120).contains(&rest.len())
            && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// `^[A-Za-z0-9]{1,64}$`.
fn is_slack_event_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Not a JSON object (or not JSON) is `invalid_json`; an envelope field given twice (which one
/// did the sender mean?) or a number too large to read is `invalid_payload` at its path.
fn envelope_error(e: &serde_path_to_error::Error<serde_json::Error>) -> PayloadError {
    let kind = e.inner().to_string();
    let path = e.path().to_string();
    if let Some(rest) = kind.strip_prefix("duplicate field `") {
        // serde's derive names its own field here, one of the envelope's.
        let field = rest.split('`').next().unwrap_or_default();
        let field = ENVELOPE_FIELDS.iter().find(|f| **f == field);
        if let Some(field) = field {
            return PayloadError::Invalid(vec![Detail::new(*field, "duplicated key")]);
        }
    }
    if kind.starts_with("number out of range") && !path.is_empty() && path != "." {
        let top = path.split('.').next().unwrap_or_default();
        let field = ENVELOPE_FIELDS.iter().find(|f| **f == top);
        if let Some(field) = field {
            return PayloadError::Invalid(vec![Detail::new(
                *field,
                "is a number too large to read",
            )]);
        }
    }
    PayloadError::InvalidJson
}

const ENVELOPE_FIELDS: &[&str] = &["id", "type", "created", "event_id", "event_time", "event"];

/// Slack's inner `event`: only its `type` is read (the first one given); anything that is not an
/// object has none.
struct InnerEvent {
    kind: Option<Scalar>,
}

impl<'de> Deserialize<'de> for InnerEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = InnerEvent;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<InnerEvent, A::Error> {
                let mut kind = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == "type" && kind.is_none() {
                        kind = Some(map.next_value::<Scalar>()?);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(InnerEvent { kind })
            }
            fn visit_bool<E>(self, _: bool) -> Result<InnerEvent, E> {
                Ok(InnerEvent { kind: None })
            }
            fn visit_i64<E>(self, _: i64) -> Result<InnerEvent, E> {
                Ok(InnerEvent { kind: None })
            }
            fn visit_u64<E>(self, _: u64) -> Result<InnerEvent, E> {
                Ok(InnerEvent { kind: None })
            }
            fn visit_f64<E>(self, _: f64) -> Result<InnerEvent, E> {
                Ok(InnerEvent { kind: None })
            }
            fn visit_str<E>(self, _: &str) -> Result<InnerEvent, E> {
                Ok(InnerEvent { kind: None })
            }
            fn visit_unit<E>(self) -> Result<InnerEvent, E> {
                Ok(InnerEvent { kind: None })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<InnerEvent, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(InnerEvent { kind: None })
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_id_forms() {
        assert!(is_stripe_event_id("evt_1NG8Du2eZvKYlo2CUI79vXWy"));
        for bad in [
            "evt_",
            "evt_a-b",
            "EVT_abc",
            "abc",
            &format!("evt_{}", "a".repeat(121)),
        ] {
            assert!(!is_stripe_event_id(bad), "{bad}");
        }
        assert!(is_slack_event_id("Ev0PV52K21"));
        for bad in ["", "Ev0-PV", &"a".repeat(65)] {
            assert!(!is_slack_event_id(bad), "{bad}");
        }
    }
}
