//! Every format's body parser over any bytes (seeds are the bodies of events/): the v1 payload
//! parser directly, and each format (`v1`, `inbox`, `clerk-user`) under each scheme it can meet,
//! through a body signed and verified as a request's would be. No input may panic; a refusal
//! names a problem, and no message or path carries anything of the input (values are never
//! echoed); an inbox event keeps the body exactly.

use std::sync::LazyLock;
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use webhook_receiver::clock::Timestamp;
use webhook_receiver::domain::{Ledger, PayloadError};
use webhook_receiver::format::v1::{parse_bytes, OccurredAt};
use webhook_receiver::format::{Format, Input};
use webhook_receiver::plan::{Plan, Ttls};
use webhook_receiver::signature::{Delivery, HeaderRole, Request, Signer, Verifier};
use webhook_receiver::signing::demo_tenants;

const NOW_MS: i64 = 1_795_867_500_000;
const NOW_S: i64 = NOW_MS / 1000;
const NOW: Timestamp = Timestamp::from_unix_millis(NOW_MS);
const TOLERANCE: Duration = Duration::from_secs(300);
const TTLS: Ttls = Ttls {
    delivery: Duration::from_secs(604_800),
    tombstone: Duration::from_secs(2_592_000),
    inbox: Duration::from_secs(2_592_000),
};

/// Every demo tenant: each sender in each format it can feed, with what signs for it.
static SETUPS: LazyLock<Vec<(Signer, Verifier, Format, Ledger)>> = LazyLock::new(|| {
    demo_tenants()
        .into_iter()
        .map(|t| (t.signer(), t.verifier(), t.format, t.ledger))
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

/// One input through the target (the fuzzer's and the regression test's entry).
pub fn run(data: &[u8]) {
    for occurred_at in [OccurredAt::Optional, OccurredAt::Required] {
        let result = parse_bytes(data, occurred_at, NOW.saturating_add(TOLERANCE));
        if let (Ok(event), OccurredAt::Required) = (&result, occurred_at) {
            assert!(event.occurred_at.is_some());
        }
        check_refusal(&result.map(|_| ()));
    }

    for (signer, verifier, format, ledger) in SETUPS.iter() {
        let unsigned = Delivery {
            id: "msg_fuzz_0001",
            timestamp: NOW_S,
            body: data,
            ..Delivery::default()
        };
        // Where the sender signs inside the body (Mailgun), the body it sends.
        let own = signer.sign_body(&unsigned);
        let data = own.as_deref().unwrap_or(data);
        let delivery = Delivery {
            body: data,
            ..unsigned
        };
        // The query the sender's request carries, where it adds to it (a JSON body's hash).
        let query = signer.query(&delivery);
        let signed = signer.sign(&Delivery {
            query: query.as_deref(),
            ..delivery
        });
        // The event type, where the sender reports it in a header of its own.
        let event_type = verifier
            .sender()
            .header_names(HeaderRole::EventType)
            .map(|name| (name, "orders/create".to_owned()));
        let headers: HeaderMap = signed
            .into_iter()
            .map(|(_, k, v)| (k, v))
            .chain(event_type)
            .map(|(k, v)| {
                (
                    HeaderName::from_static(k),
                    HeaderValue::from_str(&v).unwrap(),
                )
            })
            .chain([(
                HeaderName::from_static("content-type"),
                HeaderValue::from_static("application/json"),
            )])
            .collect();
        let verified = verifier.verify_request(&Request {
            headers: &headers,
            query: query.as_deref(),
            body: data,
            form: false,
            now: NOW,
            tolerance: TOLERANCE,
        });
        let Ok(verified) = verified else {
            // What was just signed verifies, but where the sender signs its time inside the
            // body (Linear) or signs inside a JSON body (Mailgun), which these bytes need not be.
            let sender = verifier.sender();
            assert!(
                sender.body_time.is_some() || sender.signature_in_body.is_some(),
                "{verified:?}"
            );
            continue;
        };
        let input = Input {
            body: &verified,
            form: false,
            now: NOW,
            tolerance: TOLERANCE,
            ttls: TTLS,
            ledger: *ledger,
        };
        let result = format.plan(&input);
        if let Ok(Plan::Event(put)) = &result {
            assert_eq!(put.body.as_bytes(), data, "inbox keeps the body exactly");
            // An id the sender did not sign never keys an item; it is kept beside it.
            if verified.signed_id().is_none() {
                assert_ne!(Some(&put.delivery_id), verified.unsigned_id());
                assert_eq!(put.sender_delivery_id.as_ref(), verified.unsigned_id());
            }
        }
        if let Ok(Plan::Batch(puts)) = &result {
            // Each element is kept as its own bytes, in order, each a slice of the body.
            let text = std::str::from_utf8(data).unwrap();
            let mut rest = text;
            for put in puts {
                let at = rest
                    .find(put.body.as_str())
                    .expect("an element of the body");
                rest = &rest[at + put.body.len()..];
                assert!(put.body.starts_with('{') && put.body.ends_with('}'));
                assert!(put.batch_sha256.is_some());
            }
            assert!((1..=1000).contains(&puts.len()));
        }
        check_refusal(&result.map(|_| ()));
    }
}
