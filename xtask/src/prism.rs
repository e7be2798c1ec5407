//! Prism (`@stoplight/prism-cli`), a mock server that rejects every request
//! its OpenAPI document does not allow, serving the Replicate spec after
//! its overlays so that `tests/tests/prism.rs` can check every request the
//! generated client sends against the spec itself.
//!
//! - `cargo xtask test` starts it (installing it first if needed) and runs
//!   the tests with `PRISM_URL` set; [`Prism`] stops it when dropped,
//!   whether the tests passed, failed or panicked.
//! - `cargo xtask prism [--port N]` runs it in the foreground, for
//!   debugging a test by hand.
//!
//! What Prism 5.16.0 does with this spec (checked by hand, relied on by
//! the tests):
//! - it ignores the path of the server URL, so the `/v1` of
//!   `https://api.replicate.com/v1` is folded into every path here
//!   ([`fold_base_path`]);
//! - it drops the non-standard `query` method (QUERY /models gets 405);
//! - it never answers a request whose JSON body does not parse;
//! - a `Prefer` header replaces its `__code`, `__example` and `__dynamic`
//!   query parameters, and must itself match the spec's pattern;
//! - responses without a schema come back empty.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The Prism release the tests are written against.
pub const VERSION: &str = "5.16.0";
/// Where Prism is installed, relative to the root (ignored by git).
const PREFIX: &str = ".tools/prism";
/// The seed for Prism's dynamic examples: the same schema always gives the
/// same example, whatever order the tests run in (Prism reseeds its
/// generator for every response).
const SEED: &str = "replicate";
/// The crate whose spec Prism serves.
const CRATE: &str = "replicate";
/// How long Prism may take to load the spec and listen.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// A running Prism, stopped (by its process id) when dropped.
pub struct Prism {
    child: Child,
    url: String,
}

impl Prism {
    /// Installs Prism if needed, writes the spec and starts Prism on a free
    /// port of 127.0.0.1, its output going to `target/prism/prism.log`.
    /// Returns once Prism answers HTTP.
    pub fn start(root: &Path) -> Result<Prism, String> {
        let entry = install(root)?;
        let spec = write_spec(root)?;
        let log_path = dir(root).join("prism.log");
        // A port freed between our bind and Prism's can be taken by
        // someone else: try another.
        let mut last = String::new();
        for _ in 0..3 {
            let port = free_port()?;
            let log = File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
            let log2 = log.try_clone().map_err(|e| format!("{}: {e}", log_path.display()))?;
            let mut cmd = mock_command(&entry, &spec, port);
            cmd.current_dir(root).stdin(Stdio::null()).stdout(log).stderr(log2);
            eprintln!("$ {cmd:?} > {}", rel(root, &log_path));
            let child = cmd.spawn().map_err(|e| format!("cannot start Prism with `node` (is Node.js installed?): {e}"))?;
            let mut prism = Prism { child, url: format!("http://127.0.0.1:{port}") };
            match prism.wait_ready(port, &log_path) {
                Ok(()) => {
                    eprintln!("Prism {VERSION} is serving {} at {}", rel(root, &spec), prism.url);
                    return Ok(prism);
                }
                Err(e) => last = e,
            }
            if !tail(&log_path).contains("EADDRINUSE") {
                break;
            }
        }
        Err(last)
    }

