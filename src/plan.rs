//! What an accepted event writes ([`Plan`]: a user write, an inbox put, or nothing), and how to
//! read a refused user write. Pure: no I/O, no DynamoDB types, so every cell of the condition
//! table (SPEC §6) is unit-tested here.

use crate::clock::Timestamp;
use crate::domain::{Action, DeliveryId, EventTime, Ledger, Metadata, UserEvent, UserId};
pub use crate::domain::{Expiry, Ttls};

/// A webhook the receiver accepted: answered 200 `{"status": …}`, and the sender is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Accepted {
    /// The user write was applied.
    Applied,
    /// This delivery was already received (a user write: with the same body; an inbox event:
    /// whatever its body, never overwritten); nothing written again.
    Duplicate,
    /// A newer (or same-time) event for this user was applied first; nothing written.
    Stale,
    /// An inbox event stored for the first time.
    Stored,
    /// A verified request that asks for nothing to be written (a GitHub `ping`, a Clerk event
    /// type the format does not apply).
    Ignored,
    /// Every event of a batch stored now or before (SPEC §13.3).
    Batch { stored: usize, duplicate: usize },
}

impl Accepted {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Duplicate => "duplicate",
            Self::Stale => "stale",
            // A batch is logged `duplicate` only when none of it was new.
            Self::Batch { stored: 0, .. } => "duplicate",
            Self::Stored | Self::Batch { .. } => "stored",
            Self::Ignored => "ignored",
        }
    }
}

/// A write's outcome and the write request units DynamoDB says it consumed (its
/// `ReturnConsumedCapacity`; unknown when the answer was a refusal, which carries none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Written<T> {
    pub(crate) outcome: T,
    pub(crate) write_units: Option<f64>,
}

/// How a user write that was not refused ended (what [`Accepted`] a user write can be).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserWriteOutcome {
    Applied,
    Duplicate,
    Stale,
}

impl From<UserWriteOutcome> for Accepted {
    fn from(outcome: UserWriteOutcome) -> Self {
        match outcome {
            UserWriteOutcome::Applied => Self::Applied,
            UserWriteOutcome::Duplicate => Self::Duplicate,
            UserWriteOutcome::Stale => Self::Stale,
        }
    }
}

/// How an inbox put ended (what [`Accepted`] an inbox event can be; it is never refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventPutOutcome {
    Stored,
    Duplicate,
}

impl From<EventPutOutcome> for Accepted {
    fn from(outcome: EventPutOutcome) -> Self {
        match outcome {
            EventPutOutcome::Stored => Self::Stored,
            EventPutOutcome::Duplicate => Self::Duplicate,
        }
    }
}

/// A user write refused because of what is stored: answered 409, and the sender must look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Conflict {
    /// `create` for a user that exists (and is not a tombstone) with an older event time.
    UserExists,
    /// `update` for a user that does not exist or is a tombstone.
    UserNotFound,
    /// This delivery id was already received with another body (user writes; the inbox keeps
    /// the first and answers `Duplicate`).
    DeliveryIdReused,
}

impl Conflict {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
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
    /// A batch sender's events, each kept as its own inbox item: one conditional put each.
    Batch(Vec<EventPut>),
    /// Nothing to write.
    Ignored,
}

impl Plan {
    /// What the plan does, for the log line.
    pub fn action(&self) -> &'static str {
        match self {
            Self::User(w) => w.action.as_str(),
            Self::Event(_) => "store",
            Self::Batch(_) => "store_batch",
            Self::Ignored => "ignore",
        }
    }

    /// The delivery id the write is recorded under, if it writes.
    pub fn delivery_id(&self) -> Option<&DeliveryId> {
        match self {
            Self::User(w) => Some(&w.delivery_id),
            Self::Event(put) => Some(&put.delivery_id),
            Self::Batch(_) | Self::Ignored => None,
        }
    }

    /// How many of the sender's values were left out, when any were.
    pub(crate) fn dropped_fields(&self) -> Option<usize> {
        match self {
            Self::User(w) if !w.metadata.dropped.is_empty() => Some(w.metadata.dropped.len()),
            Self::User(_) | Self::Event(_) | Self::Batch(_) | Self::Ignored => None,
        }
    }
}

