//! Runs a model and prints its output.
//!
//! ```console
//! REPLICATE_API_TOKEN=r8_... cargo run -p replicate --example run_model -- replicate/hello-world '{"text": "Alice"}'
//! ```

use std::time::Duration;

use replicate::run::RunError;

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let model = args.next().unwrap_or_else(|| "replicate/hello-world".to_owned());
    let input: serde_json::Value = match args.next() {
        Some(json) => serde_json::from_str(&json)?,
        None => serde_json::json!({ "text": "Alice" }),
    };
    let client = replicate::Client::from_env()?; // reads REPLICATE_API_TOKEN
    let result = client
        .run(&model, input)
        .wait(30)
        .deadline(Duration::from_secs(600))
        .cancel_on_deadline(true)
        .prediction()
        .await;
    match result {
        Ok(prediction) => {
            let output = prediction.output.flatten().unwrap_or_default();
            println!("{}", serde_json::to_string_pretty(&output)?);
            if let Some(Some(metrics)) = prediction.metrics {
                eprintln!("predict time: {:?} s", metrics.predict_time.flatten());
            }
            Ok(())
        }
        Err(RunError::Failed { error, logs, .. }) => {
            eprintln!("{}", logs.unwrap_or_default());
            Err(format!("the model failed: {}", error.unwrap_or_default()).into())
        }
        Err(e) => Err(e.into()),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(run())
}
