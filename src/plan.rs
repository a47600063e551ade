//! What an accepted event writes ([`Plan`]: a user write, an inbox put, or nothing), and how to
//! read a refused user write. Pure: no I/O, no DynamoDB types, so every cell of the condition
//! table (SPEC §6) is unit-tested here.

use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::payload::{Action, Event, Metadata, UserId};
use crate::signature::{DeliveryId, VerifiedBody};

/// The result a sender sees for an accepted, verified, valid webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    Duplicate,
    Stale,
    /// A verified request that asks for nothing to be written (a GitHub `ping`, a Clerk event
    /// type the format does not apply).
    Ignored,
    /// An inbox event stored for the first time.
    Stored,
    UserExists,
    UserNotFound,
    DeliveryIdReused,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Duplicate => "duplicate",
            Self::Stale => "stale",
            Self::Ignored => "ignored",
            Self::Stored => "stored",
            Self::UserExists => "user_exists",
            Self::UserNotFound => "user_not_found",
            Self::DeliveryIdReused => "delivery_id_reused",
        }
    }
}

/// What a verified, valid body asks the store to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// A user lifecycle event (v1, Clerk): one transaction with its delivery record.
    User(Write),
    /// A sender's event kept as received (inbox): one conditional put.
    Event(EventPut),
    /// Nothing to write.
    Ignored,
}

impl Plan {
    /// What the plan does, for the log line.
    pub fn action(&self) -> &'static str {
        match self {
            Self::User(w) => w.action.as_str(),
            Self::Event(_) => "store",
            Self::Ignored => "ignore",
        }
    }
}

/// An inbox item (SPEC §11): stored once under its delivery id, never overwritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventPut {
    pub delivery_id: DeliveryId,
    /// Kept only when it is a plain token (`^[A-Za-z0-9._:/-]{1,128}$`).
    pub event_type: Option<String>,
    /// ms since the epoch.
    pub event_time_ms: i64,
    /// Receipt time, RFC 3339 UTC.
    pub received_at: String,
    pub payload_sha256: String,
    /// The body exactly as received.
    pub body: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// One transaction: the delivery record and the user mutation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    pub delivery_id: DeliveryId,
    pub payload_sha256: String,
    pub user_id: UserId,
    pub action: Action,
    /// `occurred_at`, else the signed timestamp, else receipt time; ms since the epoch.
    pub event_time_ms: i64,
    /// Receipt time, RFC 3339 UTC (`received_at`, `updated_at`, `deleted_at`).
    pub received_at: String,
    /// Unix seconds.
    pub delivery_expires_at: i64,
    /// Unix seconds.
    pub tombstone_expires_at: i64,
    pub metadata: Metadata,
}

impl Write {
    pub fn new(
        event: Event,
        body: &VerifiedBody<'_>,
        now_ms: i64,
        delivery_ttl_s: i64,
        tombstone_ttl_s: i64,
    ) -> Self {
        let event_time_ms = event
            .occurred_at_ms
            .or_else(|| body.signed_at().map(|s| s.saturating_mul(1000)))
            .unwrap_or(now_ms);
        let now_s = now_ms.div_euclid(1000);
        Self {
            delivery_id: body.delivery_id().clone(),
            payload_sha256: hex::encode(Sha256::digest(body.bytes())),
            user_id: event.user_id,
            action: event.action,
            event_time_ms,
            received_at: rfc3339_utc(now_ms),
            delivery_expires_at: now_s.saturating_add(delivery_ttl_s),
            tombstone_expires_at: now_s.saturating_add(tombstone_ttl_s),
            metadata: event.metadata,
        }
    }
}

/// Milliseconds since the epoch as RFC 3339 UTC (`2026-11-28T12:00:00.123Z`).
pub fn rfc3339_utc(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// The user item as it stood when a condition refused the write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredUser {
    pub last_event_at: i64,
    pub tombstone: bool,
}

/// The delivery record's condition failed: the same body again is a duplicate, another body
/// under the same id is a reused id.
pub fn on_delivery_exists(write: &Write, stored_sha256: Option<&str>) -> Outcome {
    if stored_sha256 == Some(write.payload_sha256.as_str()) {
        Outcome::Duplicate
    } else {
        Outcome::DeliveryIdReused
    }
}

/// The user condition failed. `None` means the stored item would have satisfied the condition
/// (it changed between check and read): the caller retries.
pub fn on_user_refused(action: Action, t: i64, stored: Option<StoredUser>) -> Option<Outcome> {
    let Some(user) = stored else {
        return match action {
            Action::Update => Some(Outcome::UserNotFound),
            Action::Create | Action::Delete => None,
        };
    };
    // An equal time counts as already applied.
    let newer_or_same = user.last_event_at >= t;
    match (action, user.tombstone, newer_or_same) {
        (_, _, true) => Some(Outcome::Stale),
        (Action::Create, false, false) => Some(Outcome::UserExists),
        (Action::Update, true, false) => Some(Outcome::UserNotFound),
        (Action::Create, true, false)
        | (Action::Update, false, false)
        | (Action::Delete, _, false) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Outcome::*;

    const T: i64 = 1_000_000;

    fn live(last: i64) -> Option<StoredUser> {
        Some(StoredUser {
            last_event_at: last,
            tombstone: false,
        })
    }

    fn tomb(last: i64) -> Option<StoredUser> {
        Some(StoredUser {
            last_event_at: last,
            tombstone: true,
        })
    }

    /// SPEC §6's table, cell by cell. `None` marks cells where the condition passes (applied),
    /// so a refusal there is inconsistent and retried.
    #[test]
    fn condition_table() {
        let rows = [
            (Create, None, None),
            (Create, live(T - 1), Some(UserExists)),
            (Create, live(T), Some(Stale)),
            (Create, live(T + 1), Some(Stale)),
            (Create, tomb(T - 1), None),
            (Create, tomb(T), Some(Stale)),
            (Create, tomb(T + 1), Some(Stale)),
            (Update, None, Some(UserNotFound)),
            (Update, live(T - 1), None),
            (Update, live(T), Some(Stale)),
            (Update, live(T + 1), Some(Stale)),
            (Update, tomb(T - 1), Some(UserNotFound)),
            (Update, tomb(T), Some(Stale)),
            (Update, tomb(T + 1), Some(Stale)),
            (Delete, None, None),
            (Delete, live(T - 1), None),
            (Delete, live(T), Some(Stale)),
            (Delete, tomb(T - 1), None),
            (Delete, tomb(T + 1), Some(Stale)),
        ];
        for (action, stored, want) in rows {
            assert_eq!(
                on_user_refused(action, T, stored),
                want,
                "{action:?} {stored:?}"
            );
        }
    }

    #[test]
    fn rfc3339_formatting() {
        assert_eq!(rfc3339_utc(1_795_867_200_000), "2026-11-28T12:00:00Z");
        assert_eq!(rfc3339_utc(1_795_867_200_123), "2026-11-28T12:00:00.123Z");
    }
}
