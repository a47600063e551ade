//! `clerk-user`: Clerk's user lifecycle events (Svix-signed) applied to user items exactly as v1
//! events are (SPEC §11, §6). Clerk adds fields without notice, so only the fields read here are
//! looked at. Clerk's structure (its envelope, `data`, `data.id`, `timestamp`) must hold, else
//! 400; but a value one of Clerk's users typed (an email, a name) that breaks a rule is left out
//! and named in `dropped_fields`: the sender cannot fix it, and a 400 would lose the user for
//! good once Svix stops retrying.

use serde::Deserialize;

use super::{FormatSpec, Input};
use crate::clock::Timestamp;
use crate::domain::{
    Action, Change, DisplayName, Email, Ledger, Metadata, PayloadError, UserEvent, UserField,
    UserId,
};
use crate::json::{self, Fields, Object, Scalar};
use crate::plan::Plan;
use crate::signature;

pub(super) const FORMAT: FormatSpec = FormatSpec {
    name: "clerk-user",
    // Clerk signs with Svix.
    scheme: Some(signature::SVIX_SCHEME),
    any_sender: false,
    keeps_pings: false,
    plan,
};

#[derive(Deserialize)]
struct Envelope {
    /// ms since the epoch.
    timestamp: Option<Scalar>,
    data: Option<Object<User>>,
}

/// The fields of Clerk's user object this format reads.
#[derive(Deserialize)]
struct User {
    id: Option<Scalar>,
    primary_email_address_id: Option<Scalar>,
    email_addresses: Option<Vec<Object<EmailAddress>>>,
    first_name: Option<Scalar>,
    last_name: Option<Scalar>,
    username: Option<Scalar>,
    /// ms since the epoch.
    created_at: Option<Scalar>,
}

#[derive(Deserialize)]
struct EmailAddress {
    id: Option<Scalar>,
    email_address: Option<Scalar>,
}

/// The fields read, with the message for a value of the wrong type there.
const FIELDS: Fields = &[
    ("type", "is not a value this field can hold"),
    ("timestamp", "is not a value this field can hold"),
    ("data", "must be a JSON object"),
    ("data.id", "is not a value this field can hold"),
    (
        "data.primary_email_address_id",
        "is not a value this field can hold",
    ),
    ("data.email_addresses", "must be a list of objects"),
    (
        "data.email_addresses.id",
        "is not a value this field can hold",
    ),
    (
        "data.email_addresses.email_address",
        "is not a value this field can hold",
    ),
    ("data.first_name", "is not a value this field can hold"),
    ("data.last_name", "is not a value this field can hold"),
    ("data.username", "is not a value this field can hold"),
    ("data.created_at", "is not a value this field can hold"),
];

fn plan(input: &Input<'_>) -> Result<Plan, PayloadError> {
    // The type alone first, so an event type the format ignores is ignored whatever its `data`.
    let kind = json::read_object(input.body.bytes(), &["type"])?;
    let action = match kind.get("type") {
        Some(Scalar::Text(t)) if t == "user.created" => Action::Create,
        Some(Scalar::Text(t)) if t == "user.updated" => Action::Update,
        Some(Scalar::Text(t)) if t == "user.deleted" => Action::Delete,
        Some(Scalar::Text(_)) => return Ok(Plan::Ignored),
        _ => return Err(PayloadError::at("type", "is required: a string")),
    };
    let envelope: Envelope = parse(input.body.bytes())?;
    let Some(Object(user)) = envelope.data else {
        return Err(PayloadError::at("data", "is required: a JSON object"));
    };
    let user_id = user
        .id
        .as_ref()
        .and_then(Scalar::text)
        .filter(|id| is_clerk_id(id))
        .map(|id| UserId::from_validated(id.to_owned()))
        .ok_or_else(|| PayloadError::at("data.id", "must match ^[A-Za-z0-9_]{1,64}$"))?;

    let occurred_at = match &envelope.timestamp {
        // With the item as its own ledger, the event's time must be Clerk's (SPEC §13.4).
        None | Some(Scalar::Null) if input.ledger == Ledger::Item => {
            return Err(PayloadError::at(
                "timestamp",
                "is required: an integer (ms since the epoch)",
            ))
        }
        None | Some(Scalar::Null) => None,
        Some(Scalar::Int(ms)) => {
            let t = Timestamp::from_unix_millis(*ms);
            if t > input.latest_event_time() {
                return Err(PayloadError::at(
                    "timestamp",
                    "is further in the future than the allowed tolerance",
                ));
            }
            Some(t)
        }
        Some(_) => {
            return Err(PayloadError::at(
                "timestamp",
                "must be an integer (ms since the epoch)",
            ))
        }
    };

    let metadata = match action {
        Action::Delete => Metadata::default(),
        Action::Create | Action::Update => {
            let mut dropped = Vec::new();
            let email = keep(&mut dropped, UserField::Email, primary_email(&user));
            let display_name = keep(&mut dropped, UserField::DisplayName, display_name(&user));
            let created_at = match action {
                Action::Create => keep(&mut dropped, UserField::CreatedAt, created_at(&user)),
                _ => None,
            };
            Metadata {
                // An event states the user as Clerk has it now: what it lacks (or what was
                // dropped) is removed from the item.
                email: Change::state(email),
                display_name: Change::state(display_name),
                created_at,
                dropped,
            }
        }
    };
    Ok(input.user_write(UserEvent {
        user_id,
        action,
        occurred_at,
        metadata,
    }))
}