/// An inbox item (SPEC §11): stored once under its delivery id, never overwritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventPut {
    /// The key: an id the sender signed, else the body's hash.
    pub delivery_id: DeliveryId,
    /// A delivery id the sender set but did not sign (kept, never a key).
    pub sender_delivery_id: Option<DeliveryId>,
    /// `form` or `json`, for a sender that sends both.
    pub content_type: Option<&'static str>,
    /// Kept only when it is a plain token (`^[A-Za-z0-9._:/-]{1,128}$`).
    pub event_type: Option<String>,
    pub event_time: Timestamp,
    /// Receipt time, RFC 3339 UTC.
    pub received_at: String,
    pub payload_sha256: String,
    /// The whole body's hash, where this event is one element of a batch.
    pub batch_sha256: Option<String>,
    /// The body exactly as received (a batch element's own bytes).
    pub body: String,
    pub expires_at: Expiry,
}

/// One transaction: the delivery record and the user mutation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    pub delivery_id: DeliveryId,
    pub payload_sha256: String,
    pub user_id: UserId,
    pub action: Action,
    /// `occurred_at`, else the signed timestamp, else receipt time.
    pub event_time: EventTime,
    /// Receipt time, RFC 3339 UTC (`received_at`, `updated_at`, `deleted_at`).
    pub received_at: String,
    pub delivery_expires_at: Expiry,
    pub tombstone_expires_at: Expiry,
    pub metadata: Metadata,
    /// Where the write records its delivery: a delivery record beside the user item, or the
    /// user item alone.
    pub ledger: Ledger,
}

impl Write {
    /// The write of `event` for one delivery: `delivery` is its id and its body's hex SHA-256.
    pub(crate) fn new(
        event: UserEvent,
        event_time: EventTime,
        delivery: (DeliveryId, String),
        now: Timestamp,
        ttls: &Ttls,
        ledger: Ledger,
    ) -> Self {
        let (delivery_id, payload_sha256) = delivery;
        Self {
            delivery_id,
            payload_sha256,
            user_id: event.user_id,
            action: event.action,
            event_time,
            received_at: now.to_rfc3339(),
            delivery_expires_at: Expiry::after(now, ttls.delivery),
            tombstone_expires_at: Expiry::after(now, ttls.tombstone),
            metadata: event.metadata,
            ledger,
        }
    }
}

/// The user item as it stood when a condition refused the write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StoredUser {
    pub(crate) last_event_at: Timestamp,
    pub(crate) tombstone: bool,
}

/// The delivery record's condition failed: the same body again is a duplicate, another body
/// under the same id is a reused id.
pub(crate) fn on_delivery_exists(
    write: &Write,
    stored_sha256: Option<&str>,
) -> Result<UserWriteOutcome, Conflict> {
    if stored_sha256 == Some(write.payload_sha256.as_str()) {
        Ok(UserWriteOutcome::Duplicate)
    } else {
        Err(Conflict::DeliveryIdReused)
    }
}

/// The user item refused a write that is its own ledger (SPEC §13.4). When the item's last
/// delivery is this one, the same body is a duplicate and another body a reused id (only the
/// last delivery id is remembered); else §6's table decides. `last_delivery`: the item's
/// `last_delivery_id` and `last_payload_sha256`.
pub(crate) fn on_item_refused(
    write: &Write,
    stored: Option<StoredUser>,
    last_delivery: Option<(&str, Option<&str>)>,
) -> Option<Result<UserWriteOutcome, Conflict>> {
    match last_delivery {
        Some((id, Some(sha))) if id == write.delivery_id.as_str() => {
            Some(if sha == write.payload_sha256 {
                Ok(UserWriteOutcome::Duplicate)
            } else {
                Err(Conflict::DeliveryIdReused)
            })
        }
        // Its last delivery without a hash (written under the delivery ledger): §6 decides.
        _ => on_user_refused(write.action, write.event_time, stored),
    }
}

