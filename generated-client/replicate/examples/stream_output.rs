//! Runs a language model and prints its output as it is produced.
//!
//! ```console
//! REPLICATE_API_TOKEN=r8_... cargo run -p replicate --example stream_output -- "Write a haiku about Rust"
//! ```

use std::io::Write;

use replicate::prelude::*;
use replicate::stream::StreamEvent;

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let prompt = std::env::args().nth(1).unwrap_or_else(|| "Write a haiku about the sea".to_owned());
    let client = replicate::Client::from_env()?; // reads REPLICATE_API_TOKEN
    let mut events = client
        .run("meta/meta-llama-3-8b-instruct", serde_json::json!({ "prompt": prompt }))
        .stream()
        .await?;
    let mut stdout = std::io::stdout();
    while let Some(event) = events.next().await {
        match event? {
            StreamEvent::Output(text) => {
                write!(stdout, "{text}")?;
                stdout.flush()?;
            }
            StreamEvent::Logs(lines) => eprintln!("{lines}"),
            StreamEvent::Error(message) => return Err(format!("the model failed: {message}").into()),
            StreamEvent::Done { reason } => {
                writeln!(stdout)?;
                if let Some(reason) = reason {
                    eprintln!("(ended: {reason})");
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(run())
}
