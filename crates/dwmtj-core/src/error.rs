//! Typed errors of configuration and simulation. Every configuration error names the field, the
//! value that was given and what was expected.

/// A configuration could not be turned into a validated model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// A field holds a value out of range, of the wrong unit, or inconsistent with another.
    #[error("field `{field}` = {value}: {problem}")]
    Field {
        /// The field, e.g. `wire.length`.
        field: String,
        /// The value given, as written.
        value: String,
        /// What was expected.
        problem: String,
    },
    /// The TOML itself is malformed or has unknown keys (the message names them).
    #[error("{origin}: {message}")]
    Toml {
        /// Where the text came from (a path or a name).
        origin: String,
        /// The parser's message.
        message: String,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
}

impl ConfigError {
    /// A [`ConfigError::Field`] error.
    pub fn field(field: impl Into<String>, value: impl Into<String>, problem: impl Into<String>) -> Self {
        ConfigError::Field {
            field: field.into(),
            value: value.into(),
            problem: problem.into(),
        }
    }
}
