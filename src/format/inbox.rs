//! `inbox`: any sender's events, kept as received for another function to process from the
//! table's stream (SPEC §11). The body must be a JSON object; only the few fields the sender
//! declares for its event's id, type and time are read, and nothing in the body becomes an
//! attribute name or enters an expression.
//!
//! The item's key is an id the sender signed (inside the body, else in a header), else the
//! body's hash: an id the sender does not sign never keys an item, so a captured body re-posted
//! under a fresh delivery header is a duplicate, not a new event. Such a header id is kept as
//! `sender_delivery_id`.

use std::collections::HashMap;

use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use super::{FormatSpec, Input};
use crate::clock::Timestamp;
use crate::domain::{DeliveryId, Detail, PayloadError};
use crate::json::{self, Doc};
use crate::plan::{EventPut, Expiry, Plan};
use crate::signature::{is_event_type, Batch, BodyId, TimeAt, TypeAt};

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
    // Kept as text; a form body is kept as it is, nothing in it read.
    let text = std::str::from_utf8(body.bytes()).map_err(|_| PayloadError::InvalidJson)?;
    if let Some(batch) = &sender.batch {
        return plan_batch(input, text, batch);
    }
    let doc = if input.form {
        Doc::default()
    } else {
        json::read_object(text.as_bytes(), sender.inbox.reads)?
    };
    let payload_sha256 = body.sha256_hex();
    let delivery_id = match &sender.inbox.id {
        Some(id) => body_id(&doc, id)?,
        None => None,
    }
    .or_else(|| body.signed_id().cloned())
    .or_else(|| body.content_key().map(|k| k.as_delivery_id().clone()))
    .unwrap_or_else(|| DeliveryId::body_hash(&payload_sha256));
    Ok(Plan::Event(event(
        input,
        &doc,
        delivery_id,
        (text, payload_sha256),
        None,
    )))
}

/// Most events one batch may hold (SPEC §13.3).
const MAX_BATCH_EVENTS: usize = 1000;
/// Largest batch element: an item holds 400 KB with its other attributes.
const MAX_ELEMENT_BYTES: usize = 350 * 1024;

/// A batch: a JSON array of 1 to 1000 objects, each its own event, keyed, typed and timed by
/// its own fields and kept as its own bytes. One malformed element refuses the whole batch.
fn plan_batch(input: &Input<'_>, text: &str, batch: &Batch) -> Result<Plan, PayloadError> {
    let elements: Vec<&RawValue> =
        serde_json::from_str(text).map_err(|_| PayloadError::InvalidJson)?;
    if !(1..=MAX_BATCH_EVENTS).contains(&elements.len()) {
        return Err(PayloadError::at("", "must be an array of 1 to 1000 events"));
    }
    let facts = &input.body.sender().inbox;
    let batch_sha256 = input.body.sha256_hex();
    let mut keys: HashMap<DeliveryId, (usize, String)> = HashMap::new();
    elements
        .iter()
        .enumerate()
        .map(|(i, element)| {
            let raw = element.get();
            if raw.len() > MAX_ELEMENT_BYTES {
                return Err(PayloadError::ElementTooLarge);
            }
            let at = |e: PayloadError| within(i, e);
            let doc = json::read_object(raw.as_bytes(), facts.reads).map_err(|e| match e {
                PayloadError::InvalidJson => {
                    PayloadError::at(&format!("[{i}]"), "must be a JSON object")
                }
                other => at(other),
            })?;
            let payload_sha256 = hex::encode(Sha256::digest(raw.as_bytes()));
            let id = match (batch.key, &facts.id) {
                (Some(key), _) => Some(key(&doc).map_err(|d| at(PayloadError::Invalid(vec![d])))?),
                (None, Some(id)) => body_id(&doc, id).map_err(at)?,
                (None, None) => None,
            };
            let delivery_id = id.unwrap_or_else(|| DeliveryId::body_hash(&payload_sha256));
            // One key twice in a batch with two bodies: which one a concurrent put keeps is
            // chance, so the batch is refused (the same body twice is a plain duplicate).
            match keys.get(&delivery_id) {
                Some((first, sha)) if *sha != payload_sha256 => {
                    return Err(PayloadError::at(
                        &format!("[{i}]"),
                        &format!("has the key of element [{first}] with another body"),
                    ))
                }
                Some(_) => {}
                None => {
                    keys.insert(delivery_id.clone(), (i, payload_sha256.clone()));
                }
            }
            Ok(event(
                input,
                &doc,
                delivery_id,
                (raw, payload_sha256),
                Some(batch_sha256.clone()),
            ))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Plan::Batch)
}

/// `error` at element `i`: its paths prefixed with `[i].`.
fn within(i: usize, error: PayloadError) -> PayloadError {
    match error {
        PayloadError::Invalid(details) => PayloadError::Invalid(
            details
                .into_iter()
                .map(|d| Detail::new(format!("[{i}].{}", d.path), d.message))
                .collect(),
        ),
        other => other,
    }
}

/// The inbox item of one event: `kept` is its text and that text's hash.
fn event(
    input: &Input<'_>,
    doc: &Doc,
    delivery_id: DeliveryId,
    kept: (&str, String),
    batch_sha256: Option<String>,
) -> EventPut {
    let body = input.body;
    let sender = body.sender();
    let facts = &sender.inbox;
    let event_type = match facts.event_type {
        TypeAt::None => None,
        TypeAt::Header => body.reported_type(),
        TypeAt::Body(path) => doc.text(path),
        TypeAt::Rule(rule) => rule(doc, body.reported_type()),
    }
    .filter(|t| is_event_type(t))
    .map(str::to_owned);

    let event_time = match facts.event_time {
        TimeAt::Signed => body.signed_at(),
        TimeAt::BodySeconds(path) => doc.seconds(path),
        TimeAt::BodyMillis(path) => doc.int(path).map(Timestamp::from_unix_millis),
        TimeAt::BodyRfc3339(path) => doc.text(path).and_then(Timestamp::parse_rfc3339),
        TimeAt::Rule(rule) => rule(doc),
        TimeAt::Receipt => None,
    }
    .unwrap_or(input.now);

    let (text, payload_sha256) = kept;
    EventPut {
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
        batch_sha256,
        body: text.to_owned(),
        expires_at: Expiry::after(input.now, input.ttls.inbox),
    }
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
        .and_then(DeliveryId::from_body)
        .map(Some)
        .ok_or_else(|| PayloadError::at(id.path, "is not an event id of this sender's form"))
}
