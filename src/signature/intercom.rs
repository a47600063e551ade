//! Intercom (`X-Hub-Signature: sha1=<hex>`): HMAC-SHA1 of the raw body, keyed with the app's
//! client secret. Nothing else is signed; the notification's `id` is inside the body, so a
//! replay is a `duplicate` while its item lives.

use super::shape::{BodyHmac, Hash};
use super::{BodyId, HeaderRole, Inbox, Sender, TimeAt, TypeAt};

pub(super) const SENDER: Sender = Sender {
    name: "intercom",
    headers: &[(HeaderRole::Signature, HEADER)],
    keys: |input| SHAPE.keys(input),
    inbox: Inbox {
        reads: &["id", "topic", "created_at"],
        id: Some(BodyId {
            path: "id",
            valid: |_| true,
        }),
        event_type: TypeAt::Body("topic"),
        event_time: TimeAt::BodySeconds("created_at"),
    },
    ..Sender::BASE
};

const HEADER: &str = "x-hub-signature";

/// `sha1=<hex HMAC-SHA1 of the body>`.
static SHAPE: BodyHmac = BodyHmac {
    header: HEADER,
    prefix: "sha1=",
    hash: Hash::Sha1,
    ..BodyHmac::BASE
};
