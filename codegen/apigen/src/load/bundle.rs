//! Multi-file documents made one: every reference to another local file
//! (`./schemas/pet.yaml#/Pet`, `../common.yaml`), relative to the file that
//! holds it, is read (once per file, chains and cycles across files
//! included) and kept under `/x-bundle/<file>`, and the reference is
//! rewritten to point there. `normalize` then follows these references as
//! it follows any other, and the pointers of its diagnostics name the file.
//!
//! Only JSON and YAML files are read. A reference to a file that is not
//! there is left as it is, and `normalize` reports it; one to the network
//! is refused there.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::Error;
use crate::pointer;

/// Where bundled files are kept in the document.
pub const BUNDLE_KEY: &str = "x-bundle";

/// Bundles the files `doc` (read from `path`) refers to into it.
pub fn bundle(doc: &mut Value, path: &Path, limits: &super::Limits) -> Result<(), Error> {
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut b = Bundler { base: base.clone(), files: HashMap::new(), loaded: Map::new(), limits: *limits };
    b.rewrite(doc, &base, None)?;
    if !b.loaded.is_empty() {
        if let Some(root) = doc.as_object_mut() {
            root.insert(BUNDLE_KEY.into(), Value::Object(b.loaded));
        }
    }
    Ok(())
}

struct Bundler {
    /// The directory of the root document: bundled files are named
    /// relative to it.
    base: PathBuf,
    /// File path to its name under [`BUNDLE_KEY`].
    files: HashMap<PathBuf, String>,
    loaded: Map<String, Value>,
    limits: super::Limits,
}

/// `a/./b/../c` as `a/c`, without touching the disk (a link is not
/// followed, so that the same file is named the same way).
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

impl Bundler {
    /// Rewrites the references of `v`, a part of the file in `dir` whose
    /// bundle name is `file` (`None`: the root document).
    fn rewrite(&mut self, v: &mut Value, dir: &Path, file: Option<&str>) -> Result<(), Error> {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(reference)) = m.get("$ref") {
                    if let Some(new) = self.target(reference, dir, file)? {
                        m.insert("$ref".into(), Value::String(new));
                    }
                }
                for (k, child) in m.iter_mut() {
                    if k == "example" || k == "examples" || k.starts_with("x-") {
                        continue;
                    }
                    self.rewrite(child, dir, file)?;
                }
            }
            Value::Array(items) => {
                for child in items {
                    self.rewrite(child, dir, file)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The reference rewritten into the bundle, if it changes.
    fn target(&mut self, reference: &str, dir: &Path, file: Option<&str>) -> Result<Option<String>, Error> {
        if reference.contains("://") {
            return Ok(None);
        }
        let (target_file, fragment) = pointer::split_ref(reference);
        let fragment = fragment.unwrap_or_default();
        let name = if target_file.is_empty() {
            match file {
                // Inside the root document: unchanged.
                None => return Ok(None),
                Some(name) => name.to_owned(),
            }
        } else {
            let path = clean(&dir.join(target_file));
            let is_document = matches!(path.extension().and_then(|e| e.to_str()), Some("json" | "yaml" | "yml"));
            if !is_document || !path.is_file() {
                return Ok(None);
            }
            self.load(&path)?
        };
        let bundled = format!("{}{}", pointer::join(&format!("/{BUNDLE_KEY}"), &name), fragment);
        Ok(Some(pointer::to_fragment(&bundled)))
    }

    /// The bundle name of the file, read and rewritten the first time.
    fn load(&mut self, path: &Path) -> Result<String, Error> {
        if let Some(name) = self.files.get(path) {
            return Ok(name.clone());
        }
        let name = path
            .strip_prefix(&self.base)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| path.display().to_string());
        // Taken before its references are followed, so that a cycle
        // across files ends here.
        self.files.insert(path.to_owned(), name.clone());
        let mut value = super::read_any_with(path, &path.display().to_string(), &self.limits)?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        self.rewrite(&mut value, &dir, Some(&name))?;
        self.loaded.insert(name.clone(), value);
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("apigen-bundle-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("schemas")).unwrap();
        dir
    }

    #[test]
    fn files_are_bundled_relative_to_the_file_that_refers_to_them() {
        let dir = scratch("rel");
        std::fs::write(dir.join("schemas/pet.yaml"), "Pet:\n  type: object\n  properties:\n    owner: {$ref: '../common.json#/Owner'}\n    self: {$ref: '#/Pet'}\n").unwrap();
        std::fs::write(dir.join("common.json"), r##"{"Owner": {"type": "object", "properties": {"pet": {"$ref": "schemas/pet.yaml#/Pet"}}}}"##).unwrap();
        let root = dir.join("openapi.yaml");
        let mut doc = serde_json::json!({ "components": { "schemas": { "Pet": { "$ref": "./schemas/pet.yaml#/Pet" }, "Gone": { "$ref": "missing.yaml" } } } });
        bundle(&mut doc, &root, &crate::load::Limits::default()).unwrap();
        assert_eq!(doc["components"]["schemas"]["Pet"]["$ref"], "#/x-bundle/schemas~1pet.yaml/Pet");
        assert_eq!(doc["components"]["schemas"]["Gone"]["$ref"], "missing.yaml", "a missing file is left to normalize");
        let pet = &doc[BUNDLE_KEY]["schemas/pet.yaml"]["Pet"];
        assert_eq!(pet["properties"]["owner"]["$ref"], "#/x-bundle/common.json/Owner");
        assert_eq!(pet["properties"]["self"]["$ref"], "#/x-bundle/schemas~1pet.yaml/Pet");
        assert_eq!(doc[BUNDLE_KEY]["common.json"]["Owner"]["properties"]["pet"]["$ref"], "#/x-bundle/schemas~1pet.yaml/Pet");
    }
}
