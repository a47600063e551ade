//! `clerk-user`: Clerk's user lifecycle events (Svix-signed) applied to user items exactly as v1
//! events are (SPEC §11, §6). Clerk adds fields without notice, so only the fields read here are
//! validated; anything else in the body may be anything.

use serde::Deserialize;

use super::json::Scalar;
use super::{FormatSpec, Input};
use crate::clock::Timestamp;
use crate::payload::{self, Action, Detail, Event, Metadata, Object, PayloadError, UserId};
use crate::plan::Plan;
use crate::signature::standard_webhooks;

pub(super) const FORMAT: FormatSpec = FormatSpec {
    name: "clerk-user",
    scheme: Some(standard_webhooks::SCHEME),
    keeps_pings: false,
    plan,
};

/// The envelope's type alone: read first, so an event type the format ignores is ignored
/// whatever its `data` holds.
#[derive(Deserialize)]
struct Kind {
    #[serde(rename = "type")]
    kind: Option<Scalar>,
}

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
    email_addresses: Option<Vec<EmailAddress>>,
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

fn plan(input: &Input<'_>) -> Result<Plan, PayloadError> {
    let text = std::str::from_utf8(input.body.bytes()).map_err(|_| PayloadError::InvalidJson)?;
    let kind: Kind = parse(text)?;
    let action = match kind.kind.as_ref().and_then(Scalar::text) {
        Some("user.created") => Action::Create,
        Some("user.updated") => Action::Update,
        Some("user.deleted") => Action::Delete,
        Some(_) => return Ok(Plan::Ignored),
        None => return Err(invalid("type", "is required: a string")),
    };
    let envelope: Envelope = parse(text)?;
    let Some(Object(user)) = envelope.data else {
        return Err(invalid("data", "is required: a JSON object"));
    };
    let user_id = user
        .id
        .as_ref()
        .and_then(Scalar::text)
        .filter(|id| is_clerk_id(id))
        .map(|id| UserId::from_validated(id.to_owned()))
        .ok_or_else(|| invalid("data.id", "must match ^[A-Za-z0-9_]{1,64}$"))?;

    let occurred_at = match &envelope.timestamp {
        None | Some(Scalar::Null) => None,
        Some(Scalar::Int(ms)) => {
            let t = Timestamp::from_unix_millis(*ms);
            if t > input.latest_event_time() {
                return Err(invalid(
                    "timestamp",
                    "is further in the future than the allowed tolerance",
                ));
            }
            Some(t)
        }
        Some(_) => {
            return Err(invalid(
                "timestamp",
                "must be an integer (ms since the epoch)",
            ))
        }
    };

    let metadata = match action {
        Action::Delete => Metadata::default(),
        Action::Create | Action::Update => Metadata {
            email: primary_email(&user)?,
            display_name: display_name(&user)?,
            created_at: match action {
                Action::Create => created_at(&user)?,
                _ => None,
            },
        },
    };
    let event = Event {
        user_id,
        action,
        occurred_at,
        metadata,
    };
    Ok(input.user_write(event))
}

/// The whole body as `T` (a JSON object), with errors read as [`shape_error`] reads them.
fn parse<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, PayloadError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = match serde_path_to_error::deserialize(&mut de) {
        Ok(Object(value)) => value,
        Err(e) => return Err(shape_error(&e)),
    };
    de.end().map_err(|_| PayloadError::InvalidJson)?;
    Ok(value)
}

/// `^[A-Za-z0-9_]{1,64}$` (`user_2abc…`).
fn is_clerk_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The address of the entry whose `id` is `primary_email_address_id` (not the first entry); none
/// when that is null or names no entry.
fn primary_email(user: &User) -> Result<Option<String>, PayloadError> {
    let primary = match &user.primary_email_address_id {
        None | Some(Scalar::Null) => return Ok(None),
        Some(Scalar::Text(id)) => id,
        Some(_) => {
            return Err(invalid(
                "data.primary_email_address_id",
                "must be a string or null",
            ))
        }
    };
    let entries = user.email_addresses.as_deref().unwrap_or_default();
    let Some((i, entry)) = entries
        .iter()
        .enumerate()
        .find(|(_, e)| e.id.as_ref().and_then(Scalar::text) == Some(primary))
    else {
        return Ok(None);
    };
    match entry.email_address.as_ref().and_then(Scalar::text) {
        Some(email) if payload::is_valid_email(email) => Ok(Some(email.to_owned())),
        _ => Err(invalid(
            &format!("data.email_addresses.{i}.email_address"),
            "must be a valid email address of at most 254 characters",
        )),
    }
}

