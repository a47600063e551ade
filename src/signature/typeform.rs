//! Typeform (`Typeform-Signature: sha256=<base64>`): HMAC-SHA256 of the raw body, keyed with the
//! webhook's secret. Nothing else is signed; the `event_id` is inside the body, so a replay is a
//! `duplicate` while its item lives.

use super::shape::{BodyHmac, Encoding};
use super::{BodyId, HeaderRole, Inbox, Sender, TimeAt, TypeAt};

pub(super) const SENDER: Sender = Sender {
    name: "typeform",
    headers: &[(HeaderRole::Signature, HEADER)],
    keys: |input| SHAPE.keys(input),
    inbox: Inbox {
        reads: &["event_id", "event_type", "form_response.submitted_at"],
        id: Some(BodyId {
            path: "event_id",
            valid: |_| true,
        }),
        event_type: TypeAt::Body("event_type"),
        event_time: TimeAt::BodyRfc3339("form_response.submitted_at"),
    },
    ..Sender::BASE
};

const HEADER: &str = "typeform-signature";

/// `sha256=<base64 HMAC-SHA256 of the body>`.
static SHAPE: BodyHmac = BodyHmac {
    header: HEADER,
    prefix: "sha256=",
    encoding: Encoding::Base64,
    ..BodyHmac::BASE
};
