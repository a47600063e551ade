//! One integration binary. Tests that touch DynamoDB use DynamoDB Local, started by `make test`,
//! each with its own table.

mod clerk;
mod faults;
mod handler;
mod inbox;
mod properties;
mod runtime;
mod schemes;
mod secrets;
// The signing tooling lives with the `webhook-sign` command, not in the library.
#[allow(dead_code)]
#[path = "../../src/bin/webhook-sign/signing.rs"]
mod signing;
mod store;
mod support;
