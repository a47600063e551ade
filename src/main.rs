//! Cold start only: tracing, configuration, one DynamoDB client, then the Runtime API loop.

// The release build nests the SDK's futures deeper than the default query depth allows.
#![recursion_limit = "256"]

use std::sync::Arc;

use webhook_receiver::clock::SystemClock;
use webhook_receiver::config::Config;
use webhook_receiver::handler::App;
use webhook_receiver::runtime::{self, Invocation};
use webhook_receiver::store::Store;
use webhook_receiver::telemetry;

// One invocation at a time per process: a single-threaded runtime does it without waking other
// threads (cross-thread wake-ups were most of the system CPU per webhook).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), runtime::RuntimeError> {
    telemetry::init_tracing();
    let env = |k: &str| std::env::var(k).ok();
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    // One clear line and a failed init: the function never starts half-configured.
    let config = match Config::load(env, &sdk).await {
        Ok(config) => config,
        Err(e) => {
            tracing::error!(error = %e, "configuration rejected");
            std::process::exit(1);
        }
    };
    let app = Arc::new(App::new(config, Store::new(&sdk), Arc::new(SystemClock)));

    runtime::run(|invocation: Invocation| {
        let app = Arc::clone(&app);
        async move {
            app.handle_traced_event(
                invocation.event,
                &invocation.request_id,
                invocation.trace_id.as_deref(),
            )
            .await
        }
    })
    .await
}
