//! `cargo xtask codegen`: every target of `spec/codegen.toml`, generated in
//! memory first, written only when all of them succeeded.

use std::path::Path;

use apigen::config::{Config, COMMAND};
use apigen::output;

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut check = false;
    let mut strict = false;
    for a in args {
        match a.as_str() {
            "--check" => check = true,
            "--strict" => strict = true,
            other => return Err(format!("unknown argument `{other}` (expected --check or --strict)")),
        }
    }
    let config = Config::read(&root.join("spec/codegen.toml")).map_err(|e| e.to_string())?;
    let mut generated = Vec::new();
    for target in &config.targets {
        let g = target.generate(root, strict).map_err(|e| format!("{e}\nnothing was written"))?;
        for d in &g.diagnostics {
            eprintln!("warning: {}{d}", target.spec.display());
        }
        generated.push((target, g));
    }
    if check {
        let mut stale = Vec::new();
        for (target, g) in &generated {
            stale.extend(output::stale(&root.join(&target.out), &g.files));
        }
        if stale.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = stale
            .iter()
            .map(|p| format!("  {}", p.strip_prefix(root).unwrap_or(p).display()))
            .collect();
        return Err(format!(
            "generated files are stale:\n{}\nrun `{COMMAND}` and commit the result",
            list.join("\n")
        ));
    }
    for (target, g) in &generated {
        let dir = root.join(&target.out);
        let changed = output::write(&dir, &g.files).map_err(|e| e.to_string())?;
        eprintln!(
            "{}: {} operations, {} types, {} diagnostics, {} file(s) changed",
            target.out.display(),
            g.api.operations.len(),
            g.api.types.len(),
            g.diagnostics.len(),
            changed.len()
        );
    }
    Ok(())
}


/// `cargo xtask spec <crate>`: the document the generator reads for a
/// target, after its overlays, for review.
pub fn print_spec(root: &Path, args: &[String]) -> Result<(), String> {
    let config = Config::read(&root.join("spec/codegen.toml")).map_err(|e| e.to_string())?;
    let [name] = args else {
        return Err("usage: cargo xtask spec <crate>".into());
    };
    let target = config
        .targets
        .iter()
        .find(|t| &t.crate_name == name)
        .ok_or_else(|| format!("no target with crate `{name}` in spec/codegen.toml"))?;
    let doc = target.source().effective(root).map_err(|e| e.to_string())?;
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    // A closed pipe (`| head`) is the reader's choice, not an error.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), format!("{text}\n").as_bytes());
    Ok(())
}
