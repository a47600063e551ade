//! Square (`x-square-hmacsha256-signature: <base64>`): HMAC-SHA256, keyed with the webhook
//! subscription's signature key, of the notification URL (the tenant's `public_url`, exactly as
//! entered in Square's Developer Console, then `?` and the query when there is one) followed by
//! the raw body. No time is signed: a replay is a `duplicate` by the signed body's `event_id`
//! while its item lives.

use super::shape::{BodyHmac, Encoding};
use super::{BodyId, HeaderRole, Inbox, Sender, TimeAt, TypeAt};

pub(super) const SENDER: Sender = Sender {
    name: "square",
    headers: &[(HeaderRole::Signature, HEADER)],
    keys: |input| SHAPE.keys(input),
    inbox: Inbox {
        reads: &["event_id", "type", "created_at"],
        id: Some(BodyId {
            path: "event_id",
            valid: |_| true,
        }),
        event_type: TypeAt::Body("type"),
        event_time: TimeAt::BodyRfc3339("created_at"),
    },
    signs_url: true,
    ..Sender::BASE
};

const HEADER: &str = "x-square-hmacsha256-signature";

/// Base64 HMAC-SHA256 of `{notification URL}{body}`.
static SHAPE: BodyHmac = BodyHmac {
    header: HEADER,
    encoding: Encoding::Base64,
    url: true,
    ..BodyHmac::BASE
};
