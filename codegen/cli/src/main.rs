//! The command line: generate a client crate from any OpenAPI document.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Generates a typed async Rust client crate from an OpenAPI document.
#[derive(Parser, Debug)]
#[command(name = "apigen", version)]
struct Args {
    /// The OpenAPI document (JSON or YAML).
    #[arg(long)]
    spec: PathBuf,
    /// An overlay to apply to the document (repeatable, applied in order).
    #[arg(long)]
    overlay: Vec<PathBuf>,
    /// The crate directory to write.
    #[arg(long, required_unless_present_any = ["print_ir", "print_spec", "print_normalized"])]
    out: Option<PathBuf>,
    /// The crate's name.
    #[arg(long, required_unless_present_any = ["print_ir", "print_spec", "print_normalized"])]
    crate_name: Option<String>,
    /// The crate's version.
    #[arg(long, default_value = "0.1.0")]
    crate_version: String,
    /// Environment variables `Client::from_env` reads (repeat for Basic
    /// auth: user, then password).
    #[arg(long)]
    env: Vec<String>,
    /// Where the runtime crate is; by default the one beside this generator.
    #[arg(long)]
    runtime_path: Option<PathBuf>,
    /// Make the crate its own workspace root.
    #[arg(long)]
    standalone: bool,
    /// The largest spec file read, in MiB (default 128): a larger one is
    /// refused before it is parsed.
    #[arg(long, value_name = "MIB")]
    max_document_mb: Option<u64>,
    /// Treat diagnostics as errors.
    #[arg(long)]
    strict: bool,
    /// Compare instead of writing; exit 1 if any file would change.
    #[arg(long)]
    check: bool,
    /// Print the intermediate model as YAML and exit.
    #[arg(long)]
    print_ir: bool,
    /// Print the document after overlays, as JSON, and exit.
    #[arg(long)]
    print_spec: bool,
    /// Print the document as the generator reads it (after overlays,
    /// conversion to 3.0, repairs and reference resolution), as JSON,
    /// and exit.
    #[arg(long)]
    print_normalized: bool,
    /// Print the time of each phase.
    #[arg(long)]
    timings: bool,
}

// Generation allocates and frees millions of small strings and token
// trees: under glibc's malloc, malloc and free were a third of a profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = args
        .runtime_path
        .clone()
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../runtime"));
    let runtime = std::path::absolute(&runtime).unwrap_or(runtime);
    let spec_name = args.spec.display().to_string();
    // The printing modes write no crate: any name does for them.
    let opts = apigen::Options::new(args.crate_name.clone().unwrap_or_else(|| "api".into()))
        .crate_version(args.crate_version.clone())
        .runtime_path(&runtime.display().to_string())
        .env(args.env.clone())
        .preamble(apigen::output::preamble("apigen", &spec_name))
        .standalone(args.standalone)
        .strict(args.strict);
    let opts = match args.max_document_mb {
        Some(mb) => opts.limits(apigen::load::Limits { max_bytes: mb.saturating_mul(1 << 20), ..Default::default() }),
        None => opts,
    };
    let source = apigen::Source {
        spec: args.spec.clone(),
        overlays: args.overlay.clone(),
    };
    if args.print_spec {
        return match source.effective_with(std::path::Path::new(""), &opts.limits) {
            Ok(doc) => {
                let text = serde_json::to_string_pretty(&doc).expect("a JSON value prints");
                print_out(&format!("{text}\n"));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if args.print_normalized {
        let mut diags = apigen::diag::Diagnostics::default();
        let read = source.normalized(std::path::Path::new(""), &opts.limits, &mut diags);
        for d in diags.into_vec() {
            eprintln!("warning: {spec_name}{d}");
        }
        return match read {
            Ok(spec) => {
                let text = serde_json::to_string_pretty(&spec.openapi).expect("the model prints");
                print_out(&format!("{text}\n"));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let generated = match apigen::generate(&source, std::path::Path::new(""), &opts) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    for d in &generated.diagnostics {
        eprintln!("warning: {spec_name}{d}");
    }
    if args.timings {
        let t = &generated.timings;
        eprintln!(
            "timings: load {:.1} ms, ir {:.1} ms, tokens {:.1} ms, format {:.1} ms",
            t.load.as_secs_f64() * 1e3,
            t.ir.as_secs_f64() * 1e3,
            t.tokens.as_secs_f64() * 1e3,
            t.format.as_secs_f64() * 1e3
        );
    }
    if args.print_ir {
        print_out(&apigen::ir_yaml(&generated.api));
        return ExitCode::SUCCESS;
    }
    let out = args.out.clone().expect("clap requires --out here");
    if args.check {
        let stale = apigen::output::stale(&out, &generated.files);
        for p in &stale {
            eprintln!("stale: {}", p.display());
        }
        return if stale.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE };
    }
    match apigen::output::write(&out, &generated.files) {
        Ok(changed) => {
            eprintln!(
                "{}: {} operations, {} types, {}/{} typed positions, {} files changed, {} diagnostics",
                out.display(),
                generated.api.operations.len(),
                generated.api.types.len(),
                generated.api.coverage.typed,
                generated.api.coverage.constrained(),
                changed.len(),
                generated.diagnostics.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes to stdout; a closed pipe (`| head`) is the reader's choice, not an
/// error.
fn print_out(text: &str) {
    let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
}
