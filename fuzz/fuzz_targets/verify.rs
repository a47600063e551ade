//! The fuzz target; what it checks is `fuzz/checks/verify.rs`, which the ordinary test build
//! also runs over every input in `fuzz/regressions/verify/` (tests/it/fuzz_regressions.rs).

#![no_main]

#[path = "../checks/common.rs"]
mod common;
#[path = "../checks/verify.rs"]
mod verify;

libfuzzer_sys::fuzz_target!(|data: &[u8]| verify::run(data));