/// First and last name joined by a space when either is a non-empty string, else the username,
/// else none.
fn display_name(user: &User) -> Result<Option<String>, PayloadError> {
    let mut parts = Vec::new();
    for (path, part) in [
        ("data.first_name", &user.first_name),
        ("data.last_name", &user.last_name),
    ] {
        match part {
            None | Some(Scalar::Null) => {}
            Some(Scalar::Text(s)) if s.is_empty() => {}
            Some(Scalar::Text(s)) if !payload::has_control_or_format(s) => parts.push((path, s)),
            Some(_) => {
                return Err(invalid(
                    path,
                    "must be a string without control or format characters",
                ))
            }
        }
    }
    if let Some((first_path, _)) = parts.first() {
        let name = parts
            .iter()
            .map(|(_, s)| s.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        return if payload::is_valid_display_name(&name) {
            Ok(Some(name))
        } else {
            Err(invalid(
                first_path,
                "with the last name, must be 1 to 128 characters",
            ))
        };
    }
    match &user.username {
        None | Some(Scalar::Null) => Ok(None),
        Some(Scalar::Text(s)) if s.is_empty() => Ok(None),
        Some(Scalar::Text(s)) if payload::is_valid_display_name(s) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(
            "data.username",
            "must be 1 to 128 characters without control or format characters",
        )),
    }
}

/// `data.created_at` (ms) as RFC 3339 UTC.
fn created_at(user: &User) -> Result<Option<String>, PayloadError> {
    match &user.created_at {
        None | Some(Scalar::Null) => Ok(None),
        Some(Scalar::Int(ms)) if (0..=253_402_300_799_999).contains(ms) => {
            Ok(Some(Timestamp::from_unix_millis(*ms).to_rfc3339()))
        }
        Some(_) => Err(invalid(
            "data.created_at",
            "must be an integer (ms since the epoch)",
        )),
    }
}

fn invalid(path: &str, message: &str) -> PayloadError {
    PayloadError::Invalid(vec![Detail::new(path, message)])
}

/// Not a JSON object (or not JSON) is `invalid_json`; a read field of the wrong shape or given
/// twice is `invalid_payload` at its path. No text is taken from serde's message but its kind.
fn shape_error(e: &serde_path_to_error::Error<serde_json::Error>) -> PayloadError {
    let kind = e.inner().to_string();
    let path = e.path().to_string();
    let path = if path == "." { String::new() } else { path };
    if !e.inner().is_data() && !kind.starts_with("number out of range") {
        return PayloadError::InvalidJson;
    }
    if let Some(rest) = kind.strip_prefix("duplicate field `") {
        let field = rest.split('`').next().unwrap_or_default();
        let parent = if path.is_empty() {
            String::new()
        } else {
            format!("{path}.")
        };
        let full = format!("{parent}{field}");
        if let Some(known) = READ_FIELDS.iter().find(|f| **f == full) {
            return invalid(known, "duplicated key");
        }
    }
    if path.is_empty() {
        return invalid("", "the body must be a JSON object");
    }
    // The path is built from our own field names and list indexes only.
    let path = READ_FIELDS
        .iter()
        .find(|f| path == **f)
        .map_or_else(|| safe_path(&path), |f| (*f).to_owned());
    let message = match path.as_str() {
        "data" => "must be a JSON object",
        "data.email_addresses" => "must be a list of objects",
        _ => "is not a value this field can hold",
    };
    invalid(&path, message)
}

/// The fields this format reads, as dotted paths.
const READ_FIELDS: &[&str] = &[
    "type",
    "timestamp",
    "data",
    "data.id",
    "data.primary_email_address_id",
    "data.email_addresses",
    "data.first_name",
    "data.last_name",
    "data.username",
    "data.created_at",
];

/// A path of our field names and list indexes (`data.email_addresses.2.id`); anything else is cut.
fn safe_path(path: &str) -> String {
    let mut out = Vec::new();
    for segment in path.split('.') {
        let known = ["data", "email_addresses", "id", "email_address"].contains(&segment)
            || segment.bytes().all(|b| b.is_ascii_digit()) && !segment.is_empty();
        if !known {
            break;
        }
        out.push(segment);
    }
    out.join(".")
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
        assert_eq!(
            safe_path("data.email_addresses.2.email_address"),
            "data.email_addresses.2.email_address"
        );
        assert_eq!(
            safe_path("data.email_addresses.0.SECRET"),
            "data.email_addresses.0"
        );
    }
}
