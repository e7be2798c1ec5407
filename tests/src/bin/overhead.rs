//! What a request through the generated client costs over the same request
//! sent with plain reqwest: both call `GET /account` on one local HTTP/1.1
//! server (127.0.0.1, keep-alive, a fixed JSON answer) and decode the body
//! into the same type, in alternating rounds so that drift in the machine
//! falls on both alike. Prints one JSON object; `cargo xtask bench` runs it
//! in release mode.
//!
//! `overhead [REQUESTS_PER_ROUND] [ROUNDS]` (defaults: 500, 24). The
//! overhead printed is the median over rounds of each round's ratio.
//!
//! `overhead --only generated|reqwest REQUESTS` sends that many requests
//! with one of the two (after the same warm-up) and prints nothing: what
//! `cargo xtask bench` runs under callgrind to count the instructions a
//! request costs, a figure this machine's drift does not move.

use std::time::{Duration, Instant};

use replicate::types::Account;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const BODY: &str = r#"{"type":"user","username":"acme","name":"Acme Corp","github_url":"https://github.com/acme"}"#;

/// Answers every request on every connection with [`BODY`], as fast as a
/// server can: the figure measured is the clients' cost.
async fn serve(listener: TcpListener) {
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    loop {
        let Ok((mut socket, _)) = listener.accept().await else { continue };
        let response = response.clone();
        tokio::spawn(async move {
            let mut buf = Vec::with_capacity(4096);
            let mut chunk = [0u8; 4096];
            loop {
                // A GET has no body: a request ends at its blank line.
                while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    buf.drain(..end + 4);
                    if socket.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
                match socket.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
        });
    }
}

async fn generated(client: &replicate::Client, n: usize) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        let account: Account = client.account().get().await.expect("generated client request");
        std::hint::black_box(account);
    }
    start.elapsed()
}

async fn plain(client: &reqwest::Client, url: &str, n: usize) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        let response = client.get(url).bearer_auth("r8_bench").send().await.expect("reqwest request");
        let response = response.error_for_status().expect("a success");
        let bytes = response.bytes().await.expect("a body");
        let account: Account = serde_json::from_slice(&bytes).expect("an account");
        std::hint::black_box(account);
    }
    start.elapsed()
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let only = match args.first().map(String::as_str) {
        Some("--only") => {
            let which = args.get(1).cloned().expect("--only takes generated or reqwest");
            assert!(which == "generated" || which == "reqwest", "--only takes generated or reqwest, not {which}");
            args.drain(..2);
            Some(which)
        }
        _ => None,
    };
    let mut args = args.into_iter().map(|a| a.parse::<usize>().expect("a number"));
    let per_round = args.next().unwrap_or(500);
    let rounds = args.next().unwrap_or(24).max(1);

    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    std_listener.set_nonblocking(true).unwrap();
    let addr = std_listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        // Inside the runtime: a tokio listener needs its reactor.
        rt.block_on(async move { serve(TcpListener::from_std(std_listener).unwrap()).await });
    });

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let base = format!("http://{addr}/v1");
        let url = format!("{base}/account");
        let generated_client = replicate::Client::builder().base_url(&base).bearer_token("r8_bench").build().unwrap();
        let plain_client = reqwest::Client::new();
        // Warm up both: connections, allocator, caches.
        generated(&generated_client, 200).await;
        plain(&plain_client, &url, 200).await;
        match only.as_deref() {
            Some("generated") => {
                generated(&generated_client, per_round).await;
                return;
            }
            Some(_) => {
                plain(&plain_client, &url, per_round).await;
                return;
            }
            None => {}
        }
        let (mut g, mut p) = (Duration::ZERO, Duration::ZERO);
        // The ratio of each round: the median of these is the figure, so
        // that a burst of load from elsewhere on the machine, which falls
        // on a round or two, does not move it.
        let mut ratios = Vec::with_capacity(rounds);
        for round in 0..rounds {
            // Alternate which goes first.
            let (rg, rp) = if round % 2 == 0 {
                let rg = generated(&generated_client, per_round).await;
                (rg, plain(&plain_client, &url, per_round).await)
            } else {
                let rp = plain(&plain_client, &url, per_round).await;
                (generated(&generated_client, per_round).await, rp)
            };
            g += rg;
            p += rp;
            ratios.push(rg.as_secs_f64() / rp.as_secs_f64());
        }
        ratios.sort_by(f64::total_cmp);
        let median = ratios[ratios.len() / 2];
        let total = (per_round * rounds) as f64;
        let (g_rps, p_rps) = (total / g.as_secs_f64(), total / p.as_secs_f64());
        let overhead = (median - 1.0) * 100.0;
        println!(
            "{}",
            serde_json::json!({
                "requests": per_round * rounds,
                "generated_rps": g_rps.round(),
                "reqwest_rps": p_rps.round(),
                "overhead_pct": (overhead * 10.0).round() / 10.0,
            })
        );
    });
}
