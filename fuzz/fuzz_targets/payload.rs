//! Every format's body parser over any bytes (seeds are the bodies of events/): the v1 payload
//! parser directly, and each format (`v1`, `inbox`, `clerk-user`) under each scheme it can meet,
//! through a body signed and verified as a request's would be. No input may panic; a refusal
//! names a problem, and no message or path carries anything of the input (values are never
//! echoed); an inbox event keeps the body exactly.

#![no_main]

use std::sync::LazyLock;
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use webhook_receiver::clock::Timestamp;
use webhook_receiver::format::{Format, Input};
use webhook_receiver::payload::{parse_bytes, OccurredAt, PayloadError};
use webhook_receiver::plan::{Plan, Ttls};
use webhook_receiver::signature::{sign_headers, Verifier};

const NOW_MS: i64 = 1_795_867_500_000;
const NOW_S: i64 = NOW_MS / 1000;
const NOW: Timestamp = Timestamp::from_unix_millis(NOW_MS);
const TOLERANCE: Duration = Duration::from_secs(300);
const TTLS: Ttls = Ttls {
    delivery: Duration::from_secs(604_800),
    tombstone: Duration::from_secs(2_592_000),
    inbox: Duration::from_secs(2_592_000),
};

/// (scheme, secret, verifier, formats it may be combined with).
static SETUPS: LazyLock<Vec<(&str, &str, Verifier, Vec<Format>)>> = LazyLock::new(|| {
    let all = |names: &[&str]| names.iter().map(|n| Format::parse(n).unwrap()).collect();
    [
        (
            "standard-webhooks",
            "whsec_bG9jYWwtdGVzdC1jbGVyay1kZW1vLXNlY3JldCEh",
            all(&["v1", "inbox", "clerk-user"]),
        ),
        (
            "stripe",
            "whsec_local_stripe_inbox_secret",
            all(&["v1", "inbox"]),
        ),
        (
            "slack",
            "local0slack0inbox0signing0secret",
            all(&["v1", "inbox"]),
        ),
        ("github", "local-github-inbox-secret", all(&["inbox"])),
    ]
    .into_iter()
    .map(|(scheme, secret, formats)| {
        let verifier = Verifier::from_secrets(scheme, secret).unwrap();
        (scheme, secret, verifier, formats)
    })
    .collect()
});

/// A refusal names a problem and echoes nothing of the input. Every message and path the
/// receiver writes is ASCII (paths keep only plain field names), while inputs grown from the
/// seeds carry non-ASCII text (`Ana María`): non-ASCII in a detail can only have been copied
/// from the input. (Comparing details against the input's strings instead teaches the fuzzer
/// our own wording through the comparison itself.)
fn check_refusal(result: &Result<(), PayloadError>) {
    let Err(PayloadError::Invalid(details)) = result else {
        return;
    };
    assert!(!details.is_empty());
    for d in details {
        assert!(
            d.message.is_ascii() && d.path.is_ascii(),
            "{d:?} echoes the input"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    for occurred_at in [OccurredAt::Optional, OccurredAt::Required] {
        let result = parse_bytes(data, occurred_at, NOW.saturating_add(TOLERANCE));
        if let (Ok(event), OccurredAt::Required) = (&result, occurred_at) {
            assert!(event.occurred_at.is_some());
        }
        check_refusal(&result.map(|_| ()));
    }

    for (scheme, secret, verifier, formats) in SETUPS.iter() {
        let headers: HeaderMap = sign_headers(scheme, secret, "msg_fuzz_0001", NOW_S, data)
            .unwrap()
            .into_iter()
            .map(|(k, v)| {
                (
                    HeaderName::from_static(k),
                    HeaderValue::from_str(&v).unwrap(),
                )
            })
            .chain([(
                HeaderName::from_static("x-github-event"),
                HeaderValue::from_static("push"),
            )])
            .collect();
        let verified = verifier
            .verify(&headers, data, NOW, TOLERANCE)
            .expect("what was just signed verifies");
        for format in formats {
            let input = Input {
                body: &verified,
                scheme: *scheme,
                now: NOW,
                tolerance: TOLERANCE,
                ttls: TTLS,
            };
            let result = format.plan(&input);
            if let Ok(Plan::Event(put)) = &result {
                assert_eq!(put.body.as_bytes(), data, "inbox keeps the body exactly");
            }
            check_refusal(&result.map(|_| ()));
        }
    }
});
