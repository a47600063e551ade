//! webhook-receiver: verified, validated, tenant-scoped, exactly-once webhook writes to DynamoDB.
//!
//! The request's way through the code: [`lambda`] (raw event) → [`handler`] (route, tenant,
//! body) → [`signature`] (the sender) → [`format`] (v1, inbox, Clerk) → [`plan`] → [`store`] →
//! the response (an accepted outcome, or an error turned into HTTP in one place). The
//! [`domain`] (ids, actions, user events) belongs to none of them.

// Public items are the ones the binaries, tests, benchmarks and fuzz targets use.
#![warn(unreachable_pub)]

pub mod clock;
pub mod config;
pub mod domain;
mod error;
pub mod format;
pub mod handler;
mod json;
pub mod lambda;
pub mod plan;
mod secrets;
pub mod signature;
#[cfg(feature = "signing")]
pub mod signing;
pub mod store;
pub mod telemetry;
