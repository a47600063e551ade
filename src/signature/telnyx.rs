//! Telnyx (API v2 webhooks): `telnyx-signature-ed25519` is the base64 Ed25519 signature, by
//! Telnyx's key, of `{telnyx-timestamp}|{raw body}`; the tenant lists the account's public key
//! (base64, 32 bytes, from Mission Control). The timestamp is Unix seconds within the
//! tolerance; the event id (`data.id`) is inside the signed body.

use super::shape::{Encoding, SignedByKey};
use super::{BodyId, HeaderRole, Inbox, Sender, TimeAt, TypeAt};

pub(super) const SENDER: Sender = Sender {
    name: "telnyx",
    headers: &[
        (HeaderRole::Signature, SIGNATURE_HEADER),
        (HeaderRole::Timestamp, TIMESTAMP_HEADER),
    ],
    keys: |input| SHAPE.keys(input),
    inbox: Inbox {
        reads: &["data.id", "data.event_type", "data.occurred_at"],
        id: Some(BodyId {
            path: "data.id",
            valid: |_| true,
        }),
        event_type: TypeAt::Body("data.event_type"),
        event_time: TimeAt::BodyRfc3339("data.occurred_at"),
    },
    #[cfg(any(test, feature = "signing"))]
    demo_secret: |label| SHAPE.demo_public(label),
    #[cfg(any(test, feature = "signing"))]
    signing_keys: Some(|input| SHAPE.signing_keys(input)),
    #[cfg(any(test, feature = "signing"))]
    demo_signing_secret: Some(|label| SHAPE.demo_private(label)),
    ..Sender::BASE
};

const SIGNATURE_HEADER: &str = "telnyx-signature-ed25519";
const TIMESTAMP_HEADER: &str = "telnyx-timestamp";

/// `telnyx-signature-ed25519: <base64>` over `{telnyx-timestamp}|{body}`.
static SHAPE: SignedByKey = SignedByKey {
    signature: SIGNATURE_HEADER,
    timestamp: TIMESTAMP_HEADER,
    between: "|",
    encoding: Encoding::Base64,
    key_name: "the account's public key",
};
