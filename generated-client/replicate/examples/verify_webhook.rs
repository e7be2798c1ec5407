//! Verifies a webhook request as a server receiving one would.
//!
//! Given a saved request (its body in a file and its three headers), checks
//! it against the account's default webhook secret:
//!
//! ```console
//! REPLICATE_API_TOKEN=r8_... cargo run -p replicate --example verify_webhook -- \
//!     body.json msg_2cB1... 1717000000 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4='
//! ```
//!
//! Without arguments it signs a sample body with the secret and verifies
//! that, then shows that a changed body is refused.

use replicate::webhooks::{HeaderMap, Verifier};

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let client = replicate::Client::from_env()?; // reads REPLICATE_API_TOKEN
    // Fetch once at start-up, keep for every request.
    let verifier: Verifier = client.webhook_verifier().await?;

    let args: Vec<String> = std::env::args().skip(1).collect();
    let (body, id, timestamp, signature) = match &args[..] {
        [file, id, timestamp, signature] => (std::fs::read(file)?, id.clone(), timestamp.clone(), signature.clone()),
        _ => {
            let body = br#"{"id": "gm3qorzdhgbfurvjtvhg6dckhu", "status": "succeeded", "output": "hello Alice"}"#.to_vec();
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() as i64;
            let signature = verifier.sign("msg_example", now, &body);
            (body, "msg_example".to_owned(), now.to_string(), signature)
        }
    };
    let mut headers = HeaderMap::new();
    headers.insert("webhook-id", id.parse()?);
    headers.insert("webhook-timestamp", timestamp.parse()?);
    headers.insert("webhook-signature", signature.parse()?);

    let verified = verifier.verify(&headers, &body)?;
    let prediction = verified.prediction()?;
    println!(
        "genuine webhook {}: prediction {} is {}",
        verified.id(),
        prediction.id.as_deref().unwrap_or("?"),
        prediction.status.as_ref().map(|s| s.as_str()).unwrap_or("?")
    );

    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    match verifier.verify(&headers, &tampered) {
        Ok(_) => Err("a changed body passed verification".into()),
        Err(e) => {
            println!("a changed body is refused: {e}");
            Ok(())
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(run())
}
