//! Calendly (`Calendly-Webhook-Signature: t=<unix>,v1=<hex>`): HMAC-SHA256 of `{t}.{raw body}`,
//! keyed with the webhook signing key; `t` within the tolerance. Calendly signs no event id:
//! inbox items are keyed by the body's hash.

use super::shape::{Grammar, Others, TimestampedHmac, Unit};
use super::{HeaderRole, Inbox, Sender, TimeAt, TypeAt};

pub(super) const SENDER: Sender = Sender {
    name: "calendly",
    headers: &[(HeaderRole::Signature, HEADER)],
    keys: |input| SHAPE.keys(input),
    inbox: Inbox {
        reads: &["event", "created_at"],
        event_type: TypeAt::Body("event"),
        event_time: TimeAt::BodyRfc3339("created_at"),
        ..Inbox::RECEIPT
    },
    ..Sender::BASE
};

const HEADER: &str = "calendly-webhook-signature";

/// `t=<unix s>,v1=<hex>` over `{t}.{body}`.
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
