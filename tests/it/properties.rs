//! Sign-then-verify for every scheme over random bodies, secrets, ids and timestamps inside the
//! window; any single-byte change to what a scheme signs must then be rejected.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::{HeaderMap, HeaderName, HeaderValue};
use proptest::prelude::*;
use proptest::sample::Index;
use webhook_receiver::clock::Timestamp;
use webhook_receiver::signature::{sign_headers, SignatureError, Verifier};

const NOW: i64 = 1_795_867_500;
const TOLERANCE: i64 = 300;
/// The same two, as the verifier takes them.
const AT: Timestamp = Timestamp::from_unix_seconds(NOW);
const WINDOW: Duration = Duration::from_secs(TOLERANCE.unsigned_abs());
const ID_CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";

fn header_map(pairs: &[(&'static str, String)]) -> HeaderMap {
    pairs
        .iter()
        .map(|(k, v)| {
            (
                HeaderName::from_static(k),
                HeaderValue::from_str(v).unwrap(),
            )
        })
        .collect()
}

/// Changes one byte of `s` (at `at`) to a different byte from `alphabet`.
fn change_one(s: &str, at: &Index, alphabet: &[u8], pick: &Index) -> String {
    let mut bytes = s.as_bytes().to_vec();
    let i = at.index(bytes.len());
    let candidates: Vec<u8> = alphabet
        .iter()
        .copied()
        .filter(|c| *c != bytes[i])
        .collect();
    bytes[i] = candidates[pick.index(candidates.len())];
    String::from_utf8(bytes).unwrap()
}

/// Rewrites the value of `header` in `pairs` with `f`.
fn edit(pairs: &[(&'static str, String)], header: &str, f: impl Fn(&str) -> String) -> HeaderMap {
    let edited: Vec<(&'static str, String)> = pairs
        .iter()
        .map(|(k, v)| (*k, if *k == header { f(v) } else { v.clone() }))
        .collect();
    header_map(&edited)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn sign_then_verify_and_single_byte_changes_reject(
        scheme in prop::sample::select(Verifier::SCHEMES.to_vec()),
        key in prop::collection::vec(any::<u8>(), 16..=64),
        raw_secret in "[A-Za-z0-9_]{16,64}",
        body in prop::collection::vec(any::<u8>(), 1..512),
        id in "[A-Za-z0-9_-]{1,40}",
        offset in -TOLERANCE..=TOLERANCE,
        at in any::<Index>(),
        pick in any::<Index>(),
        bits in 1u8..=255,
    ) {
        let secret = if scheme == "standard-webhooks" {
            format!("whsec_{}", STANDARD.encode(&key))
        } else {
            raw_secret
        };
        let ts = NOW + offset;
        let verifier = Verifier::from_secrets(scheme, &secret).unwrap();
        let pairs = sign_headers(scheme, &secret, &id, ts, &body).unwrap();
        let headers = header_map(&pairs);

        // Accepted as signed.
        let ok = verifier.verify(&headers, &body, AT, WINDOW);
        prop_assert!(ok.is_ok(), "{scheme}: {ok:?}");
        prop_assert_eq!(ok.unwrap().signed_at(), (!matches!(scheme, "github" | "shopify")).then_some(Timestamp::from_unix_seconds(ts)));

        // The body is signed by every scheme.
        let mut flipped = body.clone();
        let i = at.index(flipped.len());
        flipped[i] ^= bits;
        prop_assert_eq!(verifier.verify(&headers, &flipped, AT, WINDOW).err(), Some(SignatureError::Invalid));

        // The timestamp, where one is signed.
        let digits = b"0123456789";
        let timestamp_header = match scheme {
            "standard-webhooks" => Some("webhook-timestamp"),
            "slack" => Some("x-slack-request-timestamp"),
            _ => None,
        };
        if let Some(name) = timestamp_header {
            let changed = edit(&pairs, name, |v| change_one(v, &at, digits, &pick));
            prop_assert_eq!(verifier.verify(&changed, &body, AT, WINDOW).err(), Some(SignatureError::Invalid));
        }
        if scheme == "stripe" {
            // `t=<digits>,v1=…`: change one digit of t.
            let changed = edit(&pairs, "stripe-signature", |v| {
                let (t, rest) = v.split_once(',').unwrap();
                format!("t={},{rest}", change_one(&t[2..], &at, digits, &pick))
            });
            prop_assert_eq!(verifier.verify(&changed, &body, AT, WINDOW).err(), Some(SignatureError::Invalid));
        }

        // The delivery id: signed by Standard Webhooks; GitHub's and Shopify's id headers are not
        // signed, so a changed id verifies as a different delivery (ordering then refuses a replay).
        match scheme {
            "standard-webhooks" => {
                let changed = edit(&pairs, "webhook-id", |v| change_one(v, &at, ID_CHARS, &pick));
                prop_assert_eq!(verifier.verify(&changed, &body, AT, WINDOW).err(), Some(SignatureError::Invalid));
            }
            "github" | "shopify" => {
                let name = if scheme == "github" { "x-github-delivery" } else { "x-shopify-webhook-id" };
                let changed = edit(&pairs, name, |v| change_one(v, &at, ID_CHARS, &pick));
                let verified = verifier.verify(&changed, &body, AT, WINDOW).unwrap();
                prop_assert_ne!(verified.delivery_id().as_str(), id.as_str());
            }
            _ => {}
        }
    }
}
