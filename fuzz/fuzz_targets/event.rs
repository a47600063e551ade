//! The fuzz target; what it checks is `fuzz/checks/event.rs`, which the ordinary test build
//! also runs over every input in `fuzz/regressions/event/` (tests/it/fuzz_regressions.rs).

#![no_main]

#[path = "../checks/common.rs"]
mod common;
#[path = "../checks/event.rs"]
mod event;

libfuzzer_sys::fuzz_target!(|data: &[u8]| event::run(data));
