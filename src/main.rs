//! Cold start only: tracing, configuration, one DynamoDB client, the runtime loop.

// The release build nests the SDK's futures deeper than the default query depth allows.
#![recursion_limit = "256"]

use std::sync::Arc;

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;
use webhook_receiver::clock::SystemClock;
use webhook_receiver::config::Config;
use webhook_receiver::handler::App;
use webhook_receiver::store::Store;
use webhook_receiver::telemetry;

#[tokio::main]
async fn main() -> Result<(), Error> {
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

    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let app = Arc::clone(&app);
        async move {
            Ok::<Value, Error>(
                app.handle_event(event.payload, &event.context.request_id)
                    .await,
            )
        }
    }))
    .await
}
