//! Every input that once found a bug (`fuzz/regressions/<target>/`), and every sample event,
//! through the fuzz targets' own checks (`fuzz/checks/`), in the ordinary test build: what the
//! fuzzers assert holds for them without the nightly fuzz build (`make fuzz` builds and runs the
//! targets themselves).

#[path = "../../fuzz/checks/common.rs"]
mod common;
#[path = "../../fuzz/checks/event.rs"]
mod event;
#[path = "../../fuzz/checks/payload.rs"]
mod payload;
#[path = "../../fuzz/checks/verify.rs"]
mod verify;

use std::path::PathBuf;

fn files(dir: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// Runs `check` over `inputs`, naming the input that fails.
fn replay(target: &str, check: fn(&[u8]), inputs: Vec<(PathBuf, Vec<u8>)>) -> usize {
    for (path, bytes) in &inputs {
        let ok = std::panic::catch_unwind(|| check(bytes)).is_ok();
        assert!(ok, "{target}: {} fails its check", path.display());
    }
    inputs.len()
}

#[test]
fn every_fuzz_regression_passes_its_targets_check() {
    let mut replayed = 0;
    for (target, check) in [
        ("event", event::run as fn(&[u8])),
        ("verify", verify::run),
        ("payload", payload::run),
    ] {
        replayed += replay(target, check, files(&format!("fuzz/regressions/{target}")));
    }
    assert!(replayed >= 2, "the regressions are where this test looks");
}

#[test]
fn every_sample_event_passes_the_targets_checks() {
    let events = files("events");
    assert!(events.len() > 20);
    replay("event", event::run, events.clone());
    replay("verify", verify::run, events.clone());
    // The payload target reads bodies.
    let bodies = events
        .into_iter()
        .map(|(p, bytes)| {
            let event: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let body = event["body"]
                .as_str()
                .unwrap_or_default()
                .as_bytes()
                .to_vec();
            (p, body)
        })
        .collect();
    replay("payload", payload::run, bodies);
}
