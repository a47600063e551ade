//! `v1` (the default): the project's own user events (SPEC §5, §6), parsed strictly: serde for
//! shape (unknown fields, duplicated keys, types), garde and the domain's rules for values, then
//! the rules that depend on `action`. Error details name the field path and never echo a
//! submitted value.

use garde::Validate;
use serde::Deserialize;

use super::{FormatSpec, Input};
use crate::clock::Timestamp;
use crate::domain::{
    self, Action, Change, Detail, DisplayName, Email, Ledger, Metadata, PayloadError, UserEvent,
    UserId, DISPLAY_NAME_RULE, EMAIL_RULE,
};
use crate::json::{self, present, present_object, Fields, Object};
use crate::plan::Plan;

pub(super) const FORMAT: FormatSpec = FormatSpec {
    name: "v1",
    scheme: None,
    any_sender: false,
    keeps_pings: false,
    plan,
};

fn plan(input: &Input<'_>) -> Result<Plan, PayloadError> {
    // Without a signed id, a captured body could be replayed under a fresh, unsigned id with
    // receipt time as its event time, and identical bodies (Ana → Bob → Ana) would share one
    // body-hash id: the sender's own time is required.
    // With the item as its own ledger, the event's time must be the sender's (SPEC §13.4).
    let occurred_at = if input.body.signed_id().is_some() && input.ledger == Ledger::Delivery {
        OccurredAt::Optional
    } else {
        OccurredAt::Required
    };
    let event = parse_bytes(input.body.bytes(), occurred_at, input.latest_event_time())?;
    Ok(input.user_write(event))
}

/// Whether `occurred_at` may be left out: only when the sender signs the delivery id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OccurredAt {
    Optional,
    Required,
}

#[derive(Deserialize, Validate)]
#[serde(deny_unknown_fields)]
struct WirePayload {
    #[garde(custom(user_id_rule))]
    user_id: String,
    // A string, not the enum: serde_json reports a non-string enum as a syntax error.
    #[garde(custom(action_rule))]
    action: String,
    #[garde(skip)]
    #[serde(default, deserialize_with = "present")]
    occurred_at: Option<String>,
    #[garde(dive)]
    #[serde(default, deserialize_with = "present_object")]
    metadata: Option<WireMetadata>,
}

#[derive(Deserialize, Validate)]
#[serde(deny_unknown_fields)]
struct WireMetadata {
    #[garde(custom(email_rule))]
    #[serde(default, deserialize_with = "present")]
    email: Option<String>,
    #[garde(custom(display_name_rule))]
    #[serde(default, deserialize_with = "present")]
    display_name: Option<String>,
    #[garde(skip)]
    #[serde(default, deserialize_with = "present")]
    created_at: Option<String>,
}

/// Every field, with the message for a value of the wrong type there.
const FIELDS: Fields = &[
    ("user_id", "must be a string"),
    ("action", "must be a string"),
    ("occurred_at", "must be a string"),
    ("metadata", "must be a JSON object"),
    ("metadata.email", "must be a string"),
    ("metadata.display_name", "must be a string"),
    ("metadata.created_at", "must be a string"),
];

