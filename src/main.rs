//! Cold start only: tracing, configuration, one DynamoDB client, the runtime loop.

use std::sync::Arc;

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;
use webhook_receiver::clock::SystemClock;
use webhook_receiver::config::Config;
use webhook_receiver::handler::App;
use webhook_receiver::store::Store;
use webhook_receiver::{lambda, telemetry};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_tracing();
    let config = Config::from_env(|k| std::env::var(k).ok()).inspect_err(|e| {
        tracing::error!(error = %e, "configuration rejected");
    })?;
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let app = Arc::new(App::new(config, Store::new(&sdk), Arc::new(SystemClock)));

    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let app = Arc::clone(&app);
        async move {
            Ok::<Value, Error>(
                lambda::handle_event(&app, event.payload, &event.context.request_id).await,
            )
        }
    }))
    .await
}