/// The user condition failed. `None` means the stored item would have satisfied the condition
/// (it changed between check and read): the caller retries.
pub(crate) fn on_user_refused(
    action: Action,
    t: EventTime,
    stored: Option<StoredUser>,
) -> Option<Result<UserWriteOutcome, Conflict>> {
    let Some(user) = stored else {
        return match action {
            Action::Update => Some(Err(Conflict::UserNotFound)),
            Action::Create | Action::Delete => None,
        };
    };
    // An equal time counts as already applied.
    let newer_or_same = user.last_event_at >= t.at;
    match (action, user.tombstone, newer_or_same) {
        (_, _, true) => Some(Ok(UserWriteOutcome::Stale)),
        (Action::Create, false, false) => Some(Err(Conflict::UserExists)),
        (Action::Update, true, false) => Some(Err(Conflict::UserNotFound)),
        // Only the sender's own time may bring a deleted user back: a retried create is signed
        // anew, so its signed time says nothing of when the user was created (SPEC §5).
        (Action::Create, true, false) if !t.sender_owned => Some(Ok(UserWriteOutcome::Stale)),
        (Action::Create, true, false)
        | (Action::Update, false, false)
        | (Action::Delete, _, false) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Conflict::*;

    const STALE: Option<Result<UserWriteOutcome, Conflict>> = Some(Ok(UserWriteOutcome::Stale));

    const T: i64 = 1_000_000;

    fn live(last: i64) -> Option<StoredUser> {
        Some(StoredUser {
            last_event_at: Timestamp::from_unix_millis(last),
            tombstone: false,
        })
    }

    fn tomb(last: i64) -> Option<StoredUser> {
        Some(StoredUser {
            last_event_at: Timestamp::from_unix_millis(last),
            tombstone: true,
        })
    }

    #[test]
    fn expiry_is_receipt_second_plus_lifetime() {
        let day = std::time::Duration::from_secs(86_400);
        let at = |ms| Expiry::after(Timestamp::from_unix_millis(ms), day).unix_seconds();
        // Sub-second receipt times round down, before and after the epoch.
        assert_eq!(at(1_795_867_200_999), 1_795_867_200 + 86_400);
        assert_eq!(at(-1), -1 + 86_400);
        // A lifetime beyond any clock saturates in seconds, as DynamoDB reads it.
        let forever = Expiry::after(Timestamp::from_unix_millis(0), std::time::Duration::MAX);
        assert_eq!(forever.unix_seconds(), i64::MAX);
    }

    /// SPEC §13.4: the item's last delivery decides first (same body: duplicate; another:
    /// reused), any other refusal is §6's table.
    #[test]
    fn an_item_ledger_refusal_reads_the_last_delivery_first() {
        let t = EventTime {
            at: Timestamp::from_unix_millis(T),
            sender_owned: true,
        };
        let write = Write::new(
            UserEvent {
                user_id: UserId::from_validated("usr_00000001".into()),
                action: Update,
                occurred_at: Some(t.at),
                metadata: Metadata::default(),
            },
            t,
            (DeliveryId::parse("msg_1").unwrap(), "aa".into()),
            t.at,
            &Ttls {
                delivery: std::time::Duration::from_secs(60),
                tombstone: std::time::Duration::from_secs(60),
                inbox: std::time::Duration::from_secs(60),
            },
            Ledger::Item,
        );
        let refused = |last| on_item_refused(&write, live(T), last);
        assert_eq!(
            refused(Some(("msg_1", Some("aa")))),
            Some(Ok(UserWriteOutcome::Duplicate))
        );
        assert_eq!(
            refused(Some(("msg_1", Some("bb")))),
            Some(Err(DeliveryIdReused))
        );
        // Written before the tenant kept hashes: judged by time.
        assert_eq!(refused(Some(("msg_1", None))), STALE);
        assert_eq!(refused(Some(("msg_0", Some("aa")))), STALE);
        assert_eq!(refused(None), STALE);
    }

    /// SPEC §6's table, every cell (3 actions × 5 stored states, and the ages each state
    /// spans), for both kinds of event time. `None` marks cells where the condition passes
    /// (applied), so a refusal there is inconsistent and retried.
    #[test]
    fn condition_table() {
        let applied = None;
        for owned in [true, false] {
            // A create over a tombstone needs the sender's own event time.
            let recreate = if owned { applied } else { STALE };
            let rows = [
                (Create, None, applied),
                (Create, live(T - 1), Some(Err(UserExists))),
                (Create, live(T), STALE),
                (Create, live(T + 1), STALE),
                (Create, tomb(T - 1), recreate),
                (Create, tomb(T), STALE),
                (Create, tomb(T + 1), STALE),
                (Update, None, Some(Err(UserNotFound))),
                (Update, live(T - 1), applied),
                (Update, live(T), STALE),
                (Update, live(T + 1), STALE),
                (Update, tomb(T - 1), Some(Err(UserNotFound))),
                (Update, tomb(T), STALE),
                (Update, tomb(T + 1), STALE),
                (Delete, None, applied),
                (Delete, live(T - 1), applied),
                (Delete, live(T), STALE),
                (Delete, live(T + 1), STALE),
                (Delete, tomb(T - 1), applied),
                (Delete, tomb(T), STALE),
                (Delete, tomb(T + 1), STALE),
            ];
            let t = EventTime {
                at: Timestamp::from_unix_millis(T),
                sender_owned: owned,
            };
            for (action, stored, want) in rows {
                assert_eq!(
                    on_user_refused(action, t, stored),
                    want,
                    "{action:?} {stored:?} owned={owned}"
                );
            }
        }
    }
}