/// Parses and validates a v1 body. `latest` bounds `occurred_at` (receipt time plus the tenant's
/// tolerance): a far-future event would make every later event stale.
pub fn parse_bytes(
    bytes: &[u8],
    occurred_at: OccurredAt,
    latest: Timestamp,
) -> Result<UserEvent, PayloadError> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(PayloadError::InvalidJson);
    };
    // One typed parse on the way in; the error path alone pays for a syntax pass (so "not JSON"
    // is never reported as a shape problem) and a second parse that tracks the failing path.
    let wire: WirePayload = match serde_json::from_str::<Object<WirePayload>>(text) {
        Ok(Object(w)) => w,
        Err(_) => {
            if serde_json::from_str::<serde::de::IgnoredAny>(text).is_err() {
                return Err(PayloadError::InvalidJson);
            }
            let mut de = serde_json::Deserializer::from_str(text);
            return Err(
                match serde_path_to_error::deserialize::<_, Object<WirePayload>>(&mut de) {
                    Err(e) => json::shape_error(&e, FIELDS),
                    // Cannot happen (the same parse failed above); stay total anyway.
                    Ok(_) => PayloadError::InvalidJson,
                },
            );
        }
    };

    let mut details = Vec::new();
    if let Err(report) = wire.validate() {
        // garde says which field failed; the message is ours, written for that field.
        for (path, _) in report.iter() {
            let path = path.to_string();
            let message = rule_for(&path);
            details.push(Detail::new(path, message));
        }
    }
    if occurred_at == OccurredAt::Required && wire.occurred_at.is_none() {
        details.push(Detail::new(
            "occurred_at",
            "is required: this tenant's scheme signs no delivery id, so events are ordered and \
             replays refused by their own time",
        ));
    }

    let occurred = match wire.occurred_at.as_deref().map(Timestamp::parse_rfc3339) {
        None => None,
        Some(Some(t)) => {
            if t > latest {
                details.push(Detail::new(
                    "occurred_at",
                    "is further in the future than the allowed tolerance",
                ));
            }
            Some(t)
        }
        Some(None) => {
            details.push(Detail::new(
                "occurred_at",
                "must be an RFC 3339 date-time with an offset",
            ));
            None
        }
    };

    if let Some(m) = &wire.metadata {
        if m.created_at
            .as_deref()
            .is_some_and(|c| c.len() > MAX_CREATED_AT_LEN || Timestamp::parse_rfc3339(c).is_none())
        {
            details.push(Detail::new(
                "metadata.created_at",
                "must be an RFC 3339 date-time with an offset, at most 40 characters",
            ));
        }
    }
    let action = Action::parse(&wire.action);
    if let Some(action) = action {
        action_rules(action, wire.metadata.as_ref(), &mut details);
    }

    let Some(action) = action.filter(|_| details.is_empty()) else {
        return Err(PayloadError::Invalid(details));
    };
    let metadata = wire.metadata.map_or_else(Metadata::default, |m| Metadata {
        // v1 events name what they change; a field left out is kept.
        // Each checked by its garde rule above.
        email: Change::set_if(m.email.map(Email::from_validated)),
        display_name: Change::set_if(m.display_name.map(DisplayName::from_validated)),
        created_at: m.created_at,
        dropped: Vec::new(),
    });
    Ok(UserEvent {
        user_id: UserId::from_validated(wire.user_id),
        action,
        occurred_at: occurred,
        metadata,
    })
}

