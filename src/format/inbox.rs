//! `inbox`: any sender's events, kept as received for another function to process from the
//! table's stream (SPEC §11). The body must be a JSON object; only the few fields the sender
//! declares for its event's id, type and time are read, and nothing in the body becomes an
//! attribute name or enters an expression.
//!
//! The item's key is an id the sender signed (inside the body, else in a header), else the
//! body's hash: an id the sender does not sign never keys an item, so a captured body re-posted
//! under a fresh delivery header is a duplicate, not a new event. Such a header id is kept as
//! `sender_delivery_id`.

use super::{FormatSpec, Input};
use crate::clock::Timestamp;
use crate::domain::{DeliveryId, PayloadError};
use crate::json::{self, Doc};
use crate::plan::{EventPut, Expiry, Plan};
use crate::signature::{is_event_type, BodyId, TimeAt, TypeAt};

pub(super) const FORMAT: FormatSpec = FormatSpec {
    name: "inbox",
    scheme: None,
    any_sender: true,
    keeps_pings: true,
    plan,
};

fn plan(input: &Input<'_>) -> Result<Plan, PayloadError> {
    let body = input.body;
    let sender = body.sender();
    let facts = &sender.inbox;
    // Kept as text; a form body is kept as it is, nothing in it read.
    let text = std::str::from_utf8(body.bytes()).map_err(|_| PayloadError::InvalidJson)?;
    let doc = if input.form {
        Doc::default()
    } else {
        json::read_object(text.as_bytes(), facts.reads)?
    };
    let payload_sha256 = body.sha256_hex();

    let delivery_id = match &facts.id {
        Some(id) => body_id(&doc, id)?,
        None => None,
    }
    .or_else(|| body.signed_id().cloned())
    .or_else(|| body.content_key().map(|k| k.as_delivery_id().clone()))
    .unwrap_or_else(|| DeliveryId::body_hash(&payload_sha256));

    let event_type = match facts.event_type {
        TypeAt::None => None,
        TypeAt::Header => body.reported_type(),
        TypeAt::Body(path) => doc.text(path),
        TypeAt::Rule(rule) => rule(&doc, body.reported_type()),
    }
    .filter(|t| is_event_type(t))
    .map(str::to_owned);

    let event_time = match facts.event_time {
        TimeAt::Signed => body.signed_at(),
        TimeAt::BodySeconds(path) => doc.seconds(path),
        TimeAt::BodyMillis(path) => doc.int(path).map(Timestamp::from_unix_millis),
        TimeAt::BodyRfc3339(path) => doc.text(path).and_then(Timestamp::parse_rfc3339),
        TimeAt::Rule(rule) => rule(&doc),
        TimeAt::Receipt => None,
    }
    .unwrap_or(input.now);

    Ok(Plan::Event(EventPut {
        delivery_id,
        sender_delivery_id: body.unsigned_id().cloned(),
        // Where the sender sends both, which one this is.
        content_type: sender
            .form_bodies
            .then_some(if input.form { "form" } else { "json" }),
        event_type,
        event_time,
        received_at: input.now.to_rfc3339(),
        payload_sha256,
        body: text.to_owned(),
        expires_at: Expiry::after(input.now, input.ttls.inbox),
    }))
}

/// An id the sender signed inside the body: absent is `None`; present (even `null`), it must be
/// a string of the sender's form, given once. (Elsewhere a value that cannot be read is left
/// out: only the key decides what the event is.)
fn body_id(doc: &Doc, id: &BodyId) -> Result<Option<DeliveryId>, PayloadError> {
    if let Some(problem) = doc.problem(id.path) {
        return Err(problem);
    }
    let Some(value) = doc.get(id.path) else {
        return Ok(None);
    };
    value
        .text()
        .filter(|raw| (id.valid)(raw))
        .and_then(DeliveryId::parse)
        .map(Some)
        .ok_or_else(|| PayloadError::at(id.path, "is not an event id of this sender's form"))
}
