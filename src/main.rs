//! Cold start only: tracing, configuration, one DynamoDB client, then `lambda_runtime` serves
//! invocations with the handler.

// The release build nests the SDK's futures deeper than the default query depth allows.
#![recursion_limit = "256"]

use std::convert::Infallible;
use std::sync::Arc;

use lambda_runtime::tower::util::MapRequestLayer;
use lambda_runtime::{service_fn, LambdaEvent, Runtime};
use serde_json::Value;
use webhook_receiver::clock::SystemClock;
use webhook_receiver::config::Config;
use webhook_receiver::handler::App;
use webhook_receiver::lambda;
use webhook_receiver::store::Store;
use webhook_receiver::telemetry;

// One invocation at a time per process: a single-threaded runtime does it without waking other
// threads (cross-thread wake-ups were most of the system CPU per webhook).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
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

    // `Runtime::run` rather than `lambda_runtime::run`: the same client and panic handling,
    // without the per-invocation tracing span (the handler writes its own log line).
    Runtime::new(service_fn(move |event: LambdaEvent<Value>| {
        let app = Arc::clone(&app);
        async move {
            let context = event.context;
            let response = app
                .handle_traced_event(
                    event.payload,
                    &context.request_id,
                    context.xray_trace_id.as_deref(),
                )
                .await;
            Ok::<_, Infallible>(response)
        }
    }))
    // An event the runtime could not parse reaches the handler too, as `null` (400).
    .layer(MapRequestLayer::new(lambda::readable_invocation))
    .run()
    .await
}
