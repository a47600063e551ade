//! webhook-receiver: verified, validated, tenant-scoped, exactly-once webhook writes to DynamoDB.
//!
//! The request's way through the code: [`lambda`] (raw event) → [`handler`] (route, tenant,
//! body) → [`signature`] → [`format`] (the v1 [`payload`], inbox, Clerk) → [`plan`] → [`store`]
//! → the response (an accepted outcome, or an error turned into HTTP in one place).

// Public items are the ones the binaries, tests, benchmarks and fuzz targets use.
#![warn(unreachable_pub)]

pub mod clock;
pub mod config;
mod error;
pub mod format;
pub mod handler;
mod handshake;
pub mod lambda;
pub mod payload;
pub mod plan;
pub mod runtime;
mod secrets;
pub mod signature;
pub mod store;
pub mod telemetry;
