//! Searches public models (`QUERY /models`) and prints the first matches.
//!
//! ```console
//! REPLICATE_API_TOKEN=r8_... cargo run -p replicate --example search_models -- "upscaler"
//! ```

use replicate::prelude::*;

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let query = std::env::args().nth(1).unwrap_or_else(|| "upscaler".to_owned());
    let client = replicate::Client::from_env()?; // reads REPLICATE_API_TOKEN
    // Every match, page after page; stop after twenty.
    let mut models = client.models().search(query).items().take(20);
    while let Some(model) = models.next().await {
        let model = model?;
        let owner = model.owner.as_deref().unwrap_or("?");
        let name = model.name.as_deref().unwrap_or("?");
        let runs = model.run_count.map(|n| n.to_string()).unwrap_or_default();
        println!("{owner}/{name}\t{runs} runs");
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(run())
}
