//! The requests a sender makes before it delivers anything, to check the endpoint (SPEC §11):
//! Slack's `url_verification` and GitHub's `ping`. Both are signed like any request and are
//! answered without touching DynamoDB; without them neither sender lets a user register the URL.

use serde::Deserialize;

use crate::format::Format;
use crate::payload::Detail;
use crate::signature::{github, slack, VerifiedBody};

/// A handshake, and what answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Handshake {
    /// Slack's `url_verification`: answer `{"challenge": …}`.
    SlackChallenge(String),
    /// GitHub's `ping`: answer `ignored`.
    GitHubPing,
}

#[derive(Deserialize)]
struct SlackEnvelope {
    #[serde(rename = "type")]
    kind: Option<serde_json::Value>,
    challenge: Option<serde_json::Value>,
}

/// The handshake this verified request is, if any, for a tenant of `scheme` and `format`. A
/// Slack `url_verification` with an unusable challenge is refused (it is a handshake, never an
/// event), whatever the format; a GitHub `ping` is an event like any other where the format keeps
/// every event (inbox).
pub(crate) fn detect(
    scheme: &str,
    format: Format,
    body: &VerifiedBody<'_>,
) -> Result<Option<Handshake>, Detail> {
    match scheme {
        slack::SCHEME => slack_challenge(body.bytes()),
        github::SCHEME
            if body.sender_event() == Some(github::PING_EVENT) && !format.spec().keeps_pings =>
        {
            Ok(Some(Handshake::GitHubPing))
        }
        _ => Ok(None),
    }
}

fn slack_challenge(bytes: &[u8]) -> Result<Option<Handshake>, Detail> {
    // Anything that is not a JSON object with `"type": "url_verification"` is left to the format.
    let Ok(envelope) = serde_json::from_slice::<SlackEnvelope>(bytes) else {
        return Ok(None);
    };
    if envelope.kind.as_ref().and_then(|k| k.as_str()) != Some(slack::URL_VERIFICATION) {
        return Ok(None);
    }
    match envelope.challenge.as_ref().and_then(|c| c.as_str()) {
        Some(c) if is_challenge(c) => Ok(Some(Handshake::SlackChallenge(c.to_owned()))),
        _ => Err(Detail::new(
            "challenge",
            "must be a string matching ^[A-Za-z0-9_-]{1,128}$",
        )),
    }
}

/// `^[A-Za-z0-9_-]{1,128}$`: echoed back to the sender, so nothing else is.
fn is_challenge(c: &str) -> bool {
    (1..=128).contains(&c.len())
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_challenge_is_found_and_checked() {
        let ok = br#"{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;
        assert_eq!(
            slack_challenge(ok),
            Ok(Some(Handshake::SlackChallenge(
                "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P".into()
            )))
        );
        for bad in [
            &br#"{"type":"url_verification"}"#[..],
            br#"{"type":"url_verification","challenge":""}"#,
            br#"{"type":"url_verification","challenge":"<script>"}"#,
            br#"{"type":"url_verification","challenge":7}"#,
        ] {
            assert_eq!(
                slack_challenge(bad).unwrap_err().path,
                "challenge",
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        for not_one in [
            &br#"{"type":"event_callback","challenge":"abc"}"#[..],
            br#"{"user_id":"usr_0a1b2c3d","action":"delete"}"#,
            br#"[1]"#,
            b"not json",
        ] {
            assert_eq!(slack_challenge(not_one), Ok(None));
        }
    }
}