/// `^usr_[a-f0-9]{8}$`.
fn is_v1_user_id(s: &str) -> bool {
    s.strip_prefix("usr_").is_some_and(|hex| {
        hex.len() == 8
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

fn user_id_rule(value: &str, _: &()) -> garde::Result {
    if is_v1_user_id(value) {
        Ok(())
    } else {
        Err(garde::Error::new("does not match"))
    }
}

fn action_rule(value: &str, _: &()) -> garde::Result {
    match Action::parse(value) {
        Some(_) => Ok(()),
        None => Err(garde::Error::new("not an action")),
    }
}

fn email_rule(value: &Option<String>, _: &()) -> garde::Result {
    match value {
        Some(email) if !domain::is_valid_email(email) => Err(garde::Error::new("not an email")),
        _ => Ok(()),
    }
}

fn display_name_rule(value: &Option<String>, _: &()) -> garde::Result {
    match value {
        Some(name) if !domain::is_valid_display_name(name) => {
            Err(garde::Error::new("not a display name"))
        }
        _ => Ok(()),
    }
}

/// `created_at` is stored as given; this bounds it (RFC 3339 needs 35 at most with nanoseconds).
const MAX_CREATED_AT_LEN: usize = 40;

/// The message for a field garde refused, from the rule the field has.
fn rule_for(path: &str) -> &'static str {
    match path {
        "user_id" => "must match ^usr_[a-f0-9]{8}$",
        "action" => "must be one of create, update, delete",
        "metadata.email" => EMAIL_RULE,
        "metadata.display_name" => DISPLAY_NAME_RULE,
        _ => "is not valid",
    }
}

/// What each action may carry: `update` at least one of `email`/`display_name` and nothing else,
/// `delete` no metadata, `created_at` with `create` only.
fn action_rules(action: Action, metadata: Option<&WireMetadata>, details: &mut Vec<Detail>) {
    match (action, metadata) {
        (Action::Create, _) => {}
        (Action::Update, None) => details.push(Detail::new(
            "metadata",
            "is required for `update` and must carry `email` or `display_name`",
        )),
        (Action::Update, Some(m)) => {
            if m.created_at.is_some() {
                details.push(Detail::new(
                    "metadata.created_at",
                    "is allowed only with action `create`",
                ));
            }
            if m.email.is_none() && m.display_name.is_none() {
                details.push(Detail::new(
                    "metadata",
                    "must carry `email` or `display_name` for `update`",
                ));
            }
        }
        (Action::Delete, Some(_)) => details.push(Detail::new(
            "metadata",
            "is not allowed with action `delete`",
        )),
        (Action::Delete, None) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_867_200_000; // 2026-11-28T12:00:00Z
    /// `NOW` plus a tolerance of 300 s.
    const LATEST: Timestamp = Timestamp::from_unix_millis(NOW + 300_000);

    fn parse(json: &str) -> Result<UserEvent, PayloadError> {
        parse_bytes(json.as_bytes(), OccurredAt::Optional, LATEST)
    }

    fn details(json: &str) -> Vec<Detail> {
        match parse(json) {
            Err(PayloadError::Invalid(d)) => d,
            other => panic!("{json}: expected invalid_payload, got {other:?}"),
        }
    }

    fn first(json: &str) -> (String, String) {
        let d = details(json).remove(0);
        (d.path, d.message)
    }

    #[test]
    fn spec_example_parses() {
        let e = parse(
            r#"{"user_id": "usr_0a1b2c3d", "action": "create", "occurred_at": "2026-11-28T12:00:00Z",
             "metadata": {"email": "ana@example.com", "display_name": "Ana", "created_at": "2026-11-28T11:59:00Z"}}"#,
        )
        .unwrap();
        assert_eq!(e.user_id.as_str(), "usr_0a1b2c3d");
        assert_eq!(e.action, Action::Create);
        assert_eq!(e.occurred_at, Some(Timestamp::from_unix_millis(NOW)));
        assert_eq!(
            e.metadata.email,
            Change::Set(Email::parse("ana@example.com").unwrap())
        );
    }

    #[test]
    fn occurred_at_is_an_instant_at_millisecond_precision() {
        let e = parse(
            r#"{"user_id":"usr_0a1b2c3d","action":"delete","occurred_at":"2026-11-28T13:00:00.1239+01:00"}"#,
        )
        .unwrap();
        assert_eq!(e.occurred_at, Some(Timestamp::from_unix_millis(NOW + 123)));
    }

    #[test]
    fn syntax_errors_are_invalid_json() {
        for bad in [
            "",
            "{",
            "{\"user_id\":",
            "nope",
            "{} {}",
            "{\"a\":1}x",
            "\u{0}",
        ] {
            assert_eq!(parse(bad), Err(PayloadError::InvalidJson), "{bad:?}");
        }
        assert_eq!(
            parse_bytes(b"{\"user_id\":\"\xff\"}", OccurredAt::Optional, LATEST),
            Err(PayloadError::InvalidJson)
        );
    }

    #[test]
    fn not_an_object() {
        for bad in [
            "[]",
            "[\"usr_0a1b2c3d\", \"delete\"]",
            "1",
            "\"s\"",
            "null",
            "true",
        ] {
            let (path, msg) = first(bad);
            assert_eq!(path, "");
            assert_eq!(msg, "the body must be a JSON object", "{bad}");
        }
    }

    #[test]
    fn unknown_duplicate_and_missing_fields() {
        assert_eq!(
            first(r#"{"user_id":"usr_0a1b2c3d","action":"delete","admin":true}"#),
            ("admin".into(), "unknown field".into())
        );
        assert_eq!(
            first(r#"{"user_id":"usr_0a1b2c3d","action":"create","metadata":{"role":"x"}}"#),
            ("metadata.role".into(), "unknown field".into())
        );
        assert_eq!(
            first(r#"{"user_id":"usr_0a1b2c3d","user_id":"usr_0a1b2c3e","action":"delete"}"#),
            ("user_id".into(), "duplicated key".into())
        );
        assert_eq!(
            first(
                r#"{"user_id":"usr_0a1b2c3d","action":"create","metadata":{"email":"a@b.co","email":"c@d.co"}}"#
            ),
            ("metadata.email".into(), "duplicated key".into())
        );
        assert_eq!(
            first(r#"{"action":"delete"}"#),
            ("user_id".into(), "is required".into())
        );
        // A hostile key name is not echoed.
        assert_eq!(
            first(r#"{"user_id":"usr_0a1b2c3d","action":"delete","<script>":1}"#),
            ("".into(), "unknown field".into())
        );
    }

    #[test]
    fn values_are_never_echoed() {
        let secretish = "SENSITIVE-VALUE-123";
        for json in [
            format!(r#"{{"user_id":"{secretish}","action":"delete"}}"#),
            format!(r#"{{"user_id":"usr_0a1b2c3d","action":"{secretish}"}}"#),
            format!(r#"{{"user_id":["{secretish}"],"action":"delete"}}"#),
            format!(
                r#"{{"user_id":"usr_0a1b2c3d","action":"create","metadata":{{"email":"{secretish}"}}}}"#
            ),
            format!(
                r#"{{"user_id":"usr_0a1b2c3d","action":"create","occurred_at":"{secretish}"}}"#
            ),
        ] {
            for d in details(&json) {
                assert!(!d.message.contains(secretish), "{json}: {d:?}");
                assert!(!d.path.contains(secretish), "{json}: {d:?}");
            }
        }
    }

    /// The issue's own example: a value crafted to look like the end of serde's message.
    #[test]
    fn values_that_mimic_parser_messages_are_not_echoed() {
        for json in [
            r#"{"user_id":"usr_0a1b2c3d","action":"create","metadata":"x, expected SECRET"}"#,
            r#"{"user_id":"usr_0a1b2c3d","action":"create","metadata":{"email":["x, expected SECRET"]}}"#,
            r#"{"user_id":"x, expected SECRET","action":"create"}"#,
            r#"{"user_id":"usr_0a1b2c3d","action":{"x, expected SECRET":1}}"#,
            r#"{"user_id":"usr_0a1b2c3d","action":"x`, expected SECRET"}"#,
            r#"["x, expected SECRET"]"#,
            r#""x, expected SECRET""#,
        ] {
            for d in details(json) {
                assert!(!d.message.contains("SECRET"), "{json}: {d:?}");
                assert!(!d.path.contains("SECRET"), "{json}: {d:?}");
            }
        }
        assert_eq!(
            first(
                r#"{"user_id":"usr_0a1b2c3d","action":"create","metadata":"x, expected SECRET"}"#
            ),
            ("metadata".into(), "must be a JSON object".into())
        );
    }

    /// A number too large for any field is valid JSON of the wrong shape.
    #[test]
    fn huge_numbers_are_invalid_payload_not_invalid_json() {
        for (json, path) in [
            (r#"{"user_id":1e400,"action":"delete"}"#, "user_id"),
            (
                r#"{"user_id":"usr_0a1b2c3d","action":"create","metadata":1e400}"#,
                "metadata",
            ),
            (
                r#"{"user_id":"usr_0a1b2c3d","action":"create","metadata":{"display_name":-1e400}}"#,
                "metadata.display_name",
            ),
            (r#"1e400"#, ""),
        ] {
            let d = details(json);
            assert_eq!(d[0].path, path, "{json}: {d:?}");
        }
    }

    #[test]
    fn occurred_at_is_required_where_the_delivery_id_is_not_signed() {
        let body = br#"{"user_id":"usr_0a1b2c3d","action":"delete"}"#;
        match parse_bytes(body, OccurredAt::Required, LATEST) {
            Err(PayloadError::Invalid(d)) => {
                assert_eq!(d.len(), 1, "{d:?}");
                assert_eq!(d[0].path, "occurred_at");
                assert!(d[0].message.starts_with("is required"), "{d:?}");
            }
            other => panic!("{other:?}"),
        }
        assert!(parse_bytes(body, OccurredAt::Optional, LATEST).is_ok());
        let with =
            br#"{"user_id":"usr_0a1b2c3d","action":"delete","occurred_at":"2026-11-28T12:00:00Z"}"#;
        assert!(parse_bytes(with, OccurredAt::Required, LATEST).is_ok());
    }

    #[test]
    fn created_at_is_at_most_40_characters() {
        let at = |c: &str| {
            format!(
                r#"{{"user_id":"usr_0a1b2c3d","action":"create","metadata":{{"created_at":"{c}"}}}}"#
            )
        };
        // 35 characters: nanoseconds and an offset.
        assert!(parse(&at("2026-11-28T11:59:00.123456789+01:00")).is_ok());
        // Valid RFC 3339, but 41 characters (the time crate accepts more fraction digits).
        let long = format!("2026-11-28T11:59:00.{}Z", "1".repeat(20));
        assert_eq!(long.len(), 41);
        assert_eq!(details(&at(&long))[0].path, "metadata.created_at");
    }

    #[test]
    fn field_rules() {
        let cases = [
            (r#"{"user_id":"usr_0A1B2C3D","action":"delete"}"#, "user_id"),
            (r#"{"user_id":"usr_0a1b2c3","action":"delete"}"#, "user_id"),
            (r#"{"user_id":"usr_0a1b2c3d","action":"Delete"}"#, "action"),
            (r#"{"user_id":"usr_0a1b2c3d","action":1}"#, "action"),
            (
                r#"{"user_id":"usr_0a1b2c3d","action":"create","metadata":null}"#,
                "metadata",
            ),
            (
                r#"{"user_id":"usr_0a1b2c3d","action":"create","metadata":[]}"#,
                "metadata",
            ),
            (
                r#"{"user_id":"usr_0a1b2c3d","action":"create","occurred_at":null}"#,
                "occurred_at",
            ),
            (
                r#"{"user_id":"usr_0a1b2c3d","action":"create","occurred_at":"2026-11-28T12:00:00"}"#,
                "occurred_at",
            ),
            (
                r#"{"user_id":"usr_0a1b2c3d","action":"create","occurred_at":"2026-11-28T12:05:00.001Z"}"#,
                "occurred_at",
            ),
            (
                r#"{"user_id":"usr_0a1b2c3d","action":"create","metadata":{"email":"not-an-email"}}"#,
                "metadata.email",
            ),
            (
                r#"{"user_id":"usr_0a1b2c3d","action":"create","metadata":{"display_name":""}}"#,
                "metadata.display_name",
            ),
            (
                r#"{"user_id":"usr_0a1b2c3d","action":"create","metadata":{"display_name":"a\u202eb"}}"#,
                "metadata.display_name",
            ),
            (
                r#"{"user_id":"usr_0a1b2c3d","action":"create","metadata":{"display_name":"a\u0007b"}}"#,
                "metadata.display_name",
            ),
            (
                r#"{"user_id":"usr_0a1b2c3d","action":"create","metadata":{"created_at":"yesterday"}}"#,
                "metadata.created_at",
            ),
            (
                r#"{"user_id":"usr_0a1b2c3d","action":"update"}"#,
                "metadata",
            ),
            (
                r#"{"user_id":"usr_0a1b2c3d","action":"update","metadata":{}}"#,
                "metadata",
            ),
            (
                r#"{"user_id":"usr_0a1b2c3d","action":"update","metadata":{"email":"a@b.co","created_at":"2026-11-28T12:00:00Z"}}"#,
                "metadata.created_at",
            ),
            (
                r#"{"user_id":"usr_0a1b2c3d","action":"delete","metadata":{}}"#,
                "metadata",
            ),
        ];
        for (json, path) in cases {
            let got = details(json);
            assert!(got.iter().any(|d| d.path == path), "{json}: {got:?}");
        }
    }

    #[test]
    fn lengths_and_limits() {
        let name128 = "é".repeat(128);
        let ok = format!(
            r#"{{"user_id":"usr_0a1b2c3d","action":"update","metadata":{{"display_name":"{name128}"}}}}"#
        );
        assert!(parse(&ok).is_ok());
        let too_long = ok.replace(&name128, &"é".repeat(129));
        assert_eq!(details(&too_long)[0].path, "metadata.display_name");

        let local = "a".repeat(64);
        let domain = format!(
            "{}.{}.{}.example",
            "b".repeat(60),
            "c".repeat(60),
            "d".repeat(60)
        );
        let email = format!("{local}@{domain}");
        assert!(email.len() > 254);
        let long_email = format!(
            r#"{{"user_id":"usr_0a1b2c3d","action":"update","metadata":{{"email":"{email}"}}}}"#
        );
        assert!(details(&long_email)
            .iter()
            .any(|d| d.path == "metadata.email"));
        // Exactly at the tolerance in the future passes; past the tolerance is refused.
        assert!(parse(
            r#"{"user_id":"usr_0a1b2c3d","action":"delete","occurred_at":"2026-11-28T12:05:00Z"}"#
        )
        .is_ok());
        // No bound in the past.
        assert!(parse(
            r#"{"user_id":"usr_0a1b2c3d","action":"delete","occurred_at":"1999-01-01T00:00:00Z"}"#
        )
        .is_ok());
    }
}