    /// `http://127.0.0.1:<port>`, the value of `PRISM_URL`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Polls until Prism answers an HTTP request as Prism does, it exits,
    /// or the time is up.
    fn wait_ready(&mut self, port: u16, log: &Path) -> Result<(), String> {
        let started = Instant::now();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        loop {
            if let Some(status) = self.child.try_wait().map_err(|e| e.to_string())? {
                return Err(format!(
                    "Prism exited ({status}) before it answered; {}:\n{}",
                    log.display(),
                    tail(log)
                ));
            }
            if answers_as_prism(addr) {
                return Ok(());
            }
            if started.elapsed() > READY_TIMEOUT {
                return Err(format!(
                    "Prism did not answer on {addr} within {}s; {}:\n{}",
                    READY_TIMEOUT.as_secs(),
                    log.display(),
                    tail(log)
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        // This very process, by its id; then reap it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `cargo xtask prism [--port N]`: Prism in the foreground, its output on
/// the terminal, until interrupted.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let port = match args {
        [] => 4010,
        [flag, n] if flag == "--port" => n.parse().map_err(|_| format!("`{n}` is not a port"))?,
        _ => return Err("usage: cargo xtask prism [--port N]".into()),
    };
    let entry = install(root)?;
    let spec = write_spec(root)?;
    let mut cmd = mock_command(&entry, &spec, port);
    cmd.current_dir(root);
    eprintln!("$ {cmd:?}");
    eprintln!("run the tests against it with: PRISM_URL=http://127.0.0.1:{port} cargo test -p integration-tests --test prism");
    let status = cmd.status().map_err(|e| format!("cannot start Prism with `node` (is Node.js installed?): {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("Prism exited: {status}"))
    }
}

/// `node <entry> mock` on 127.0.0.1, with seeded dynamic examples.
fn mock_command(entry: &Path, spec: &Path, port: u16) -> Command {
    let mut cmd = Command::new("node");
    cmd.arg(entry)
        .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string(), "--dynamic", "--seed", SEED])
        .arg(spec);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // `Drop` stops Prism on every ending that unwinds; the kernel stops
        // it on the others (a signal, a kill of this process), so that no
        // server outlives the tests.
        // SAFETY: prctl is async-signal-safe and touches no memory of ours.
        unsafe {
            cmd.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    cmd
}

/// The installed Prism's entry point, installing the pinned version first
/// when it is missing or another version.
pub fn install(root: &Path) -> Result<PathBuf, String> {
    let package = root.join(PREFIX).join("node_modules/@stoplight/prism-cli");
    if installed_version(&package).as_deref() != Some(VERSION) {
        let mut cmd = Command::new(if cfg!(windows) { "npm.cmd" } else { "npm" });
        cmd.current_dir(root).args([
            "install",
            "--prefix",
            PREFIX,
            &format!("@stoplight/prism-cli@{VERSION}"),
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
        ]);
        eprintln!("installing Prism {VERSION} (about half a minute)");
        eprintln!("$ {cmd:?}");
        let started = Instant::now();
        let status = cmd
            .status()
            .map_err(|e| format!("cannot run npm to install Prism (is Node.js with npm installed?): {e}"))?;
        if !status.success() {
            return Err(format!("{cmd:?} failed: {status}"));
        }
        eprintln!("installed Prism in {:.0}s", started.elapsed().as_secs_f64());
        match installed_version(&package) {
            Some(v) if v == VERSION => {}
            other => return Err(format!("npm installed Prism {other:?}, not {VERSION}")),
        }
    }
    // The entry point, as the package names it.
    let manifest = read_json(&package.join("package.json"))?;
    let bin = manifest
        .pointer("/bin/prism")
        .or_else(|| manifest.get("bin"))
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{}: no `bin` entry", package.join("package.json").display()))?;
    let entry = package.join(bin.trim_start_matches("./"));
    if !entry.is_file() {
        return Err(format!("Prism's entry point {} is missing", entry.display()));
    }
    Ok(entry)
}

fn installed_version(package: &Path) -> Option<String> {
    let manifest = read_json(&package.join("package.json")).ok()?;
    manifest.get("version")?.as_str().map(str::to_owned)
}

/// Writes the Replicate spec after its overlays, with the server's base
/// path folded into its paths, to `target/prism/replicate.json`.
pub fn write_spec(root: &Path) -> Result<PathBuf, String> {
    let config = apigen::config::Config::read(&root.join("spec/codegen.toml")).map_err(|e| e.to_string())?;
    let target = config
        .targets
        .iter()
        .find(|t| t.crate_name == CRATE)
        .ok_or_else(|| format!("no target with crate `{CRATE}` in spec/codegen.toml"))?;
    let mut doc = target.source().effective(root).map_err(|e| e.to_string())?;
    fold_base_path(&mut doc)?;
    let dir = dir(root);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(format!("{CRATE}.json"));
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// Prism matches requests against the paths alone, ignoring the path of
/// the server URL: `/v1` of `https://api.replicate.com/v1` goes in front
/// of every path, and the server becomes `/`.
pub fn fold_base_path(doc: &mut Value) -> Result<(), String> {
    let url = doc
        .pointer("/servers/0/url")
        .and_then(Value::as_str)
        .unwrap_or("/")
        .to_owned();
    let base = base_path(&url).trim_end_matches('/').to_owned();
    let paths = doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .ok_or("the spec has no `paths` object")?;
    *paths = std::mem::take(paths)
        .into_iter()
        .map(|(path, item)| (format!("{base}{path}"), item))
        .collect();
    doc["servers"] = json!([{ "url": "/" }]);
    Ok(())
}

/// The path of a server URL: `https://host/v1` → `/v1`, `/v1` → `/v1`.
fn base_path(url: &str) -> &str {
    let rest = match url.find("://") {
        Some(i) => &url[i + 3..],
        None if url.starts_with('/') => return url,
        None => url,
    };
    rest.find('/').map_or("", |i| &rest[i..])
}

/// Whether something on `addr` answers an unknown path as Prism does (a
/// problem document from stoplight.io), not merely accepts connections.
fn answers_as_prism(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!("GET /__xtask_ready HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    answer.starts_with("HTTP/1.1 ") && answer.contains("stoplight.io/prism")
}

/// A port of 127.0.0.1 that was free a moment ago.
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| format!("cannot bind 127.0.0.1:0: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn dir(root: &Path) -> PathBuf {
    root.join("target/prism")
}

fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The last lines of Prism's log, for error messages.
fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_path_goes_in_front_of_every_path() {
        let mut doc = json!({
            "servers": [{ "url": "https://api.replicate.com/v1" }],
            "paths": { "/account": {}, "/models/{a}/{b}": {} },
        });
        fold_base_path(&mut doc).unwrap();
        assert_eq!(
            doc,
            json!({
                "servers": [{ "url": "/" }],
                "paths": { "/v1/account": {}, "/v1/models/{a}/{b}": {} },
            })
        );
        let keys: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["/v1/account", "/v1/models/{a}/{b}"], "order kept");
    }

    #[test]
    fn server_urls_without_a_path_change_nothing_but_the_server() {
        for url in ["https://example.com", "https://example.com/", "/"] {
            let mut doc = json!({ "servers": [{ "url": url }], "paths": { "/a": {} } });
            fold_base_path(&mut doc).unwrap();
            assert_eq!(doc["paths"], json!({ "/a": {} }), "{url}");
        }
        let mut doc = json!({ "paths": { "/a": {} } });
        fold_base_path(&mut doc).unwrap();
        assert_eq!(doc["paths"], json!({ "/a": {} }));
        assert_eq!(base_path("/api/v2/"), "/api/v2/");
        assert_eq!(base_path("http://h:8080/api"), "/api");
    }
}
