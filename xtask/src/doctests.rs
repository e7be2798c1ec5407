//! The doctests of a crate generated from hostile spec text: spec strings
//! that would be Rust code blocks if they reached the docs unchecked.

use std::path::Path;

const SPEC: &str = "tests/specs/hostile-docs.json";

/// Generates `tests/specs/hostile-docs.json` and runs its crate's
/// doctests: the crate's own example must be the only one, and none of
/// the `PWNED-*` files its spec text would write may appear.
pub fn run(root: &Path) -> Result<(), String> {
    let out = root.join("target/hostile-docs");
    let _ = std::fs::remove_dir_all(&out);
    let opts = crate::corpus::options("hostile-docs", "cargo xtask test", SPEC, &root.join("codegen/runtime")).standalone(true);
    let g = apigen::generate_file(&root.join(SPEC), SPEC, &opts).map_err(|e| e.to_string())?;
    apigen::output::write(&out, &g.files).map_err(|e| e.to_string())?;
    crate::corpus::seed_lock(root, &out);
    eprintln!("$ cargo test --doc (in {})", out.display());
    let output = crate::cargo()
        .current_dir(&out)
        .env("CARGO_TARGET_DIR", root.join("target/hostile-docs-target"))
        .args(["test", "--doc", "--quiet"])
        .output()
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!("the doctests of {SPEC}'s crate failed:\n{stdout}{}", String::from_utf8_lossy(&output.stderr)));
    }
    let written: Vec<String> = std::fs::read_dir(&out)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("PWNED"))
        .collect();
    if !written.is_empty() {
        return Err(format!("spec text ran as a doctest of {SPEC}'s crate and wrote {written:?}"));
    }
    if !stdout.contains("running 1 test") {
        return Err(format!("{SPEC}'s crate should have one doctest, its own example:\n{stdout}"));
    }
    eprintln!("doctests: spec text ran nowhere (1 doctest, the crate's example)");
    Ok(())
}
