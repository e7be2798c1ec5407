//! Errors that stop generation. Each names where in which file it is.

use std::fmt;
use std::path::PathBuf;

use crate::diag::Diagnostic;

#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Not JSON or YAML; `line` and `column` are 1-based.
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// Well-formed, but not a document the generator accepts.
    Invalid {
        file: String,
        pointer: String,
        message: String,
    },
    /// `--strict`: diagnostics are errors.
    Strict {
        file: String,
        diagnostics: Vec<Diagnostic>,
    },
    /// The codegen configuration is wrong.
    Config { file: String, message: String },
}

impl Error {
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
