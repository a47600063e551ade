//! One integration binary. Tests that touch DynamoDB use DynamoDB Local, started by `make test`,
//! each with its own table.

mod batches;
mod clerk;
mod deployment;
mod faults;
mod fuzz_regressions;
mod handler;
mod inbox;
mod properties;
mod runtime;
mod schemes;
mod secrets;
mod senders;
mod store;
mod support;
