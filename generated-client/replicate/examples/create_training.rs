//! Fine-tunes a model: creates a training into a model of yours and waits
//! for it to finish, then prints the new version.
//!
//! ```console
//! REPLICATE_API_TOKEN=r8_... cargo run -p replicate --example create_training -- \
//!     ostris/flux-dev-lora-trainer <version-id> my-account/my-flux-lora https://example.com/images.zip
//! ```

use std::time::Duration;

use replicate::types;

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, version, destination, images] = &args[..] else {
        return Err("usage: create_training <owner/name> <version-id> <destination owner/name> <images zip URL>".into());
    };
    let (owner, name) = model.split_once('/').ok_or("the model is owner/name")?;
    let client = replicate::Client::from_env()?; // reads REPLICATE_API_TOKEN
    let request = types::TrainingRequest {
        destination: destination.clone(),
        input: serde_json::json!({ "input_images": images, "steps": 1000 })
            .as_object()
            .cloned()
            .unwrap_or_default(),
        webhook: None,
        webhook_events_filter: None,
    };
    let training = client.trainings().create(owner, name, version).body(request).await?;
    eprintln!("training {} started", training.id.as_deref().unwrap_or("?"));
    let done = client
        .wait_training(training)
        .poll_interval(Duration::from_secs(5))
        .max_poll_interval(Duration::from_secs(30))
        .await?;
    println!("{}", serde_json::to_string_pretty(&done.output.flatten().unwrap_or_default())?);
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(run())
}
