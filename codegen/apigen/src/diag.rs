//! Diagnostics: what the generator could not represent, or changed, and
//! where in the document it is.

use std::fmt;

use serde::Serialize;

/// One finding, located by a JSON pointer into the document after
/// normalization (and overlays), e.g. `/paths/~1models/get/responses/200`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Diagnostic {
    /// Where in the document, as a JSON pointer (without the leading `#`).
    pub pointer: String,
    /// What was not represented or was changed, and what was done
    /// instead.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}: {}", self.pointer, self.message)
    }
}

/// Collects diagnostics in the order they are found, which follows the
/// document's order, so that output is deterministic.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Records a finding at `pointer`.
    pub fn push(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.items.push(Diagnostic {
            pointer: pointer.into(),
            message: message.into(),
        });
    }

    /// The findings, in the order they were pushed.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }

    /// How many findings there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}
