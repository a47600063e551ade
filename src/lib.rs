//! webhook-receiver: verified, validated, tenant-scoped, exactly-once webhook writes to DynamoDB.
//!
//! The request's way through the code: [`lambda`] (raw event) → [`handler`] (route, tenant,
//! body) → [`signature`] → [`payload`] → [`plan`] → [`store`] → [`error`] / response.

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
