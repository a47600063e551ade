//! The v1 payload parser over any bytes (seeds are the bodies of events/). No input may panic; a
//! refusal names at least one problem, and no message or path repeats a string value of the
//! input (values are never echoed).

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use webhook_receiver::payload::{parse_bytes, OccurredAt, PayloadError};

const NOW_MS: i64 = 1_795_867_500_000;

/// The string values in `v`, at any depth.
fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(map) => map.values().for_each(|i| strings(i, out)),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    for occurred_at in [OccurredAt::Optional, OccurredAt::Required] {
        match parse_bytes(data, occurred_at, NOW_MS, 300) {
            Ok(event) => {
                if occurred_at == OccurredAt::Required {
                    assert!(event.occurred_at_ms.is_some());
                }
            }
            Err(PayloadError::InvalidJson) => {}
            Err(PayloadError::Invalid(details)) => {
                assert!(!details.is_empty());
                let Ok(value) = serde_json::from_slice::<Value>(data) else {
                    continue;
                };
                let mut values = Vec::new();
                strings(&value, &mut values);
                for d in &details {
                    for s in values.iter().filter(|s| s.len() >= 12) {
                        assert!(!d.message.contains(s), "{d:?} echoes {s:?}");
                        assert!(!d.path.contains(s), "{d:?} echoes {s:?}");
                    }
                }
            }
        }
    }
});
