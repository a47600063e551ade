//! PagerDuty webhooks v3 (`X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]`, one entry per active
//! secret): HMAC-SHA256 of the raw body, keyed with the subscription's secret; entries of other
//! versions are ignored. No time is signed; the event's `event.id` is inside the body, so a
//! replay is a `duplicate` while its item lives.

use super::shape::BodyHmac;
use super::{BodyId, HeaderRole, Inbox, Sender, TimeAt, TypeAt};

pub(super) const SENDER: Sender = Sender {
    name: "pagerduty",
    headers: &[(HeaderRole::Signature, HEADER)],
    keys: |input| SHAPE.keys(input),
    inbox: Inbox {
        reads: &["event.id", "event.event_type", "event.occurred_at"],
        id: Some(BodyId {
            path: "event.id",
            valid: |_| true,
        }),
        event_type: TypeAt::Body("event.event_type"),
        event_time: TimeAt::BodyRfc3339("event.occurred_at"),
    },
    ..Sender::BASE
};

const HEADER: &str = "x-pagerduty-signature";

/// `v1=<hex HMAC-SHA256 of the body>`, comma-separated when several secrets are active.
static SHAPE: BodyHmac = BodyHmac {
    header: HEADER,
    prefix: "v1=",
    entries: Some(","),
    ..BodyHmac::BASE
};
