//! What a verified body means (SPEC §11): the second axis beside the sender, chosen per tenant.
//! The sender authenticates a body and says what it vouched for; the format turns that
//! [`VerifiedBody`] into a [`Plan`] for the store, and knows nothing of headers or DynamoDB.
//!
//! Adding a format is one new file here that defines a [`FormatSpec`], plus its `mod` line and
//! its entry in [`FORMATS`].

mod clerk_user;
mod inbox;
pub mod v1;

use std::fmt;
use std::time::Duration;

use crate::clock::Timestamp;
use crate::domain::{EventTime, Ledger, PayloadError, UserEvent};
use crate::plan::{Plan, Ttls, Write};
use crate::signature::{Sender, VerifiedBody};

/// Every format a tenant may choose, by name.
const FORMATS: &[&FormatSpec] = &[&v1::FORMAT, &inbox::FORMAT, &clerk_user::FORMAT];

/// One format: its name in `WEBHOOK_TENANTS`, the sender it needs (if any), and how it reads a
/// verified body.
pub(crate) struct FormatSpec {
    pub(crate) name: &'static str,
    /// The only sender this format works with, where it has one (Clerk signs with Svix).
    pub(crate) scheme: Option<&'static str>,
    /// Whether it reads any sender's own events (inbox), rather than user events only the
    /// senders that may carry them send.
    pub(crate) any_sender: bool,
    /// Whether a sender's ping is an event to keep rather than a handshake to answer.
    pub(crate) keeps_pings: bool,
    plan: fn(&Input<'_>) -> Result<Plan, PayloadError>,
}

/// A tenant's format, chosen at cold start.
#[derive(Clone, Copy)]
pub struct Format(&'static FormatSpec);

impl Format {
    /// The default: SPEC §5's user events.
    pub const DEFAULT: Format = Format(&v1::FORMAT);

    pub fn parse(name: &str) -> Option<Self> {
        FORMATS.iter().find(|f| f.name == name).map(|f| Format(f))
    }

    pub fn names() -> Vec<&'static str> {
        FORMATS.iter().map(|f| f.name).collect()
    }

    pub(crate) fn spec(self) -> &'static FormatSpec {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// Whether this format can read what `sender` sends (Clerk's events come only through
    /// Svix; user events only from senders that may carry them).
    pub fn accepts(self, sender: &Sender) -> bool {
        self.0.scheme.is_none_or(|needed| needed == sender.name)
            && (self.0.any_sender || sender.user_events)
    }

    /// Whether it applies user events (v1, clerk-user) rather than keeping a sender's own.
    pub fn writes_users(self) -> bool {
        !self.0.any_sender
    }

    /// Every format, in the order of [`FORMATS`].
    pub fn all() -> impl Iterator<Item = Format> {
        FORMATS.iter().map(|f| Format(f))
    }

    /// Reads a verified body into what the store must do.
    pub fn plan(self, input: &Input<'_>) -> Result<Plan, PayloadError> {
        (self.0.plan)(input)
    }
}

impl fmt::Debug for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Format({})", self.0.name)
    }
}

impl PartialEq for Format {
    fn eq(&self, other: &Self) -> bool {
        self.0.name == other.0.name
    }
}

/// What a format reads: the verified body and the request's circumstances.
pub struct Input<'a> {
    pub body: &'a VerifiedBody<'a>,
    /// Whether the body is form-encoded (a sender that sends forms); else JSON.
    pub form: bool,
    /// Receipt time.
    pub now: Timestamp,
    /// The tenant's tolerance (whole seconds): event times further in the future are refused.
    pub tolerance: Duration,
    pub ttls: Ttls,
    /// Where the tenant records deliveries: with `item`, the sender's own event time is
    /// required (SPEC §13.4).
    pub ledger: Ledger,
}

impl Input<'_> {
    /// The latest event time accepted: a far-future event would make every later one stale.
    pub(crate) fn latest_event_time(&self) -> Timestamp {
        self.now.saturating_add(self.tolerance)
    }

    /// The user write for a parsed user event (the formats that apply user events share it).
    /// Its time is the sender's own when given, else the signed time of this attempt, else
    /// receipt time.
    pub(crate) fn user_write(&self, event: UserEvent) -> Plan {
        let event_time = match (event.occurred_at, self.body.signed_at()) {
            (Some(at), _) => EventTime {
                at,
                sender_owned: true,
            },
            (None, Some(at)) => EventTime {
                at,
                sender_owned: false,
            },
            (None, None) => EventTime {
                at: self.now,
                sender_owned: false,
            },
        };
        // One hash of the body: its digest, and its id where the sender gives none.
        let payload_sha256 = self.body.sha256_hex();
        let delivery = (self.body.delivery_id_for(&payload_sha256), payload_sha256);
        Plan::User(Write::new(
            event,
            event_time,
            delivery,
            self.now,
            &self.ttls,
            self.ledger,
        ))
    }
}
