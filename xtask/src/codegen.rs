//! `cargo xtask codegen`: every target of `spec/codegen.toml`, generated in
//! memory first, written only when all of them succeeded.

use std::path::Path;

use apigen::config::{relative_path, Config, Target};
use apigen::{output, Generated, Options};

pub const COMMAND: &str = "cargo xtask codegen";

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
        let g = generate(root, target, strict).map_err(|e| format!("{e}\nnothing was written"))?;
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

/// The generator options for a target, with paths relative to the root so
/// that output is the same on every machine.
pub fn options(target: &Target) -> Options {
    let runtime = relative_path(&target.out, Path::new("codegen/runtime"));
    let source = target.spec.display().to_string().replace('\\', "/");
    Options {
        crate_name: target.crate_name.clone(),
        crate_version: target.version.clone(),
        runtime_dependency: format!("{{ path = {} }}", apigen::emit::toml_str(&runtime)),
        extra_dependencies: target.dependencies.clone(),
        hand_written_modules: target.modules.clone(),
        env: target.env.clone(),
        preamble: output::preamble(COMMAND, &source),
        standalone: false,
    }
}

pub fn generate(root: &Path, target: &Target, strict: bool) -> Result<Generated, apigen::Error> {
    let name = target.spec.display().to_string();
    apigen::generate_file(&root.join(&target.spec), &name, &options(target), strict)
}
