//! Sign-then-verify for every sender over random bodies, secrets, ids and timestamps inside the
//! window; any single-byte change to what a sender signs must then be rejected.

use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use proptest::prelude::*;
use proptest::sample::Index;
use webhook_receiver::clock::Timestamp;
use webhook_receiver::format::Format;
use webhook_receiver::signature::{
    self, Delivery, HeaderRole, Request, SignatureError, VerifiedBody, Verifier,
};
use webhook_receiver::signing::DemoTenant;

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

/// Verifies at the fixed time and window.
fn verify_at<'b>(
    verifier: &Verifier,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &'b [u8],
) -> Result<VerifiedBody<'b>, SignatureError> {
    verifier.verify_request(&Request {
        headers,
        query,
        body,
        form: false,
        now: AT,
        tolerance: WINDOW,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn sign_then_verify_and_single_byte_changes_reject(
        sender in prop::sample::select(signature::senders().to_vec()),
        label in "[a-z0-9-]{1,30}",
        body in prop::collection::vec(any::<u8>(), 1..512),
        id in "[A-Za-z0-9_-]{1,40}",
        offset in -TOLERANCE..=TOLERANCE,
        at in any::<Index>(),
        pick in any::<Index>(),
        bits in 1u8..=255,
    ) {
        let name = sender.name;
        let demo = DemoTenant::new(label.clone(), sender, Format::DEFAULT);
        let (verifier, signer) = (demo.verifier(), demo.signer());
        let ts = NOW + offset;
        // A sender that signs its time inside the body gets a JSON body that carries it.
        // One that signs inside the body gets a JSON body its signature is written into.
        let body = match (sender.body_time, sender.signature_in_body) {
            (Some(field), _) => serde_json::json!({field: ts * 1000, "data": hex::encode(&body)})
                .to_string()
                .into_bytes(),
            (None, Some(_)) => serde_json::json!({"data": hex::encode(&body)})
                .to_string()
                .into_bytes(),
            (None, None) => body,
        };
        let own = signer.sign_body(&Delivery { id: &id, timestamp: ts, body: &body, ..Delivery::default() });
        let body = own.unwrap_or(body);
        let delivery = Delivery { id: &id, timestamp: ts, body: &body, ..Delivery::default() };
        // The query the sender's request carries, where it adds to it (a JSON body's hash).
        let query = signer.query(&delivery);
        let signed = signer.sign(&Delivery { query: query.as_deref(), ..delivery });
        let mut pairs: Vec<(&'static str, String)> =
            signed.iter().map(|(_, n, v)| (*n, v.clone())).collect();
        pairs.push(("content-type", "application/json".to_owned()));
        let headers = header_map(&pairs);


        // Accepted as signed, with the time it signed.
        let ok = verify_at(&verifier, &headers, query.as_deref(), &body);
        prop_assert!(ok.is_ok(), "{name}: {ok:?}");
        let ok = ok.unwrap();
        if ok.signed_at().is_some() {
            prop_assert_eq!(ok.signed_at(), Some(Timestamp::from_unix_seconds(ts)));
        }

        // The body is signed by every sender that says so; a token (GitLab) covers none of it,
        // nor does a signature inside the body (Mailgun) cover the event beside it.
        let mut flipped = body.clone();
        let i = at.index(flipped.len());
        flipped[i] ^= bits;
        if sender.signature_in_body.is_some() {
            let mut doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
            doc["data"] = serde_json::json!(hex::encode(&flipped));
            flipped = doc.to_string().into_bytes();
        }
        let result = verify_at(&verifier, &headers, query.as_deref(), &flipped);
        if sender.signs_body {
            prop_assert_eq!(result.err(), Some(SignatureError::Invalid), "{}", name);
        } else {
            prop_assert!(result.is_ok(), "{}: {:?}", name, result.err());
        }

        let digits = b"0123456789";
        for (role, header, _) in &signed {
            match role {
                // A signed time in its own header is covered by the signature.
                HeaderRole::Timestamp => {
                    let changed = edit(&pairs, header, |v| change_one(v, &at, digits, &pick));
                    prop_assert_eq!(verify_at(&verifier, &changed, query.as_deref(), &body).err(), Some(SignatureError::Invalid), "{}", name);
                }
                // An id is covered where the sender signs it; elsewhere a changed id verifies as
                // another delivery, and never keys an inbox item (tests/it/inbox.rs).
                HeaderRole::Id => {
                    let changed = edit(&pairs, header, |v| change_one(v, &at, ID_CHARS, &pick));
                    let result = verify_at(&verifier, &changed, query.as_deref(), &body);
                    if ok.signed_id().is_some() {
                        prop_assert_eq!(result.err(), Some(SignatureError::Invalid), "{}", name);
                    } else {
                        let verified = result.unwrap();
                        prop_assert_eq!(verified.signed_id(), None);
                        prop_assert_ne!(verified.unsigned_id().map(|d| d.as_str()), Some(id.as_str()));
                    }
                }
                HeaderRole::Signature | HeaderRole::EventType => {}
            }
        }
    }
}