/// A user field as read from Clerk's object.
enum Read<T> {
    Valid(T),
    /// Clerk has no value (null, empty, not found).
    Absent,
    /// Clerk has a value that breaks the item's rule for the field.
    Broken,
}

/// A field's value, where it has a usable one; a broken one is named in `dropped`.
fn keep<T>(dropped: &mut Vec<UserField>, field: UserField, read: Read<T>) -> Option<T> {
    match read {
        Read::Valid(v) => Some(v),
        Read::Absent => None,
        Read::Broken => {
            dropped.push(field);
            None
        }
    }
}

/// The whole body as `T` (a JSON object), with errors read by [`json::shape_error`].
fn parse<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, PayloadError> {
    let text = std::str::from_utf8(bytes).map_err(|_| PayloadError::InvalidJson)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let value = match serde_path_to_error::deserialize(&mut de) {
        Ok(Object(value)) => value,
        Err(e) => return Err(json::shape_error(&e, FIELDS)),
    };
    de.end().map_err(|_| PayloadError::InvalidJson)?;
    Ok(value)
}

/// `^[A-Za-z0-9_]{1,64}$` (`user_2abc…`).
fn is_clerk_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The address of the entry whose `id` is `primary_email_address_id` (not the first entry);
/// absent when that is null or names no entry.
fn primary_email(user: &User) -> Read<Email> {
    let primary = match &user.primary_email_address_id {
        None | Some(Scalar::Null) => return Read::Absent,
        Some(Scalar::Text(id)) => id,
        Some(_) => return Read::Broken,
    };
    let entries = user.email_addresses.as_deref().unwrap_or_default();
    let Some(Object(entry)) = entries
        .iter()
        .find(|Object(e)| e.id.as_ref().and_then(Scalar::text) == Some(primary))
    else {
        return Read::Absent;
    };
    match entry.email_address.as_ref().and_then(Scalar::text) {
        Some(email) => Email::parse(email).map_or(Read::Broken, Read::Valid),
        None => Read::Broken,
    }
}

/// First and last name joined by a space when either is a non-empty string, else the username,
/// else absent.
fn display_name(user: &User) -> Read<DisplayName> {
    let mut parts = Vec::new();
    for part in [&user.first_name, &user.last_name] {
        match part {
            None | Some(Scalar::Null) => {}
            Some(Scalar::Text(s)) if s.is_empty() => {}
            Some(Scalar::Text(s)) => parts.push(s.as_str()),
            Some(_) => return Read::Broken,
        }
    }
    let name = if parts.is_empty() {
        match &user.username {
            None | Some(Scalar::Null) => return Read::Absent,
            Some(Scalar::Text(s)) if s.is_empty() => return Read::Absent,
            Some(Scalar::Text(s)) => s.clone(),
            Some(_) => return Read::Broken,
        }
    } else {
        parts.join(" ")
    };
    DisplayName::parse(&name).map_or(Read::Broken, Read::Valid)
}

/// `data.created_at` (ms) as RFC 3339 UTC.
fn created_at(user: &User) -> Read<String> {
    match &user.created_at {
        None | Some(Scalar::Null) => Read::Absent,
        Some(Scalar::Int(ms)) if (0..=253_402_300_799_999).contains(ms) => {
            Read::Valid(Timestamp::from_unix_millis(*ms).to_rfc3339())
        }
        Some(_) => Read::Broken,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clerk_ids() {
        assert!(is_clerk_id("user_29w83sxmDNGwOuEthce5gg56FcC"));
        for bad in ["", "user-1", "user 1", &"a".repeat(65)] {
            assert!(!is_clerk_id(bad), "{bad}");
        }
    }

    #[test]
    fn paths_keep_only_our_names() {
        let err = |body: &str| parse::<Envelope>(body.as_bytes()).err().unwrap();
        assert_eq!(
            err(r#"{"data":{"email_addresses":[{"id":"a"},{"SECRET":[1}]}}"#),
            PayloadError::InvalidJson
        );
        assert_eq!(
            err(r#"{"data":{"email_addresses":[{"id":"a"},5]}}"#),
            PayloadError::at(
                "data.email_addresses.1",
                "is not a value this field can hold"
            )
        );
        // An entry written as an array is not Clerk's object.
        assert_eq!(
            err(r#"{"data":{"email_addresses":[["idn_1","a@b.co"]]}}"#),
            PayloadError::at(
                "data.email_addresses.0",
                "is not a value this field can hold"
            )
        );
        assert_eq!(
            err(r#"{"data":{"email_addresses":7}}"#),
            PayloadError::at("data.email_addresses", "must be a list of objects")
        );
        assert_eq!(
            err(r#"{"data":{"id":"a","id":"b"}}"#),
            PayloadError::at("data.id", "duplicated key")
        );
    }
}
