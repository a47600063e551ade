//! The fuzz target; what it checks is `fuzz/checks/payload.rs`, which the ordinary test build
//! also runs over every input in `fuzz/regressions/payload/` (tests/it/fuzz_regressions.rs).

#![no_main]

#[path = "../checks/payload.rs"]
mod payload;

libfuzzer_sys::fuzz_target!(|data: &[u8]| payload::run(data));
