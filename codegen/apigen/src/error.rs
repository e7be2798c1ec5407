//! Errors that stop generation. Each names where in which file it is.

use std::fmt;
use std::path::PathBuf;

use crate::diag::Diagnostic;

/// Why generation stopped.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    Io {
        /// The file's path, as given.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Not JSON or YAML; `line` and `column` are 1-based.
    Syntax {
        /// The file, as messages name it.
        file: String,
        /// The line of the error, from 1.
        line: usize,
        /// The column of the error, from 1.
        column: usize,
        /// What is wrong (`invalid YAML: ...`).
        message: String,
    },
    /// Well-formed, but not a document the generator accepts.
    Invalid {
        /// The file, as messages name it.
        file: String,
        /// Where in the file, as a JSON pointer; empty for the document as a
        /// whole, or when the code generated from it does not parse.
        pointer: String,
        /// Why it is refused.
        message: String,
    },
    /// `--strict`: diagnostics are errors.
    Strict {
        /// The file, as messages name it.
        file: String,
        /// Every diagnostic, in the order found.
        diagnostics: Vec<Diagnostic>,
    },
    /// The codegen configuration is wrong.
    Config {
        /// The configuration file, as messages name it.
        file: String,
        /// What is wrong, as the TOML parser says.
        message: String,
    },
}

impl Error {
    /// An [`Error::Invalid`] in `file` at `pointer`.
    pub fn invalid(file: &str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid {
            file: file.to_owned(),
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Syntax {
                file,
                line,
                column,
                message,
            } => write!(f, "{file}:{line}:{column}: {message}"),
            Error::Invalid {
                file,
                pointer,
                message,
            } => write!(f, "{file}#{pointer}: {message}"),
            Error::Strict { file, diagnostics } => {
                write!(
                    f,
                    "{file}: {} diagnostic(s), and --strict makes them errors:",
                    diagnostics.len()
                )?;
                for d in diagnostics {
                    write!(f, "\n  {file}{d}")?;
                }
                Ok(())
            }
            Error::Config { file, message } => write!(f, "{file}: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
